/// The largest eigenvalue λ of the k × k symmetric tridiagonal T (α on the diagonal, β_i
/// coupling i and i+1) and s_k², the squared last component of its unit eigenvector, in O(k)
/// per iteration and without heap allocation: what a Lanczos iteration needs at every step to
/// decide whether to stop (its residual is β_{k+1}|s_k|), where LAPACK's `dstevx` bisects.
///
/// The LDLᵀ pivots of T − xI, d_1 = α_1 − x, d_i = α_i − x − β_{i−1}²/d_{i−1}, multiply to
/// p(x) = det(T − xI) = Π_j (λ_j − x); with their x-derivatives d′, d″ (differentiating the
/// recurrence) they give
///
///     G = Σ_j 1/(x − λ_j) = Σ_i d′_i/d_i,    H = Σ_j 1/(x − λ_j)² = Σ_i (d′_i/d_i)² − d″_i/d_i.
///
/// Laguerre's iteration x ← x − k/(G + √((k − 1)(kH − G²))) started above every eigenvalue
/// (Gershgorin's bound max_i α_i + |β_{i−1}| + |β_i|) decreases monotonically to λ_max, cubically
/// near it, because p has only real roots. The eigenvector then comes from two steps of inverse
/// iteration, (T − λI) y = previous y, by Gaussian elimination with partial pivoting (LAPACK's
/// dgttrf/dgttrs, O(k)): accurate also when it is concentrated away from the last index and s_k
/// is tiny, which is how Lanczos' Ritz vector looks once it has converged.
///
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
    guard x.isFinite else { return nil }
    return (x, lastComponentSquared(diagonal: alpha, offDiagonal: beta, eigenvalue: x))
}

/// s_k² of the unit eigenvector of T for the eigenvalue `lambda` (accurate to rounding), by two
/// steps of inverse iteration from a fixed vector with partial pivoting; an exactly singular
/// pivot is replaced by ε‖T‖, as LAPACK's dstein does.
func lastComponentSquared(diagonal alpha: [Double], offDiagonal beta: [Double], eigenvalue lambda: Double) -> Double {
    let k = alpha.count
    var scale = 0.0
    for i in 0..<k { scale = max(scale, abs(alpha[i] - lambda) + (i > 0 ? abs(beta[i - 1]) : 0) + (i < k - 1 ? abs(beta[i]) : 0)) }
    let floor = Double.ulpOfOne * max(scale, .leastNormalMagnitude)
    return withUnsafeTemporaryAllocation(of: Double.self, capacity: 5 * k) { work in
        let d = work.baseAddress!, lower = d + k, upper = lower + k, upper2 = upper + k, y = upper2 + k
        var swapped = [Bool](repeating: false, count: max(0, k - 1))
        // LU of T − λI with row interchanges: U has d, upper and upper2; L the multipliers in lower.
        for i in 0..<k {
            d[i] = alpha[i] - lambda
            if i < k - 1 { (lower[i], upper[i]) = (beta[i], beta[i]) }
            upper2[i] = 0
            // A start with no special relation to T's eigenvectors.
            y[i] = 1 + Double(i % 7) / 7
        }
        for i in 0..<max(0, k - 1) {
            if abs(d[i]) >= abs(lower[i]) {
                if d[i] == 0 { d[i] = floor }
                let m = lower[i] / d[i]
                lower[i] = m
                d[i + 1] -= m * upper[i]
            } else {
                let m = d[i] / lower[i]
                d[i] = lower[i]
                lower[i] = m
                let t = upper[i]
                upper[i] = d[i + 1]
                d[i + 1] = t - m * d[i + 1]
                if i < k - 2 {
                    upper2[i] = upper[i + 1]
                    upper[i + 1] = -m * upper[i + 1]
                }
                swapped[i] = true
            }
        }
        if d[k - 1] == 0 { d[k - 1] = floor }
        for i in 0..<k where abs(d[i]) < floor { d[i] = d[i] < 0 ? -floor : floor }
        var last2 = 1.0
        for _ in 0..<2 {
            for i in 0..<max(0, k - 1) {
                if swapped[i] {
                    let t = y[i]
                    y[i] = y[i + 1]
                    y[i + 1] = t - lower[i] * y[i]
                } else {
                    y[i + 1] -= lower[i] * y[i]
                }
            }
            for i in stride(from: k - 1, through: 0, by: -1) {
                var v = y[i]
                if i + 1 < k { v -= upper[i] * y[i + 1] }
                if i + 2 < k { v -= upper2[i] * y[i + 2] }
                y[i] = v / d[i]
            }
            var largest = 0.0
            for i in 0..<k { largest = max(largest, abs(y[i])) }
            guard largest > 0, largest.isFinite else { return 1 }
            var norm2 = 0.0
            for i in 0..<k {
                y[i] /= largest
                norm2 += y[i] * y[i]
            }
            last2 = y[k - 1] * y[k - 1] / norm2
        }
        return last2
    }
}
