import CGSL
import Dispatch
import CLinFlow

/// The ODE steppers offered by `--method`: GSL's, and linflow's own written as
/// `gsl_odeiv2_step_type`s (CLinFlow) so that they run under GSL's own driver, evolve and
/// controls: `dp45`, Dormand–Prince 5(4) (dp45_step.c), and `dop853`, Dormand–Prince 8(5,3) as in
/// Hairer's DOP853 (Prince & Dormand 1981; Hairer, Nørsett & Wanner §II.10; dop853_step.c), both
/// first-same-as-last.
public enum StepperMethod: String, CaseIterable, Sendable {
    case rkf45, rkck, rk8pd, rk2, rk4, rk1imp, rk2imp, rk4imp, bsimp, msadams, msbdf, dp45, dop853
    /// linflow's variable-order NDF for a symmetric Jacobian (ndf.c; not a GSL stepper: it has its
    /// own step-size and order control, see ``ODEIntegrator``).
    case ndf
    /// rkf45, switching to msbdf when stiffness holds its steps at the stability limit (``StiffnessSwitch``).
    case auto

    /// The implicit steppers, which build and factor the dense n×n Jacobian.
    public var usesJacobian: Bool { [.rk1imp, .rk2imp, .rk4imp, .bsimp, .msbdf, .ndf].contains(self) }

    var gslType: UnsafePointer<gsl_odeiv2_step_type> {
        switch self {
        case .rkf45: return linflow_step_rkf45()
        case .rkck: return linflow_step_rkck()
        case .rk8pd: return linflow_step_rk8pd()
        case .rk2: return linflow_step_rk2()
        case .rk4: return linflow_step_rk4()
        case .rk1imp: return linflow_step_rk1imp()
        case .rk2imp: return linflow_step_rk2imp()
        case .rk4imp: return linflow_step_rk4imp()
        case .bsimp: return linflow_step_bsimp()
        case .msadams: return linflow_step_msadams()
        case .msbdf: return linflow_step_msbdf()
        case .dp45: return linflow_step_dp45()
        case .dop853: return linflow_step_dop853()
        case .auto: return linflow_step_rkf45()  // until a StiffnessSwitch
        case .ndf: return linflow_step_rkf45()  // the driver stays idle
        }
    }
}

/// An autonomous ODE dy/dt = f(y) that GSL can integrate.
public protocol ODESystem: AnyObject {
    var dimension: Int { get }
    /// Writes f(y); returns false when the result is not finite.
    func evaluate(_ y: UnsafePointer<Double>, _ dydt: UnsafeMutablePointer<Double>) -> Bool
    /// Writes ∂f/∂y (row-major); only called by implicit steppers.
    func jacobian(_ y: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>)
    /// The largest |eigenvalue| of ∂f/∂y that limits explicit steps, if the system can say
    /// (`--method auto`); nil: never switch.
    func stiffnessScale(at y: UnsafePointer<Double>) -> Double?
}

extension ODESystem {
    public func stiffnessScale(at y: UnsafePointer<Double>) -> Double? { nil }
}

/// Why an integration stopped early.
public enum IntegrationFailure: Error, Sendable, Equatable {
    case nonFinite(time: Double)
    case tooManySteps(time: Double, limit: Int)
    case stepSizeUnderflow(time: Double)
    case gsl(time: Double, status: Int32, reason: String)
    case interrupted(time: Double)
}

/// How a step's error estimate is measured against D_i = atol + rtol |y_i|.
public enum ErrorNorm: String, CaseIterable, Sendable {
    /// GSL's standard control: max_i |err_i| / D_i ≤ 1 (every component within its tolerance).
    case max
    /// √(mean_i (err_i / D_i)²) ≤ 1, as scipy's solve_ivp, MATLAB's ode45 and SUNDIALS measure it:
    /// looser than `max` by up to √n, so fewer steps on large networks (CGSL's shim).
    case rms

