import Foundation

/// `--method auto`: rkf45 until its steps are held down by its stability limit, then an implicit
/// method with the exact Jacobian: linflow's NDF where the Jacobian is symmetric (a gradient
/// flow, J = −H; ndf.c), GSL's msbdf otherwise.
///
/// An explicit Runge–Kutta method is stable on y' = −λy only for hλ inside a fixed interval
/// ([0, 3.68] for GSL's rkf45, whose step propagates Fehlberg's fifth-order solution; [0, 3.31]
/// for dp45: the roots of |R(−x)| = 1 of their stability polynomials). On a gradient flow the
/// Jacobian is −H, so where the Hessian's top eigenvalue λ_max is large and the solution smooth,
/// the error control can only hold h near 3.7/λ_max: the run is *stiff* and costs T·λ_max/3.7
/// steps whatever the tolerance. The integrator checks after ``chunk`` steps, then
/// after twice as many as at the last check, up to ``longestChunk`` (125, 250, 500, 1000, 2000,
/// 2000, … steps: a check is one Lanczos estimate of ≤ 100 Hessian-vector products, against the
/// 12 000 RHS evaluations of 2000 steps, so the checks cost ~2% of a long non-stiff run, more of a
/// short one: up to ~15% of a run of a few hundred steps). The first check comes early because a
/// stiff phase costs its steps until seen: on the hierarchy at rtol 1e-8 the first check
/// after 500 steps instead of 125 cost auto a third of its solve (docs/performance.md):
///
///   stiff ⇔ h̄ · λ_max ≥ ``pinned``,
///
/// with h̄ the mean accepted step since the last check and λ_max from the system
/// (``ODESystem/stiffnessScale(at:)``: the Hessian's top eigenvalue by Lanczos for a gradient
/// flow). Steps within a factor of 3 of the limit are what a stiff run looks like; a non-stiff
/// run's steps are set by accuracy and sit far below it (h̄λ ≪ 1), so it never switches and its
/// output is rkf45's bit for bit. After the switch the implicit method tests each weight's error
/// in the max norm, whatever `--error-norm` said. Past ``maxJacobianDimension`` unknowns
/// the dense n×n Jacobian of msbdf would not fit, so the run stays on rkf45 and says why.
public struct StiffnessSwitch: Sendable, Equatable {
    /// Steps before the first check; each later check waits twice as many, up to ``longestChunk``.
    public static let chunk = 125
    /// The most steps between two checks: the longest a stiff phase runs on rkf45 before auto sees it.
    public static let longestChunk = 2000
    /// h̄·λ_max at or above which the steps count as pinned by stability (within a factor 3.7 of the limit).
    public static let pinned = 1.0
    /// The largest dimension for which msbdf's dense Jacobian (n² doubles) is built: 4096² × 8 B = 128 MiB.
    public static let maxJacobianDimension = 4096

    /// The implicit method after the switch.
    public enum Stepper: String, Sendable, Equatable {
        /// linflow's variable-order NDF (ndf.c), whose Newton solves all use one tridiagonal
        /// reduction J = Q T Qᵀ of the symmetric Jacobian: the gradient flow (J = −H).
        case ndf
        /// GSL's msbdf, where the Jacobian is not symmetric (layer rates).
        case msbdf

        var description: String {
            switch self {
            case .ndf: return "linflow's NDF (orders 1–5) with the exact Jacobian"
            case .msbdf: return "msbdf with the exact Jacobian"
            }
        }
    }

    public enum Outcome: Sendable, Equatable {
        /// Switched to ``stepper`` at ``time``.
        case switched
        /// Stiff, but too many unknowns for a dense Jacobian: stayed on rkf45.
        case tooLarge
    }

    public let outcome: Outcome
    public let time: Double
    /// Mean accepted step of the chunk before the decision.
    public let meanStep: Double
    public let lambdaMax: Double
    public let dimension: Int
    /// Set by the integrator when it switches.
    public internal(set) var stepper = Stepper.ndf

    /// The line printed on stderr.
    public var message: String {
        let why = "rkf45's steps are pinned at its stability limit (mean step \(fmt(meanStep)), λ_max = \(fmt(lambdaMax)), h·λ_max = \(fmt(meanStep * lambdaMax)))"
        switch outcome {
        case .switched:
            return "linflow: stiff at t = \(fmt(time)): \(why); \(Setting.method) auto switches to \(stepper.description)"
        case .tooLarge:
            return "linflow: stiff at t = \(fmt(time)): \(why), but \(dimension) unknowns are too many for msbdf's dense Jacobian (at most \(StiffnessSwitch.maxJacobianDimension)); staying on rkf45"
        }
    }

    /// For the run record.
    public var record: [String: Any] {
        ["outcome": outcome == .switched ? "switched to \(stepper.rawValue)" : "stiff, too large for msbdf", "t": time,
         "mean_step": meanStep, "lambda_max": lambdaMax, "h_lambda_max": meanStep * lambdaMax]
    }

    /// The decision after a chunk: nil (keep going on rkf45) or the switch.
    static func decide(time: Double, meanStep: Double, dimension: Int, lambdaMax: () -> Double?) -> StiffnessSwitch? {
        guard meanStep > 0, let lambda = lambdaMax(), lambda.isFinite, lambda > 0, meanStep * lambda >= pinned else { return nil }
        return StiffnessSwitch(outcome: dimension <= maxJacobianDimension ? .switched : .tooLarge,
                               time: time, meanStep: meanStep, lambdaMax: lambda, dimension: dimension)
    }
}

extension GradientFlow {
    /// λ_max(H) at y, the scale of the flow's stiffness (its Jacobian is −H): a few tens of
    /// Hessian-vector products (Lanczos to 1e-3 relative; the decision needs a factor, not digits).
    public func stiffnessScale(at y: UnsafePointer<Double>) -> Double? {
        let w = Weights(architecture: architecture, flat: Array(UnsafeBufferPointer(start: y, count: dimension)))
        return SharpnessEstimator(flow: self, tolerance: 1e-3, maxIterations: 100).estimate(at: w)
    }
}

extension ModifiedFlow {
    /// λ(1 + ηλ/2) with λ = λ_max(H): the top eigenvalue of H + (η/2)H², the modified flow's
    /// Jacobian up to the term (η/2)∇³L[∇L], which vanishes with the gradient.
    public func stiffnessScale(at y: UnsafePointer<Double>) -> Double? {
        flow.stiffnessScale(at: y).map { $0 * (1 + learningRate * $0 / 2) }
    }
}

extension ODEIntegrator {
    /// Hands `auto`'s decision to `notice` when it is made, prefixed by `label` (simulate, compare),
    /// and the note that a row is more than ``longInterval`` steps away.
    public func announceStiffness(_ label: String = "", to notice: @escaping (String) -> Void) {
        onStiffness = { s in notice((label.isEmpty ? "" : label + ": ") + s.message) }
        let method = activeMethod
        onLongInterval = { time, target in
            notice("linflow: note: \(Self.longInterval) steps of \(method.rawValue) have reached only t = \(fmt(time)) on the way to the row at t = \(fmt(target))"
                + (method.usesJacobian ? "; \(Setting.maxSteps) bounds the run" : ": explicit steps are held near the stability limit once the flow is stiff; \(Setting.method) auto switches to an implicit method, \(Setting.maxSteps) bounds the run"))
        }
    }
}
