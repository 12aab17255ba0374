import Foundation

/// Per-layer rates as a change of variables, which carries every closed form over to them.
///
/// With dW_l/dt = −r_l(∂L/∂W_l + γW_l) (``FlowTerms``), let ρ = (Π_l r_l)^{1/L} and
/// V_l = W_l √(ρ/r_l). The product V_L⋯V_1 = W_L⋯W_1 (the factors multiply to 1), and
/// ∂L/∂W_l = √(ρ/r_l) ∂L/∂V_l (the other layers' factors multiply to √(r_l/ρ)), so
///
///     dV_l/dτ = −∂L/∂V_l − (r_l/ρ) γ V_l   on the time τ = ρt:
///
/// the plain flow of V, slowed or sped up by the geometric mean of the rates. Without decay (or
/// with equal rates, where r_l/ρ = 1) this is the flow the closed forms solve, from the start
/// V(0); with decay and unequal rates each layer decays at its own rate and no form applies.
/// Balance in V, V_{l+1}ᵀV_{l+1} − V_lV_lᵀ = ρ(W_{l+1}ᵀW_{l+1}/r_{l+1} − W_lW_lᵀ/r_l), is balance
/// in the rates' metric: a start λ-balanced in it has V λ-balanced with ρλ. For two layers the
/// time scale is √(r1 r2).
public struct RateMetric: Sendable {
    /// ρ = (Π r_l)^{1/L}, the speed of the plain flow of V.
    public let rho: Double
    /// √(ρ/r_l) for l = 1…L: V_l = W_l · factor.
    public let factors: [Double]

    /// The identity (every rate 1) when `terms` have no rates. Refuses decay with unequal rates.
    public init(_ terms: FlowTerms, depth: Int) throws(LinflowError) {
        let rates = (1...depth).map { terms.rate(ofLayer: $0) }
        let rho = Self.geometricMean(rates)
        self.rho = rho
        factors = rates.map { (rho / $0).squareRoot() }
        if terms.weightDecay > 0, rates.contains(where: { $0 != rates[0] }) {
            throw .usage("with \(Setting.weightDecay) and unequal \(Setting.layerRates) no closed form holds (each layer decays at its own rate γr_l, and balance in the rates' metric is lost); use equal rates or simulate")
        }
    }

    /// (Π r_l)^{1/L}, through logarithms so that many layers' product cannot overflow.
    static func geometricMean(_ r: [Double]) -> Double {
        r.allSatisfy { $0 == r[0] } ? r[0] : exp(r.reduce(0) { $0 + log($1) } / Double(r.count))
    }

    public var isIdentity: Bool { factors.allSatisfy { $0 == 1 } && rho == 1 }

    /// V_l = W_l √(ρ/r_l).
    public func plain(_ w: Weights) -> Weights { scaled(w, by: factors) }

    /// W_l = V_l √(r_l/ρ).
    public func rated(_ v: Weights) -> Weights { scaled(v, by: factors.map { 1 / $0 }) }

    private func scaled(_ w: Weights, by f: [Double]) -> Weights {
        guard !isIdentity else { return w }
        return Weights(architecture: w.architecture, layers: (1...w.architecture.depth).map { f[$0 - 1] * w.layer($0) })
    }
}