    /// GSL's multistep methods test each step's error per component themselves (through the
    /// control's error level), so an RMS control would only fight their own test: with msadams
    /// and msbdf it took more steps for a 7–8× larger error. Refused there.
    public func check(with method: StepperMethod) throws(LinflowError) {
        if self == .rms, method == .msadams || method == .msbdf || method == .ndf {
            throw .usage("\(Setting.errorNorm) rms does not apply to \(Setting.method) \(method.rawValue), which tests each weight's error itself; use \(Setting.errorNorm) max")
        }
    }
}

/// The one place that talks to gsl_odeiv2: a driver with adaptive step-size control
/// (D_i = atol + rtol |y_i|, measured by an ``ErrorNorm``) around any of GSL's steppers.
public final class ODEIntegrator {
    public let method: StepperMethod
    /// The stepper running now: `method`, except that `auto` runs rkf45 and after a switch ndf or,
    /// for a Jacobian that is not symmetric, msbdf.
    public private(set) var activeMethod: StepperMethod
    /// `auto`'s decision, once it made one (``StiffnessSwitch``).
    public private(set) var stiffnessSwitch: StiffnessSwitch?
    /// Called once when `auto` decides (simulate and compare print its message on stderr).
    public var onStiffness: ((StiffnessSwitch) -> Void)?
    public private(set) var time: Double
    public private(set) var state: [Double]

    private let system: ODESystem
    private let context: Unmanaged<ContextBox>
    // The driver keeps a pointer to this struct, so it lives on the heap as long as the driver.
    private let gslSystem: UnsafeMutablePointer<gsl_odeiv2_system>
    private var driver: UnsafeMutablePointer<gsl_odeiv2_driver>
    /// `auto`'s stiff phase where J is symmetric (ndf.c); then `driver` is idle.
    private var ndf: OpaquePointer?
    private let tolerances: (relative: Double, absolute: Double)

    private final class ContextBox {
        // unowned(unsafe): the integrator keeps the system alive; a strong reference here cost
        // a retain/release pair per RHS call, ~20% of a 2-2-1 evaluation.
        unowned(unsafe) let system: ODESystem
        var sawNonFinite = false
        var sawInterrupt = false
        init(_ s: ODESystem) { system = s }
    }

