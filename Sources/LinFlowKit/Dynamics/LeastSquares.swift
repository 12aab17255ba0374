/// The minimiser of the squared-error loss over all linear maps, which every deep linear
/// network converges to from a generic start:
///
///     W* = Σ31 Σ11⁺          L* = ½(tr Σ33 − tr(W* Σ31ᵀ))
///
/// Σ11⁺ is the pseudo-inverse; when Σ11 is singular W* is the minimum-norm minimiser.
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
        var t = 0.0
        for i in 0..<w.storage.count { t += w.storage[i] * c.sigma31.storage[i] }
        // Clamp the rounding error of a cancellation that is exactly zero in exact arithmetic.
        lossFloor = max(0, 0.5 * (c.traceSigma33 - t))
    }
}

extension Correlations {
    /// L(W) for an end-to-end map W, as L* + ½ tr((W − W*) Σ11 (W − W*)ᵀ).
    ///
    /// This equals ½(tr Σ33 − 2 tr(W Σ31ᵀ) + tr(W Σ11 Wᵀ)) because Σ31 = W*Σ11 (the rows of
    /// Σ31 lie in the row space of Σ11), but it does not lose the excess loss to cancellation
    /// against tr Σ33 when W is close to W*.
    public func loss(endToEnd w: Matrix, leastSquares ls: LeastSquares) -> Double {
        ls.lossFloor + excessLoss(endToEnd: w, leastSquares: ls)
    }

    /// ½ tr((W − W*) Σ11 (W − W*)ᵀ) ≥ 0; NaN stays NaN (Swift's max(0, .nan) is 0, which
    /// would turn a diverged map into the floor).
    public func excessLoss(endToEnd w: Matrix, leastSquares ls: LeastSquares) -> Double {
        let d = w - ls.map
        let ds = d * sigma11
        var t = 0.0
        for i in 0..<d.storage.count { t += ds.storage[i] * d.storage[i] }
        return 0.5 * (t.isNaN ? t : max(0, t))
    }

    /// The literal ½(tr Σ33 − 2 tr(W Σ31ᵀ) + tr(W Σ11 Wᵀ)), kept for cross-checks.
    public func lossDirect(endToEnd w: Matrix) -> Double {
        var a = 0.0
        for i in 0..<w.storage.count { a += w.storage[i] * sigma31.storage[i] }
        let ws = w * sigma11
        var b = 0.0
        for i in 0..<w.storage.count { b += ws.storage[i] * w.storage[i] }
        return 0.5 * (traceSigma33 - 2 * a + b)
    }
}
