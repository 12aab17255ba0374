/// What the flow adds to plain gradient descent on the loss: weight decay γ and one learning
/// rate per layer. With both, layer l moves along
///
///     dW_l/dt = −r_l (∂L/∂W_l + γ W_l),     db_l/dt = −r_l ∂L/∂b_l,
///
/// the gradient flow of the objective J = L + (γ/2) Σ_l ‖W_l‖²_F in the metric diag(1/r_l):
/// biases are not decayed (a decayed bias would pull the fit's mean away from the data's), and
/// r_l multiplies the whole of layer l's step, decay included, so that descent with per-layer
/// steps η r_l on J is the Euler method of this flow. γ = 0 and every r_l = 1 is the plain flow.
///
/// Two laws follow (docs/theory.md, "Weight decay and per-layer rates"). The matrices
/// Q_l = W_{l+1}ᵀW_{l+1}/r_{l+1} − W_lW_lᵀ/r_l (no biases) obey dQ_l/dt = −2γ(W_{l+1}ᵀW_{l+1} −
/// W_lW_lᵀ): conserved without decay; with decay and equal rates r, dQ_l/dt = −2γrQ_l, so Q_l
/// decays as e^{−2γrt} (e^{−2γt} for r = 1). And in V_l = W_l ρ^{1/2}/√r_l with
/// ρ = (Π r_l)^{1/L}, the flow is the plain one (with per-layer decay γ r_l/ρ) on the time ρt.
public struct FlowTerms: Sendable, Equatable {
    /// γ ≥ 0.
    public var weightDecay: Double
    /// r_1 … r_L (input side first), each > 0; nil: every rate 1.
    public var layerRates: [Double]?

    public init(weightDecay: Double = 0, layerRates: [Double]? = nil) {
        (self.weightDecay, self.layerRates) = (weightDecay, layerRates)
    }

    /// Whether the flow is the plain −∇L.
    public var isPlain: Bool { weightDecay == 0 && (layerRates ?? []).allSatisfy { $0 == 1 } }

    /// r_l for l = 1…depth (1 without rates).
    public func rate(ofLayer l: Int) -> Double { layerRates?[l - 1] ?? 1 }

    /// The refusal of a γ or of rates that have no meaning for a chain of `depth` layers.
    public func check(depth: Int) throws(LinflowError) {
        try Self.check(weightDecay: weightDecay)
        if let rates = layerRates {
            try Self.check(layerRates: rates)
            guard rates.count == depth else {
                throw .usage("\(Setting.layerRates) gives \(rates.count) rate\(rates.count == 1 ? "" : "s") for a network of \(depth) weight layer\(depth == 1 ? "" : "s"); give one per layer, input side first")
            }
        }
    }

    public static func check(weightDecay γ: Double) throws(LinflowError) {
        if !(γ >= 0 && γ.isFinite) { throw .usage("\(Setting.weightDecay) must be a finite number >= 0, got \(γ)") }
    }

    public static func check(layerRates rates: [Double]) throws(LinflowError) {
        if let bad = rates.first(where: { !($0 > 0 && $0.isFinite) }) {
            throw .usage("\(Setting.layerRates) must be finite numbers > 0, got \(bad)")
        }
    }

    /// (γ/2) Σ_l ‖W_l‖²_F: what the objective adds to the loss (biases excluded).
    public func penalty(_ weights: Weights) -> Double {
        guard weightDecay > 0 else { return 0 }
        let a = weights.architecture
        var sum = 0.0
        for l in 1...a.depth {
            let start = a.offset(ofLayer: l), (rows, cols) = a.shape(ofLayer: l)
            for i in start..<(start + rows * cols) { sum += weights.flat[i] * weights.flat[i] }
        }
        return 0.5 * weightDecay * sum
    }

    /// Turns −∇L in `v` into the velocity above: v ← r_l (v − γ s) on W_l, r_l v on b_l, with
    /// s = θ for the velocity at θ, or s = the direction for its derivative along a direction
    /// (−H·dθ in `v`: the decay's derivative is −γ dθ, the rates' is linear).
    func apply(to v: UnsafeMutablePointer<Double>, decaying s: UnsafePointer<Double>, architecture a: Architecture) {
        guard !isPlain else { return }
        let γ = weightDecay
        for l in 1...a.depth {
            let r = rate(ofLayer: l), start = a.offset(ofLayer: l), (rows, cols) = a.shape(ofLayer: l)
            let weightsEnd = start + rows * cols, layerEnd = weightsEnd + (a.bias ? rows : 0)
            if γ != 0 {
                for i in start..<weightsEnd { v[i] = r * (v[i] - γ * s[i]) }
            } else if r != 1 {
                for i in start..<weightsEnd { v[i] *= r }
            }
            if r != 1 { for i in weightsEnd..<layerEnd { v[i] *= r } }
        }
    }
}