    public init(system: ODESystem, initialState: [Double], startTime: Double = 0,
                method: StepperMethod, relativeTolerance: Double, absoluteTolerance: Double,
                errorNorm: ErrorNorm = .max, maxSteps: Int? = nil, initialStep: Double = 1e-6) throws {
        _ = GSL.setUp
        precondition(initialState.count == system.dimension)
        // n² doubles and O(n³) work per factorisation: past the limit `auto` also stays explicit.
        let n = system.dimension
        if method.usesJacobian && n > StiffnessSwitch.maxJacobianDimension {
            throw LinflowError.usage("\(Setting.method) \(method.rawValue) builds the dense Jacobian of all \(n) weights (\(String(format: "%.3g", Double(n) * Double(n) * 8 / 1e9)) GB, about \(String(format: "%.1g", Double(n) * Double(n) * Double(n) / 3)) operations to factor it); above \(StiffnessSwitch.maxJacobianDimension) weights use an explicit method (rkf45, dp45, rk8pd) or auto")
        }
        self.system = system
        self.method = method
        self.activeMethod = method == .auto ? .rkf45 : method
        self.tolerances = (relativeTolerance, absoluteTolerance)
        self.time = startTime
        self.stiffnessCheck.time = startTime
        self.state = initialState
        context = Unmanaged.passRetained(ContextBox(system))

        let rhs: @convention(c) (Double, UnsafePointer<Double>?, UnsafeMutablePointer<Double>?, UnsafeMutableRawPointer?) -> Int32 = { _, y, dydt, params in
            Unmanaged<ContextBox>.fromOpaque(params!)._withUnsafeGuaranteedRef { box in
                // Ctrl-C during a long interval between rows: make GSL return now.
                if InterruptFlag.shared.isSet { box.sawInterrupt = true; return Int32(GSL_EBADFUNC) }
                if box.system.evaluate(y!, dydt!) { return Int32(GSL_SUCCESS) }
                box.sawNonFinite = true
                return Int32(GSL_EBADFUNC)
            }
        }
        let jac: @convention(c) (Double, UnsafePointer<Double>?, UnsafeMutablePointer<Double>?, UnsafeMutablePointer<Double>?, UnsafeMutableRawPointer?) -> Int32 = { _, y, dfdy, dfdt, params in
            let box = Unmanaged<ContextBox>.fromOpaque(params!).takeUnretainedValue()
            let n = box.system.dimension
            box.system.jacobian(y!, dfdy!)
            for i in 0..<n { dfdt![i] = 0 }  // autonomous
            for i in 0..<(n * n) where !dfdy![i].isFinite {
                box.sawNonFinite = true
                return Int32(GSL_EBADFUNC)
            }
            return Int32(GSL_SUCCESS)
        }
        gslSystem = .allocate(capacity: 1)
        gslSystem.initialize(to: gsl_odeiv2_system(
            function: rhs, jacobian: jac, dimension: system.dimension, params: context.toOpaque()))
        guard let d = gsl_odeiv2_driver_alloc_y_new(gslSystem, method.gslType, initialStep,
                                                    absoluteTolerance, relativeTolerance) else {
            gslSystem.deallocate()
            context.release()
            throw GSLError(status: Int32(GSL_ENOMEM), context: "allocating the ODE driver")
        }
        driver = d
        self.maxSteps = maxSteps
        if method == .dop853 {
            // DOP853's estimate weighs its 5th- and 3rd-order differences by the control's D_i.
            try GSL.check(linflow_step_dop853_set_error_scale(d.pointee.s, absoluteTolerance, relativeTolerance),
                          "setting dop853's error weights")
        }
        if method == .ndf {
            guard let solver = linflow_ndf_alloc(n) else { throw GSLError(status: Int32(GSL_ENOMEM), context: "allocating the NDF solver") }
            ndf = solver
            let status = initialState.withUnsafeBufferPointer { y in
                linflow_ndf_reset(solver, gslSystem, startTime, y.baseAddress!, initialStep, absoluteTolerance, relativeTolerance)
            }
            if status == Int32(GSL_EDOM) {
                throw LinflowError.usage("\(Setting.method) ndf needs a symmetric Jacobian (a gradient flow without layer rates); use msbdf")
            }
            try GSL.check(status, "starting the NDF solver")
        }
        if errorNorm == .rms {
            // Every stored property is set by now, so throwing runs deinit, which frees the
            // driver, the system and the context (freeing them here as well would free twice).
            try GSL.check(linflow_driver_use_rms_norm(d, absoluteTolerance, relativeTolerance), "setting up the RMS error norm")
        }
    }

    private let maxSteps: Int?

    deinit {
        gsl_odeiv2_driver_free(driver)
        linflow_ndf_free(ndf)
        gslSystem.deallocate()
        context.release()
    }

    /// Steps GSL has taken so far over all calls of ``advance(to:)``. (The driver's own counter
    /// restarts at every gsl_odeiv2_driver_apply, and so does its step limit, so both are kept here.)
    public private(set) var steps = 0
    /// Wall-clock seconds inside GSL's driver so far (steps and RHS evaluations: the solve alone,
    /// without data, set-up or rows), and `auto`'s stiffness checks; simulate's "integration" time.
    public private(set) var seconds = 0.0

