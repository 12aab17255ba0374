import CGSL
import CLinFlow
import Foundation
import Testing
@testable import LinFlowNumerics
import LinFlowTestSupport

/// y' = Ay with A = −Q diag(λ) Qᵀ symmetric, Q = I − 2uuᵀ/uᵀu (u = (1, 2, …, n)) a reflection:
/// exactly y(t) = Q diag(e^{−λt}) Qᵀ y(0), computed here mode by mode.
fileprivate final class LinearField {
    let lambdas: [Double]
    let u: [Double]
    let uu: Double
    var a: [Double]
    var n: Int { lambdas.count }

    init(_ lambdas: [Double]) {
        self.lambdas = lambdas
        u = (1...lambdas.count).map(Double.init)
        uu = u.reduce(0) { $0 + $1 * $1 }
        a = []
        let n = lambdas.count
        a = (0..<(n * n)).map { ij in
            let (i, j) = (ij / n, ij % n)
            return -(0..<n).reduce(0.0) { $0 + self.q(i, $1) * lambdas[$1] * self.q(j, $1) }
        }
    }

    func q(_ i: Int, _ k: Int) -> Double { (i == k ? 1 : 0) - 2 * u[i] * u[k] / uu }

    /// e^{At} y0 through the eigenbasis.
    func exact(_ y0: [Double], _ t: Double) -> [Double] {
        let z = (0..<n).map { k in (0..<n).reduce(0.0) { $0 + q($1, k) * y0[$1] } * exp(-lambdas[k] * t) }
        return (0..<n).map { i in (0..<n).reduce(0.0) { $0 + q(i, $1) * z[$1] } }
    }
}

private let linearRHS: @convention(c) (Double, UnsafePointer<Double>?, UnsafeMutablePointer<Double>?, UnsafeMutableRawPointer?) -> Int32 = { _, y, f, p in
    let field = Unmanaged<LinearField>.fromOpaque(p!).takeUnretainedValue()
    let n = field.n
    for i in 0..<n { f![i] = (0..<n).reduce(0.0) { $0 + field.a[i * n + $1] * y![$1] } }
    return Int32(GSL_SUCCESS)
}

private let linearJacobian: @convention(c) (Double, UnsafePointer<Double>?, UnsafeMutablePointer<Double>?, UnsafeMutablePointer<Double>?, UnsafeMutableRawPointer?) -> Int32 = { _, _, j, dfdt, p in
    let field = Unmanaged<LinearField>.fromOpaque(p!).takeUnretainedValue()
    for i in 0..<(field.n * field.n) { j![i] = field.a[i] }
    for i in 0..<field.n { dfdt![i] = 0 }
    return Int32(GSL_SUCCESS)
}

/// linflow's NDF (CLinFlow's ndf.c; `--method ndf` and `auto`'s stiff phase) on problems with
/// closed forms.
@Suite struct NDFTests {
    let y0 = [1.0, -0.5, 0.25, 2.0, -1.0, 0.75]

    /// Fixed order k and step h from the exact history y(t0 − m h), m = 0…k, then `steps` steps:
    /// (the error at the end against e^{At}, the last step's error estimate, the time reached).
    fileprivate func fixed(_ field: LinearField, order: Int, h: Double, steps: Int, from t0: Double = 1,
               history: ((Int) -> [Double])? = nil) -> (error: Double, estimate: Double, states: [[Double]]) {
        let n = field.n
        var sys = gsl_odeiv2_system(function: linearRHS, jacobian: linearJacobian, dimension: n,
                                    params: Unmanaged.passUnretained(field).toOpaque())
        let s = linflow_ndf_alloc(n)!
        defer { linflow_ndf_free(s) }
        let past = (0...order).flatMap { m in history?(m) ?? field.exact(y0, t0 - Double(m) * h) }
        // Error weights D_i = 1: the estimate is the absolute error.
        #expect(linflow_ndf_start_fixed(s, &sys, t0, Int32(order), h, past, 1, 1e-300) == GSL_SUCCESS)
        var y = past.prefix(n).map { $0 }, states: [[Double]] = []
        var taken: UInt = 0
        for _ in 0..<steps {
            let status = linflow_ndf_apply(s, &sys, .infinity, &y, 1, &taken)
            #expect(status == GSL_EMAXITER && taken == 1)
            states.append(y)
        }
        let t = linflow_ndf_time(s)
        #expect(abs(t - (t0 + Double(steps) * h)) < 1e-9)
        let exact = field.exact(y0, t)
        let error = zip(y, exact).reduce(0.0) { max($0, abs($1.0 - $1.1)) }
        return (error, linflow_ndf_error_estimate(s), states)
    }

    /// Global error ∝ h^k at order k = 1…5 on a spread spectrum (λ from 0.1 to 10⁴: the stiff
    /// mode at hλ ≫ 1 must neither spoil the order nor blow up): halving h divides the error at
    /// t = 3 by 2^k (observed order within 0.35 of k).
    @Test(arguments: 1...5)
    func globalErrorIsOfOrderK(order: Int) {
        let field = LinearField([0.1, 0.5, 1, 2, 3, 1e4])
        var errors: [Double] = []
        for steps in [40, 80, 160] {
            errors.append(fixed(field, order: order, h: 2 / Double(steps), steps: steps).error)
        }
        for (coarse, fine) in zip(errors, errors.dropFirst()) {
            let observed = log2(coarse / fine)
            #expect(abs(observed - Double(order)) < 0.35, "order \(order): errors \(errors), observed \(observed)")
        }
    }

