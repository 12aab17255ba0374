/// A bound on ‖H(W′) − H(W)‖₂, how far the Hessian of the loss of a linear chain (no biases)
/// can move between two weights, from norms alone; by Weyl's inequality every eigenvalue, λ_max
/// included, moves at most that much. ``SharpnessEstimator`` reuses an estimate while the bound
/// plus that estimate's residual stays within its tolerance.
///
/// With L = ½ tr Σ33 − tr(Σ31ᵀP) + ½ tr(PΣ11Pᵀ), P = W_L ⋯ W_1 and E = Σ31 − PΣ11, the
/// Hessian's quadratic form along V = (V_1, …, V_L), ‖V‖_F = 1, is
///
///     H[V, V] = tr(P₁Σ11P₁ᵀ) − 2⟨E, P₂⟩,   P₁ = Σ_l W_L⋯V_l⋯W_1,   P₂ = Σ_{l<m} W_L⋯V_m⋯V_l⋯W_1,
///
/// the first- and second-order terms of P along V. With a_j ≥ ‖W_j‖₂, δ_j ≥ ‖W′_j − W_j‖_F,
/// b_j = a_j + δ_j, Π_S(x) = Π_{j∈S} x_j and D_S = Π_S(b) − Π_S(a) (which bounds the change of a
/// product over S, expanding it in the differences), σ ≥ ‖Σ11‖₂ and v_l = ‖V_l‖_F:
///
///     ‖P₁‖_F ≤ Σ_l v_l Π_{¬l}(a) ≤ c₁ = (Σ_l Π_{¬l}(a)²)^½,  likewise c₁′ with b, and d₁ with D_{¬l} for P₁′ − P₁;
///     ‖P₂‖_F ≤ Σ_{l<m} v_l v_m Π_{¬lm}(b) ≤ c₂′ = (Σ_{l<m} Π_{¬lm}(b)²/2)^½, and d₂ with D_{¬lm} for P₂′ − P₂;
///     ‖P′ − P‖_F ≤ D_all,   ‖E′ − E‖_F ≤ σ D_all,
///
/// so, as tr(AΣAᵀ) − tr(BΣBᵀ) = tr((A − B)Σ(A + B)ᵀ) and ⟨E′, P₂′⟩ − ⟨E, P₂⟩ = ⟨E′ − E, P₂′⟩ + ⟨E, P₂′ − P₂⟩,
///
///     ‖H(W′) − H(W)‖₂ ≤ σ d₁ (c₁ + c₁′) + 2(σ D_all c₂′ + ‖E‖_F d₂).
///
/// For one layer H is constant (every D vanishes); for two, P₂ = V_2V_1 does not change (d₂ = 0).
/// Every norm is a cheap upper bound: ‖W‖₂ ≤ min(‖W‖_F, (‖W‖₁‖W‖_∞)^½), ‖Σ11‖₂ ≤ min(tr, ‖·‖_∞).
public struct HessianDrift: Sendable {
    /// W's layers and the quantities of the bound that depend only on W.
    public struct Anchor: Sendable {
        let layers: [[Double]]
        let norms: [Double]
        /// ‖E‖_F at W, plus an allowance for its rounding.
        let residualNorm: Double
    }

    let shapes: [(rows: Int, cols: Int)]
    let offsets: [Int]
    let sigma11: Matrix, sigma31: Matrix
    /// σ ≥ ‖Σ11‖₂.
    let sigmaNorm: Double

    /// nil for a chain with biases (its Hessian is that of the augmented chain, which this bound
    /// does not cover).
    public init?(flow: GradientFlow) {
        let a = flow.architecture
        guard !a.bias else { return nil }
        shapes = (1...a.depth).map { a.shape(ofLayer: $0) }
        offsets = (1...a.depth).map { a.offset(ofLayer: $0) }
        let s11 = flow.correlations.sigma11
        (sigma11, sigma31) = (s11, flow.correlations.sigma31)
        let rows = (0..<s11.rows).map { i in (0..<s11.cols).reduce(0.0) { $0 + abs(s11[i, $1]) } }
        sigmaNorm = min(s11.trace, rows.max() ?? 0)
    }

    /// ‖W‖₂ ≤ min(‖W‖_F, √(‖W‖₁‖W‖_∞)) for a row-major rows × cols block.
    static func spectralBound(_ w: ArraySlice<Double>, rows: Int, cols: Int) -> Double {
        var frobenius = 0.0, rowSums = [Double](repeating: 0, count: rows), colSums = [Double](repeating: 0, count: cols)
        for i in 0..<rows {
            for j in 0..<cols {
                let x = w[w.startIndex + i * cols + j]
                frobenius += x * x
                rowSums[i] += abs(x)
                colSums[j] += abs(x)
            }
        }
        return min(frobenius.squareRoot(), ((rowSums.max() ?? 0) * (colSums.max() ?? 0)).squareRoot())
    }

    public func anchor(at weights: Weights) -> Anchor {
        let layers = zip(shapes, offsets).map { s, o in Array(weights.flat[o..<o + s.rows * s.cols]) }
        let norms = zip(shapes, layers).map { s, w in Self.spectralBound(w[...], rows: s.rows, cols: s.cols) }
        let p = weights.endToEnd
        let e = (sigma31 - p * sigma11).frobeniusNorm
        // E is a difference of numbers up to ‖Σ31‖ and ‖P‖‖Σ11‖ in size: allow for its rounding.
        let size = sigma31.frobeniusNorm + p.frobeniusNorm * sigma11.frobeniusNorm
        let rounding = 1e-13 * Double(max(sigma11.rows, 1) + norms.count) * size
        return Anchor(layers: layers, norms: norms, residualNorm: e + rounding)
    }

    /// A bound on ‖H(weights) − H(anchor)‖₂.
    public func bound(from anchor: Anchor, to weights: Weights) -> Double {
        let depth = shapes.count
        let a = anchor.norms
        var b = a
        for l in 0..<depth {
            let o = offsets[l], w = anchor.layers[l]
            var d2 = 0.0
            weights.flat.withUnsafeBufferPointer { x in
                for i in 0..<w.count {
                    let d = x[o + i] - w[i]
                    d2 += d * d
                }
            }
            b[l] += d2.squareRoot()
        }
        // Products over the layers but l and m (−1: none).
        func product(_ x: [Double], without l: Int, _ m: Int = -1) -> Double {
            var p = 1.0
            for j in 0..<depth where j != l && j != m { p *= x[j] }
            return p
        }
        func change(without l: Int, _ m: Int = -1) -> Double { product(b, without: l, m) - product(a, without: l, m) }
        func squared(_ x: Double) -> Double { x * x }
        var c1 = 0.0, c1b = 0.0, d1 = 0.0, c2b = 0.0, d2 = 0.0
        for l in 0..<depth {
            c1 += squared(product(a, without: l))
            c1b += squared(product(b, without: l))
            d1 += squared(change(without: l))
            for m in l + 1..<depth {
                c2b += squared(product(b, without: l, m)) / 2
                d2 += squared(change(without: l, m)) / 2
            }
        }
        let first = sigmaNorm * d1.squareRoot() * (c1.squareRoot() + c1b.squareRoot())
        let second = 2 * (sigmaNorm * change(without: -1) * c2b.squareRoot() + anchor.residualNorm * d2.squareRoot())
        return first + second
    }
}