    /// Integrates from the current time to exactly `t1`.
    public func advance(to t1: Double) throws(IntegrationFailure) {
        guard method == .auto, stiffnessSwitch == nil else { return try applyNoticingLongIntervals(to: t1) }
        // auto: rkf45 in chunks of steps (across calls), asking after each whether stiffness
        // holds the steps back; after a "no" the next chunk is twice as long, up to a limit.
        while true {
            do {
                try apply(to: t1, chunk: stiffnessCheck.interval - (steps - stiffnessCheck.steps))
                return
            } catch .tooManySteps(_, let limit) where limit == -1 {}
            let meanStep = (time - stiffnessCheck.time) / Double(max(1, steps - stiffnessCheck.steps))
            let clock = DispatchTime.now()  // the check is part of the solve's time
            let decision = state.withUnsafeBufferPointer { y in
                StiffnessSwitch.decide(time: time, meanStep: meanStep, dimension: system.dimension,
                                       lambdaMax: { system.stiffnessScale(at: y.baseAddress!) })
            }
            seconds += LinFlowNumerics.seconds(since: clock)
            guard let decision else {
                stiffnessCheck = (steps, time, min(2 * stiffnessCheck.interval, StiffnessSwitch.longestChunk))
                continue
            }
            var made = decision
            if decision.outcome == .switched { made.stepper = try switchToImplicit() }
            stiffnessSwitch = made
            onStiffness?(made)
            return try apply(to: t1, chunk: nil)
        }
    }

    /// Steps after which a run still short of its next row is said to be slow, once.
    public static let longInterval = 100_000

    /// Called once when ``longInterval`` steps have not reached the next row: (time reached, row time).
    public var onLongInterval: ((_ time: Double, _ target: Double) -> Void)?
    private var saidLongInterval = false

    /// Integrates to `t1` in chunks of ``longInterval`` steps (the same steps as in one go),
    /// saying once when a chunk ends short of `t1`: a run that would otherwise spin without a
    /// word, e.g. explicit steps held at the stability limit on the way to a distant --t-end.
    private func applyNoticingLongIntervals(to t1: Double) throws(IntegrationFailure) {
        while true {
            do {
                return try apply(to: t1, chunk: Self.longInterval)
            } catch .tooManySteps(_, let limit) where limit == -1 {
                if !saidLongInterval {
                    saidLongInterval = true
                    onLongInterval?(time, t1)
                }
            }
        }
    }

    /// `auto`: the steps and time of the last stiffness check, and the steps until the next.
    private var stiffnessCheck = (steps: 0, time: 0.0, interval: StiffnessSwitch.chunk)

    /// Hands the run at the current time and state, with rkf45's last step, to linflow's NDF
    /// (ndf.c: one tridiagonal reduction of the exact, symmetric Jacobian serves every step size),
    /// or, where the Jacobian is not symmetric (layer rates), to msbdf under
    /// GSL's standard control (msbdf tests each component's error itself, see
    /// ``ErrorNorm/check(with:)``).
    private func switchToImplicit() throws(IntegrationFailure) -> StiffnessSwitch.Stepper {
        let h = driver.pointee.h
        guard let solver = linflow_ndf_alloc(system.dimension) else {
            throw .gsl(time: time, status: Int32(GSL_ENOMEM), reason: "allocating the NDF solver")
        }
        let status = state.withUnsafeBufferPointer { y in
            linflow_ndf_reset(solver, gslSystem, time, y.baseAddress!, h, tolerances.absolute, tolerances.relative)
        }
        if status == Int32(GSL_SUCCESS) {
            ndf = solver
            activeMethod = .ndf
            return .ndf
        }
        linflow_ndf_free(solver)
        if status != Int32(GSL_EDOM) { try fail(status: status, at: time) }
        guard let d = gsl_odeiv2_driver_alloc_y_new(gslSystem, StepperMethod.msbdf.gslType, h,
                                                    tolerances.absolute, tolerances.relative) else {
            throw .gsl(time: time, status: Int32(GSL_ENOMEM), reason: "allocating msbdf's driver")
        }
        gsl_odeiv2_driver_free(driver)
        driver = d
        activeMethod = .msbdf
        return .msbdf
    }