    /// Stiff decay: λ up to 10⁸ at h = 1 (hλ up to 10⁸), from a constant history: no order lets a
    /// component grow past its start, and after 40 steps every mode has decayed by 10⁶ — the
    /// formulas are stable along the whole negative real axis (where J = −H has its spectrum) and
    /// damp as hλ → ∞.
    @Test(arguments: 1...5)
    func stableAndDampingFarBeyondExplicitLimits(order: Int) {
        let field = LinearField([1e2, 1e3, 1e4, 1e5, 1e6, 1e8])
        let run = fixed(field, order: order, h: 1, steps: 40, from: 0, history: { _ in self.y0 })
        let start = y0.map(abs).max()!
        for y in run.states { #expect(y.map(abs).max()! <= 2 * start) }
        #expect(run.states.last!.map(abs).max()! < 1e-6 * start, "order \(order): \(run.states.last!)")
    }

    /// One step of order k from the exact history: the local error is O(h^{k+1}), and the
    /// estimate (κ_k γ_k + 1/(k+1)) ∇^{k+1}y_{n+1} shrinks as h^{k+1} too (2^{k+1} per halving,
    /// within 0.4 in the exponent) and bounds the true one-step error from above, within a
    /// factor 4: a step the control accepts is within its tolerance.
    @Test(arguments: 1...5)
    func errorEstimateFollowsTheLocalError(order: Int) {
        let field = LinearField([0.3, 0.5, 1, 1.5, 2, 2.5])
        var estimates: [Double] = []
        for h in [0.05, 0.025, 0.0125] {
            let one = fixed(field, order: order, h: h, steps: 1)
            estimates.append(one.estimate)
            #expect(one.estimate >= one.error && one.estimate < 4 * one.error,
                    "order \(order) h \(h): estimate \(one.estimate), error \(one.error)")
        }
        for (coarse, fine) in zip(estimates, estimates.dropFirst()) {
            #expect(abs(log2(coarse / fine) - Double(order + 1)) < 0.4, "order \(order): \(estimates)")
        }
    }

    /// Adaptive, through linflow's integrator (`--method ndf`): on a spectrum from 10⁻³ to 10⁴, to
    /// t = 10³, the state at every output time is within 10·rtol of e^{At}y0 (absolute, |y| ~ 1),
    /// in under 2000 steps where an explicit method needs T·λ_max/3.7 ≈ 3·10⁶, with one Jacobian.
    @Test(arguments: [1e-6, 1e-9])
    func adaptiveRunMatchesTheExponential(rtol: Double) throws {
        let field = LinearField([1e-3, 1e-2, 0.1, 1, 100, 1e4])
        let system = LinearSystem(field)
        let i = try ODEIntegrator(system: system, initialState: y0, method: .ndf, relativeTolerance: rtol,
                                  absoluteTolerance: rtol * 1e-2)
        for t in [0.1, 1, 10, 100, 1000.0] {
            try i.advance(to: t)
            let exact = field.exact(y0, t)
            let d = zip(i.state, exact).reduce(0.0) { max($0, abs($1.0 - $1.1)) }
            #expect(d < 10 * rtol, "t \(t): \(d)")
        }
        #expect(i.steps < 2000, "\(i.steps) steps")
        #expect(system.jacobians == 1)
    }

    /// 80 unknowns (Q's reflectors in three blocks of 32): λ from 10⁻³ to 10⁴ evenly in log, to
    /// t = 100 at rtol 1e-8, within 10·rtol of e^{At}y0 at every output time, with one Jacobian.
    @Test func manyUnknownsSpanSeveralBlocksOfReflectors() throws {
        let n = 80
        let field = LinearField((0..<n).map { pow(10, -3 + 7 * Double($0) / Double(n - 1)) })
        let start = (0..<n).map { sin(Double($0) + 1) }
        let system = LinearSystem(field)
        let i = try ODEIntegrator(system: system, initialState: start, method: .ndf, relativeTolerance: 1e-8,
                                  absoluteTolerance: 1e-10)
        for t in [0.01, 0.1, 1, 10, 100.0] {
            try i.advance(to: t)
            let d = zip(i.state, field.exact(start, t)).reduce(0.0) { max($0, abs($1.0 - $1.1)) }
            #expect(d < 1e-7, "t \(t): \(d)")
        }
        #expect(system.jacobians == 1)
    }

    /// A Jacobian that is not symmetric is refused by `--method ndf` (its solves assume J = Jᵀ).
    @Test func nonSymmetricJacobianIsRefused() throws {
        let field = LinearField([1, 2, 3, 4, 5, 6])
        field.a[1] += 0.5
        #expect(throws: LinflowError.self) {
            _ = try ODEIntegrator(system: LinearSystem(field), initialState: y0, method: .ndf,
                                  relativeTolerance: 1e-6, absoluteTolerance: 1e-8)
        }
    }

    /// Saxe et al.'s exact solution for aligned balanced starts (white inputs): ndf at rtol 1e-11
    /// follows it to 1e-8 in every weight at every time, as DOP853Tests asks of dop853.
    @Test(arguments: [1, 2, 3])
    func followsTheAlignedClosedForm(depth: Int) throws {
        for (label, gap) in try alignedClosedFormGaps(depth: depth, method: .ndf) { #expect(gap < 1e-8, "\(label): \(gap)") }
    }
}

/// ``LinearField`` as an ``ODESystem``, counting its Jacobians.
fileprivate final class LinearSystem: ODESystem {
    let field: LinearField
    var jacobians = 0
    init(_ field: LinearField) { self.field = field }
    var dimension: Int { field.n }
    func evaluate(_ y: UnsafePointer<Double>, _ dydt: UnsafeMutablePointer<Double>) -> Bool {
        _ = linearRHS(0, y, dydt, Unmanaged.passUnretained(field).toOpaque())
        return true
    }
    func jacobian(_ y: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>) {
        jacobians += 1
        for i in 0..<(field.n * field.n) { out[i] = field.a[i] }
    }
}
