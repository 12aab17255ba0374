/// The minimiser of the squared-error loss over all linear maps, which every deep linear
/// network converges to from a generic start:
///
///     W* = Σ31 Σ11⁺          L* = L(W*)
///
/// Σ11⁺ is the pseudo-inverse; when Σ11 is singular W* is the minimum-norm minimiser. The floor
/// is the loss of that W* in the centred form of ``Correlations/loss(endToEnd:)``, not
/// ½(tr Σ33 − tr(W*Σ31ᵀ)): that difference of two large numbers lost the last seven digits on
/// inputs of 1000 ± 1, and could come out below what any weights reach.
public struct LeastSquares: Sendable {
    public let map: Matrix
    public let lossFloor: Double
    public let sigma11Rank: Int

    public var sigma11IsSingular: Bool { sigma11Rank < map.cols }

    public init(_ c: Correlations) throws {
        // Σ11 is symmetric positive semidefinite: its pseudo-inverse from the symmetric
        // eigen-decomposition, several times cheaper than the Jacobi SVD at 784 inputs.
        let (pinv, rank) = try c.sigma11.symmetricPseudoInverse()
        let w = c.sigma31 * pinv
        map = w
        sigma11Rank = rank
        lossFloor = c.loss(endToEnd: w)
    }
}

extension Correlations {
    /// L(W) = 1/(2N) Σₙ ‖yₙ − W xₙ‖² for an end-to-end map W, in centred form:
    ///
    ///     L(W) = ½(tr C33 − 2 tr(W C31ᵀ) + tr(W C11 Wᵀ)) + ½‖E[y] − W E[x]‖²
    ///
    /// (the mean residual apart). Every term is of the size of the variances, not of the raw
    /// second moments, so nothing cancels that the data do not make small. Rounding can only
    /// make the result negative where the exact loss is 0; it is clamped there (a NaN stays NaN).
    public func loss(endToEnd w: Matrix) -> Double {
        precondition(w.rows == outputs && w.cols == inputs)
        let wc = w * covariance11
        var a = 0.0, q = 0.0
        for i in 0..<w.storage.count {
            a += w.storage[i] * covariance31.storage[i]
            q += wc.storage[i] * w.storage[i]
        }
        let l = 0.5 * (traceCovariance33 - 2 * a + q) + 0.5 * meanResidualSquared(w.storage)
        return l.isNaN ? l : max(0, l)
    }

    /// ‖E[y] − W E[x]‖² (0 when the means are not known: then C = Σ and the form above is the raw one).
    func meanResidualSquared(_ w: [Double]) -> Double {
        guard let mx = inputMean, let my = outputMean else { return 0 }
        var s = 0.0
        for o in 0..<outputs {
            var r = my[o]
            for i in 0..<inputs { r -= w[o * inputs + i] * mx[i] }
            s += r * r
        }
        return s
    }

    /// The same L(W); `ls` is no longer needed (the form through L* and W* lost digits), kept
    /// so that callers holding a ``LeastSquares`` read alike.
    public func loss(endToEnd w: Matrix, leastSquares ls: LeastSquares) -> Double {
        loss(endToEnd: w)
    }

    /// The literal ½(tr Σ33 − 2 tr(W Σ31ᵀ) + tr(W Σ11 Wᵀ)) on the uncentred moments, kept for cross-checks.
    public func lossDirect(endToEnd w: Matrix) -> Double {
        var a = 0.0
        for i in 0..<w.storage.count { a += w.storage[i] * sigma31.storage[i] }
        let ws = w * sigma11
        var b = 0.0
        for i in 0..<w.storage.count { b += ws.storage[i] * w.storage[i] }
        return 0.5 * (traceSigma33 - 2 * a + b)
    }
}