    /// One gsl_odeiv2_driver_apply towards `t1`; with `chunk`, at most that many steps, after
    /// which it throws `.tooManySteps(time:, limit: -1)` with the state where it stopped.
    private func apply(to t1: Double, chunk: Int?) throws(IntegrationFailure) {
        if let ndf { return try applyNDF(ndf, to: t1, chunk: chunk) }
        var t = time
        if let maxSteps, steps >= maxSteps { throw .tooManySteps(time: t, limit: maxSteps) }
        // GSL lets the driver count one step past nmax before it returns GSL_EMAXITER.
        let userLimit = maxSteps.map { max(1, $0 - steps - 1) }
        let nmax = [userLimit, chunk.map { $0 - 1 }].compactMap { $0 }.min()
        gsl_odeiv2_driver_set_nmax(driver, nmax.map { UInt(max(1, $0)) } ?? 0)  // 0: no limit
        let clock = DispatchTime.now()
        let status = state.withUnsafeMutableBufferPointer { y in
            gsl_odeiv2_driver_apply(driver, &t, t1, y.baseAddress!)
        }
        seconds += LinFlowNumerics.seconds(since: clock)
        steps += Int(linflow_driver_steps(driver))
        let box = context.takeUnretainedValue()
        if status == Int32(GSL_SUCCESS) {
            time = t
            if state.allSatisfy(\.isFinite) { return }
            throw .nonFinite(time: t)
        }
        time = t
        if status == Int32(GSL_EMAXITER) && !box.sawInterrupt && !box.sawNonFinite {
            if let maxSteps, steps >= maxSteps { throw .tooManySteps(time: t, limit: maxSteps) }
            if chunk == nil { throw .tooManySteps(time: t, limit: maxSteps ?? 0) }
            // The driver took the step that crossed nmax but returned before counting it.
            steps += 1
            throw .tooManySteps(time: t, limit: -1)
        }
        try fail(status: status, at: t)
    }

    /// ``apply(to:chunk:)`` on the NDF: its steps end at or past `t1` and `state` is its
    /// interpolant there (the solver keeps its own last step).
    private func applyNDF(_ ndf: OpaquePointer, to t1: Double, chunk: Int?) throws(IntegrationFailure) {
        if let maxSteps, steps >= maxSteps { throw .tooManySteps(time: time, limit: maxSteps) }
        let nmax = [maxSteps.map { $0 - steps }, chunk].compactMap { $0 }.min()
        var taken: UInt = 0
        let clock = DispatchTime.now()
        let status = state.withUnsafeMutableBufferPointer { y in
            linflow_ndf_apply(ndf, gslSystem, t1, y.baseAddress!, nmax.map { UInt(max(1, $0)) } ?? 0, &taken)
        }
        seconds += LinFlowNumerics.seconds(since: clock)
        steps += Int(taken)
        if status == Int32(GSL_SUCCESS) {
            time = t1
            if state.allSatisfy(\.isFinite) { return }
            throw .nonFinite(time: t1)
        }
        time = linflow_ndf_time(ndf)
        if status == Int32(GSL_EMAXITER) {
            if let maxSteps, steps >= maxSteps { throw .tooManySteps(time: time, limit: maxSteps) }
            throw .tooManySteps(time: time, limit: -1)
        }
        try fail(status: status, at: time)
    }

    /// The failure behind a GSL status other than success and the step limit.
    private func fail(status: Int32, at t: Double) throws(IntegrationFailure) {
        let box = context.takeUnretainedValue()
        if box.sawInterrupt { throw .interrupted(time: t) }
        if box.sawNonFinite || status == Int32(GSL_EBADFUNC) { throw .nonFinite(time: t) }
        if status == Int32(GSL_ENOPROG) || status == Int32(GSL_ETOL) { throw .stepSizeUnderflow(time: t) }
        throw .gsl(time: t, status: status, reason: String(cString: gsl_strerror(status)))
    }
}
