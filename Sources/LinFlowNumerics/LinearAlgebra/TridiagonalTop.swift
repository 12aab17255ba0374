/// The largest eigenvalue λ of the k × k symmetric tridiagonal T (α on the diagonal, β_i
/// coupling i and i+1) and s_k², the squared last component of its unit eigenvector, in O(k)
/// per iteration and without allocating: what a Lanczos iteration needs at every step to decide
/// whether to stop (its residual is β_{k+1}|s_k|), where LAPACK's `dstevx` bisects the spectrum.
///
/// The LDLᵀ pivots of T − xI, d_1 = α_1 − x, d_i = α_i − x − β_{i−1}²/d_{i−1}, multiply to
/// p(x) = det(T − xI) = Π_j (λ_j − x); with their x-derivatives d′, d″ (differentiating the
/// recurrence) they give
///
///     G = Σ_j 1/(x − λ_j) = Σ_i d′_i/d_i,    H = Σ_j 1/(x − λ_j)² = Σ_i (d′_i/d_i)² − d″_i/d_i.
///
/// Laguerre's iteration x ← x − k/(G + √((k − 1)(kH − G²))) started above every eigenvalue
/// (Gershgorin's bound max_i α_i + |β_{i−1}| + |β_i|) decreases monotonically to λ_max, cubically
/// near it, because p has only real roots. Since (T − xI)⁻¹_kk = 1/d_k(x) = Σ_j s_{jk}²/(λ_j − x),
/// the pole at λ_max gives s_k² = −1/d′_k(λ_max); d_1 … d_{k−1} stay negative there (the leading
/// blocks' eigenvalues lie below λ_max, by interlacing), so the recurrence divides by nothing small.
///
/// s_k² is accurate when the eigenvector is spread over T (as Lanczos' top Ritz vector is until
/// it converges); when it is concentrated away from the last index (s_k² tiny) the leading
/// blocks have eigenvalues within rounding of λ_max and s_k² may come out too large.
///
/// `leading`, the top eigenvalue of T's leading (k − 1) × (k − 1) block when known (Lanczos has
/// it from the previous step), gives a closer start: T is that block beside α_k plus a coupling
/// of norm |β_{k−1}|, so λ_max ≤ max(leading, α_k) + |β_{k−1}|.
///
/// nil if T is empty or its entries are not finite.
public func tridiagonalTopEigenvalue(diagonal alpha: [Double], offDiagonal beta: [Double],
                                     leading: Double? = nil) -> (value: Double, lastComponentSquared: Double)? {
    let k = alpha.count
    guard k > 0, beta.count >= k - 1 else { return nil }
    if k == 1 { return alpha[0].isFinite ? (alpha[0], 1) : nil }
    var x = -Double.infinity
    for i in 0..<k {
        let left = i > 0 ? abs(beta[i - 1]) : 0, right = i < k - 1 ? abs(beta[i]) : 0
        x = max(x, alpha[i] + left + right)
    }
    if let leading, leading.isFinite {
        // A few ulps up, for the rounding in `leading`.
        let bound = max(leading, alpha[k - 1]) + abs(beta[k - 2])
        x = min(x, bound + 8 * bound.ulp)
    }
    guard x.isFinite else { return nil }
    // A pivot that is exactly zero is nudged as LAPACK's bisection does (pivmin).
    let tiny = Double.leastNormalMagnitude.squareRoot() * max(1, abs(x))
    var lastDerivative = -1.0
    alpha.withUnsafeBufferPointer { alpha in
        beta.withUnsafeBufferPointer { beta in
            for _ in 0..<100 {
                // One division per pivot: 1/d_i serves this term and the next pivot's recurrence.
                var inv = 0.0, d1 = -1.0, d2 = 0.0, g = 0.0, h = 0.0
                for i in 0..<k {
                    var d: Double
                    if i == 0 {
                        d = alpha[0] - x
                    } else {
                        let b2 = beta[i - 1] * beta[i - 1], inv2 = inv * inv
                        let n1 = -1 + b2 * d1 * inv2
                        d2 = b2 * inv2 * (d2 - 2 * d1 * d1 * inv)
                        d1 = n1
                        d = alpha[i] - x - b2 * inv
                    }
                    if d == 0 { d = -tiny }
                    inv = 1 / d
                    let r = d1 * inv
                    g += r
                    h += r * r - d2 * inv
                }
                lastDerivative = d1
                // G ≤ 0: x is not above λ_max but within rounding of it (e.g. Gershgorin's bound,
                // exact for a 1 × 1 block, rounded down); Laguerre's step would head for another root.
                guard g > 0 else { break }
                let n = Double(k)
                let step = n / (g + ((n - 1) * max(0, n * h - g * g)).squareRoot())
                guard step.isFinite, step > 0 else { break }
                x -= step
                // Each iterate stays above λ_max; 1e-14 relative is as close as needed.
                if step <= 1e-14 * abs(x) { break }
            }
        }
    }
    guard x.isFinite, lastDerivative < 0 else { return nil }
    return (x, min(1, -1 / lastDerivative))
}
