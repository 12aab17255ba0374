import Foundation

/// The Marchenko–Pastur law: the limiting eigenvalue distribution of G Gᵀ/k for a p × k matrix
/// G of i.i.d. standard normal entries, as p, k → ∞ with γ = p/k fixed.
///
/// Its continuous part has the density
///
///     ρ(λ) = √((λ₊ − λ)(λ − λ₋)) / (2πγλ)   on [λ₋, λ₊],  λ± = (1 ± √γ)²,
///
/// of mass min(1, 1/γ); for γ > 1 the rest, 1 − 1/γ, is an atom at λ = 0 (G Gᵀ has rank k < p).
/// Its mean is 1 and its second moment 1 + γ, atom included.
public struct MarchenkoPastur: Sendable, Equatable {
    public let ratio: Double

    public init(ratio: Double) {
        precondition(ratio > 0 && ratio.isFinite, "the Marchenko–Pastur ratio must be finite and > 0")
        self.ratio = ratio
    }

    /// The atom at λ = 0: max(0, 1 − 1/γ).
    public var atomAtZero: Double { ratio > 1 ? 1 - 1 / ratio : 0 }

    /// ∫ ρ(λ) g(λ) dλ over the continuous part alone (the atom at 0 is the caller's: g may be
    /// singular there, as 1/λ is).
    ///
    /// With λ(θ) = (1 − √γ)² + 4√γ cos²(θ/2), θ ∈ [0, π] (the same as 1 + γ + 2√γ cos θ, without
    /// the cancellation near λ₋ = 0 at γ = 1), the square root and dλ give
    /// ρ(λ) dλ = 2 sin²θ / (π λ(θ)) dθ, a smooth weight: the integral is done in θ by adaptive
    /// Gauss–Kronrod to a relative `tolerance`.
    public func integral(tolerance: Double = 1e-11, _ g: (Double) -> Double) -> Double {
        let r = ratio.squareRoot(), lower = (1 - r) * (1 - r)
        return GaussKronrod.integral(from: 0, to: Double.pi, tolerance: tolerance) { theta in
            let c = cos(theta / 2), s = sin(theta)
            let lambda = lower + 4 * r * c * c
            return 2 * s * s / (Double.pi * lambda) * g(lambda)
        }
    }
}

/// Adaptive Gauss–Kronrod (7–15 points) quadrature: the interval with the largest error
/// estimate is halved until the estimates sum to at most `tolerance` times the integral's size
/// (or to 1e-300), or 2000 intervals are in use.
enum GaussKronrod {
    // QUADPACK's 15-point Kronrod abscissae (non-negative half) and weights, and the weights of
    // the 7-point Gauss rule on the odd-indexed abscissae.
    static let nodes: [Double] = [0.991455371120812639206854697526329, 0.949107912342758524526189684047851,
                                  0.864864423359769072789712788640926, 0.741531185599394439863864773280788,
                                  0.586087235467691130294144845693013, 0.405845151377397166906606412076961,
                                  0.207784955007898467600689403773245, 0]
    static let kronrodWeights: [Double] = [0.022935322010529224963732008058970, 0.063092092629978553290700663189204,
                                           0.104790010322250183839876322541518, 0.140653259715525918745189590510238,
                                           0.169004726639267902826583426598550, 0.190350578064785409913256402421014,
                                           0.204432940075298892414161999234649, 0.209482141084727828012999174891714]
    static let gaussWeights: [Double] = [0.129484966168869693270611432679082, 0.279705391489276667901467771423780,
                                         0.381830050505118944950369775488975, 0.417959183673469387755102040816327]

    /// (Kronrod estimate, |Kronrod − Gauss|) on [a, b].
    static func rule(_ a: Double, _ b: Double, _ f: (Double) -> Double) -> (value: Double, error: Double) {
        let mid = (a + b) / 2, half = (b - a) / 2
        var kronrod = 0.0, gauss = 0.0
        for i in 0..<nodes.count {
            let values = nodes[i] == 0 ? [f(mid)] : [f(mid - half * nodes[i]), f(mid + half * nodes[i])]
            let sum = values.reduce(0, +)
            kronrod += kronrodWeights[i] * sum
            if i % 2 == 1 { gauss += gaussWeights[i / 2] * sum }
        }
        return (kronrod * half, abs((kronrod - gauss) * half))
    }

    static func integral(from a: Double, to b: Double, tolerance: Double, _ f: (Double) -> Double) -> Double {
        var pieces = [(a: a, b: b, rule: rule(a, b, f))]
        while pieces.count < 2000 {
            let total = pieces.reduce(0.0) { $0 + $1.rule.value }
            let error = pieces.reduce(0.0) { $0 + $1.rule.error }
            if error <= max(tolerance * abs(total), 1e-300) { break }
            let worst = pieces.indices.max { pieces[$0].rule.error < pieces[$1].rule.error }!
            let p = pieces.remove(at: worst), mid = (p.a + p.b) / 2
            pieces.append((p.a, mid, rule(p.a, mid, f)))
            pieces.append((mid, p.b, rule(mid, p.b, f)))
        }
        return pieces.reduce(0.0) { $0 + $1.rule.value }
    }
}
