/// Discrete gradient descent on the flat parameter vector θ, with optional heavy-ball momentum:
///
///     v_{k+1} = β v_k − η ∇L(θ_k),    θ_{k+1} = θ_k + v_{k+1},    v_0 = 0,
///
/// i.e. θ_{k+1} = θ_k − η∇L(θ_k) + β(θ_k − θ_{k−1}); β = 0 is plain descent W ← W − η∇L(W).
/// The gradient is whatever ``GradientFlow/evaluate(_:_:)`` of `gradientSource` gives (it writes
/// −∇L), so a minibatch step is this same step after ``GradientFlow/setGradientCorrelations(_:)``,
/// and with the source's ``GradientFlow/terms`` the step of layer l is −ηr_l(∇_l L + γW_l)
/// (biases −ηr_l∇_{b_l}L), momentum included: weight decay and per-layer steps η r_l.
///
/// Step k sits at time t = kη, the time axis of the flow dθ/dt = −∇L that descent approximates.
/// With momentum, a Taylor expansion of θ(t ± η) in the update gives the damped second-order ODE
///
///     (1 + β) η/2 · θ̈ + (1 − β) θ̇ = −∇L(θ),
///
/// whose leading order is the flow run faster by 1/(1 − β): θ̇ = −∇L/(1 − β).
public final class GradientDescent {
    /// The flow whose gradient the next step takes (``train(on:)`` replaces it).
    public private(set) var gradientSource: GradientFlow
    public let learningRate: Double
    public let momentum: Double
    /// θ_k.
    public private(set) var state: [Double]
    /// k, the number of steps taken.
    public private(set) var step = 0
    private var velocity: [Double]
    private var direction: [Double]

    /// `previous`, θ_{k−1} of a descent that stopped at θ_k = `initial`, gives the velocity
    /// v_k = θ_k − θ_{k−1} that momentum carries on with; without it v = 0.
    public init(gradientSource: GradientFlow, initial: Weights, learningRate: Double, momentum: Double = 0,
                previous: Weights? = nil) {
        precondition(initial.flat.count == gradientSource.dimension)
        self.gradientSource = gradientSource
        self.learningRate = learningRate
        self.momentum = momentum
        state = initial.flat
        direction = Array(repeating: 0, count: initial.flat.count)
        velocity = previous.map { p in zip(initial.flat, p.flat).map { $0 - $1 } } ?? direction
    }

    public var weights: Weights { Weights(architecture: gradientSource.architecture, flat: state) }

    /// Takes the following steps' gradients from `source` (the next task of a sequence): θ, k and
    /// momentum's velocity carry on unchanged, as if the data had changed under a running descent.
    public func train(on source: GradientFlow) {
        precondition(source.dimension == gradientSource.dimension)
        gradientSource = source
    }

    /// Takes one step; returns false if the gradient or the new weights are not finite.
    @discardableResult
    public func advance() -> Bool { step(finiteGradient: evaluateGradient()) }

    /// Evaluates the gradient at θ_k (the first half of ``advance()``); with
    /// ``GradientFlow/recordsLoss`` on, the source then also knows L(θ_k). Returns false if the
    /// gradient is not finite.
    public func evaluateGradient() -> Bool {
        state.withUnsafeBufferPointer { y in
            direction.withUnsafeMutableBufferPointer { d in gradientSource.evaluate(y.baseAddress!, d.baseAddress!) }
        }
    }

    /// Moves θ_k to θ_{k+1} along the gradient of the last ``evaluateGradient()`` (the second
    /// half of ``advance()``); returns false if that gradient or the new weights are not finite.
    public func step(finiteGradient: Bool) -> Bool {
        let eta = learningRate, beta = momentum
        var finite = finiteGradient
        // Through buffer pointers: indexing the arrays of a class costs a dynamic exclusivity
        // check per element, which was a quarter of a 100-64-10 step.
        state.withUnsafeMutableBufferPointer { x in
            direction.withUnsafeBufferPointer { d in
                if beta == 0 {
                    // Plain descent: no velocity to keep, and the finiteness check rides along,
                    // so one pass over memory instead of three (the same numbers: v = 0·v + ηd
                    // is ηd). At 784-1000-10 each pass is 6 MB.
                    if !addScaledCheckingFinite(eta, d.baseAddress!, to: x.baseAddress!, count: x.count) { finite = false }
                } else {
                    velocity.withUnsafeMutableBufferPointer { v in
                        for i in 0..<x.count {
                            v[i] = beta * v[i] + eta * d[i]
                            x[i] += v[i]
                        }
                    }
                    if let base = x.baseAddress, !allFinite(base, count: x.count) { finite = false }
                }
            }
        }
        step += 1
        return finite
    }
}

/// Decides when a descent has diverged: a value that is not finite, or a loss above
/// `factor` × L(θ_0) + 1 (by default 10⁶ × L(θ_0) + 1).
public struct DivergenceCheck: Sendable {
    public let initialLoss: Double
    public let factor: Double
    public let bound: Double

    public static let defaultFactor = 1e6

    public init(initialLoss: Double, factor: Double = DivergenceCheck.defaultFactor) {
        self.initialLoss = initialLoss
        self.factor = factor
        bound = factor * initialLoss + 1
    }

    /// nil while all is well; otherwise the one-line reason, naming the step and its time.
    public func failure(step: Int, time: Double, loss: Double, finiteWeights: Bool) -> String? {
        // Checked every step: the message (String(format:)) only once something failed.
        guard !finiteWeights || !loss.isFinite || loss > bound else { return nil }
        let at = "step \(step) (t = \(fmt(time)))"
        if !finiteWeights { return "descent diverged at \(at): the weights or the gradient became infinite or NaN" }
        if !loss.isFinite { return "descent diverged at \(at): the loss became infinite or NaN" }
        if loss > bound {
            return "descent diverged at \(at): the loss \(fmt(loss)) exceeds \(fmt(factor)) × the initial loss + 1 = \(fmt(bound))"
        }
        return nil
    }
}
