import Foundation

/// Saxe et al.'s aligned, balanced ("decoupled") start, and the test that a start is one.
///
/// With Σ31 = U S Vᵀ and frames R_0 = V_k, R_1, …, R_{L−1}, R_L = U_k (orthonormal columns), the
/// chain W_l = R_l diag(d) R_{l−1}ᵀ has end-to-end map U_k diag(d^L) V_kᵀ and is balanced. Under
/// the flow with Σ11 = I the frames stay put and only the shared per-layer strength d_α of each
/// mode moves, so the mode strength a_α = d_α^L obeys a scalar ODE (see ``AlignedModeSolution``).
public enum AlignedStart {
    /// ``Initialization/aligned(seed:scale:)``: d_α = a0^{1/L} for the top k = min(n0, nL,
    /// hidden widths) modes of Σ31, hidden frames drawn from `source`.
    static func weights(for architecture: Architecture, sigma31: Matrix, strength a0: Double,
                        source: GaussianSource) throws -> Weights {
        let svd = try SingularValueDecomposition(sigma31)
        let sizes = architecture.sizes, depth = architecture.depth
        let k = min(svd.values.count, sizes[1..<depth].min() ?? Int.max)
        var frames = [svd.v.leadingColumns(k)]
        for l in 1..<depth { frames.append(source.orthonormalColumns(sizes[l], k)) }
        frames.append(svd.u.leadingColumns(k))
        let d = pow(a0, 1 / Double(depth))
        return Weights(architecture: architecture,
                       layers: balancedChain(frames: frames, values: Array(repeating: d, count: k)))
    }

    /// Relative tolerance of the tests below: starts built by linflow pass with margins of
    /// 10⁶ (they are exact to rounding, and CSV files round-trip doubles exactly).
    static let tolerance = 1e-9

    /// The strengths a_α = u_αᵀ W v_α (α = 1…r, r = min(n0, nL), in the basis of `svd` = SVD of
    /// Σ31) of a start that is balanced (every W_{l+1}ᵀW_{l+1} = W_lW_lᵀ) and whose end-to-end map
    /// is U diag(a) Vᵀ with a ≥ 0 — which for a balanced chain makes every layer aligned. Throws
    /// a one-line usage error saying which condition fails.
    public static func modeStrengths(of w: Weights, basis svd: SingularValueDecomposition) throws -> [Double] {
        guard !w.architecture.bias else {
            throw LinflowError.usage("the closed forms are for linear chains; drop \(Setting.bias)")
        }
        let scale = w.layers.map(\.frobeniusNorm).max() ?? 0
        if w.imbalance > tolerance * max(scale * scale, .leastNormalMagnitude) {
            throw LinflowError.usage("the start is not balanced (max ‖W_{l+1}ᵀW_{l+1} − W_lW_lᵀ‖_F = \(w.imbalance)); use \(Setting.start) aligned")
        }
        let map = w.endToEnd
        let a = (0..<svd.values.count).map { (svd.u.transposed * map * svd.v)[$0, $0] }
        let residual = (map - svd.u * Matrix.diagonal(a) * svd.v.transposed).frobeniusNorm
        let size = max(map.frobeniusNorm, .leastNormalMagnitude)
        if residual > tolerance * size {
            throw LinflowError.usage("the start is not aligned with the singular vectors of Σ31 (‖W − U diag(uᵀWv) Vᵀ‖_F = \(residual)); use \(Setting.start) aligned")
        }
        if let bad = a.firstIndex(where: { $0 < -tolerance * size }) {
            throw LinflowError.usage("mode \(bad + 1) starts with a negative strength \(a[bad]); the closed forms need a_α(0) ≥ 0")
        }
        return a.map { max(0, $0) }
    }
}
