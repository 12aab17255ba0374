#if canImport(Glibc)
import Glibc
#endif
/// The minimiser of the squared-error loss over all linear (or, on x̃ = [x; 1], affine) maps,
/// which every deep linear network converges to from a generic start, its loss (the floor L*)
/// and the excess L(W) − L* of any other map. docs/theory.md, "The floor and the excess",
/// derives what is computed here; in short, with R the R factor of the centred samples
/// (``Correlations/covarianceFactor``, RᵀR = the covariance of z = [x; y]) split as
///
///     R = [R_x  R_xy]          (n0 and nL columns)
///         [ 0   R_yy]
///
/// the affine loss of W̃ = [W b] is exactly
///
///     L(W̃) = ½‖W x̄ + b − ȳ‖² + ½‖R_x Wᵀ − R_xy‖²_F + ½‖R_yy‖²_F,
///
/// so L* = ½‖R_yy‖²_F and L − L* = ½‖W x̄ + b − ȳ‖² + ½‖R_x Wᵀ − R_xy‖²_F (= ½‖R_x(W − W*)ᵀ‖²_F
/// + ½‖mean residual‖²): a sum of squares, never negative, whose terms shrink with W − W* instead
/// of cancelling. Without biases b = 0 and the mean row x̄ᵀ, ȳᵀ is rotated into the triangle
/// (Givens), giving the same form with one more row of the Y-part. W* = R_x⁺R_xy from the SVD
/// of R_x (the minimum-norm minimiser when R_x is singular: then the part of R_xy outside the
/// range of R_x adds to the floor, and the excess is taken of the part inside it), b* = ȳ − W*x̄.
///
/// Correlations given as moments only (no samples, no factor) get the same forms from the
/// eigen-decomposition of the covariance (C11 = VΛVᵀ: R_x ↦ Λ^½Vᵀ, R_xy ↦ Λ^-½VᵀC31ᵀ), and the
/// floor from ``Correlations/loss(endToEnd:)`` at W*.
public struct LeastSquares: Sendable {
    /// W* (outputs × chain inputs); with a constant last input (biases) [W* b*], b* last.
    public let map: Matrix
    public let lossFloor: Double
    /// The rank of the input part (with biases: that of the covariance C11, plus 1 for the constant).
    public let sigma11Rank: Int
    /// A bound on |L* − the exact floor of the samples| from the error analysis of the method
    /// (``FloorErrorModel``), and that of any ε-relative perturbation of the data.
    public let floorErrorBound: Double
    /// How the floor was computed, as `stats` prints it.
    public let formula: String

    /// F_x (k × n) and F_xy (k × nL) with L − L* = ½‖P(F_x Wᵀ − F_xy)‖² (+ ½‖mean residual‖² with biases).
    let inputFactor: Matrix
    let targetFactor: Matrix
    /// U_rᵀ (r × k) when F_x is singular, the projection onto its range; nil otherwise.
    let rangeProjector: Matrix?
    /// With biases (a constant last input): x̄ and ȳ for the mean residual W x̄ + b − ȳ.
    let affineMeans: (x: [Double], y: [Double])?
    /// ½‖r_o‖² for each output o: its share of the floor.
    let floorShares: [Double]
    /// The error model of the samples' factor (nil for moments only).
    let errorModel: FloorErrorModel?

    public var sigma11IsSingular: Bool { sigma11Rank < map.cols }

    public init(_ c: Correlations) throws {
        let affine = c.constantLastInput
        let n = c.inputs - (affine ? 1 : 0), nL = c.outputs
        var fx: Matrix, fxy: Matrix
        // Per output o: ‖r_o‖² (the residual's squares) and the data's scale along v_o = [−w*_o; e_o].
        var residual = [Double](repeating: 0, count: nL)
        let fromSamples: Bool
        if let r = c.covarianceFactor, let mx = c.inputMean, let my = c.outputMean {
            fromSamples = true
            fx = r.block(rows: 0..<n, cols: 0..<n)
            fxy = r.block(rows: 0..<n, cols: n..<(n + nL))
            let ryy = r.block(rows: n..<(n + nL), cols: n..<(n + nL))
            for o in 0..<nL { for i in 0..<nL { residual[o] += ryy[i, o] * ryy[i, o] } }
            if !affine {
                // Without an intercept the mean row [x̄ᵀ ȳᵀ] is part of the data: L(W) =
                // ½‖Wx̄ − ȳ‖² + ½‖R_xWᵀ − R_xy‖² + ½‖R_yy‖². Rotate it into R_x (Givens, row k
                // against the mean row, zeroing its entry k); what is left of its ȳ part is one
                // more row of the residual. The large row (offset data) meets each small one
                // once, in a 2 × 2 rotation whose rounding is relative to each row.
                var rowX = Array(mx.prefix(n)), rowY = my
                for k in 0..<n where rowX[k] != 0 {
                    // hypot, not √(a² + b²): with fewer samples than inputs, R_x has zero rows
                    // (a = 0) and what is left of the mean row can be tiny, whose square underflows
                    // to 0 and would give 0/0.
                    let a = fx[k, k], b = rowX[k], h = hypot(a, b)
                    guard h > 0, h.isFinite else { continue }
                    let cs = a / h, sn = b / h
                    for j in k..<n { let u = fx[k, j], v = rowX[j]; fx[k, j] = cs * u + sn * v; rowX[j] = -sn * u + cs * v }
                    rowX[k] = 0
                    for o in 0..<nL { let u = fxy[k, o], v = rowY[o]; fxy[k, o] = cs * u + sn * v; rowY[o] = -sn * u + cs * v }
                }
                for o in 0..<nL { residual[o] += rowY[o] * rowY[o] }
            }
        } else {
            fromSamples = false
            // Moments only: the covariance (affine) or Σ11 (linear) as VΛVᵀ.
            let s11 = affine ? c.covariance11.block(rows: 0..<n, cols: 0..<n) : c.sigma11
            let s31 = affine ? c.covariance31.block(rows: 0..<nL, cols: 0..<n) : c.sigma31
            let (values, v) = try symmetricEigenDivideAndConquer(s11)
            let tol = Double(n) * Double.ulpOfOne * max(values.first ?? 0, 0)
            let k = values.prefix { $0 > tol }.count
            fx = Matrix(rows: k, cols: n)
            fxy = Matrix(rows: k, cols: nL)
            for i in 0..<k {
                let root = values[i].squareRoot()
                for j in 0..<n { fx[i, j] = root * v[j, i] }
                for o in 0..<nL {
                    var s = 0.0
                    for j in 0..<n { s += v[j, i] * s31[o, j] }
                    fxy[i, o] = s / root
                }
            }
        }
        // Rows of F_x below the rank cut's own threshold (max(N, n)·ε·‖F_x‖_F ≥ that of the SVD
        // below) span nothing the cut would keep: their F_xy part is floor, as the SVD would make
        // it. With fewer samples than inputs every row past about N is such a row (rounding of
        // zero), and dropping them makes the SVD O(N²n) instead of O(n³).
        if fromSamples && fx.rows > 1 {
            let tol = Double(max(c.sampleCount, n)) * Double.ulpOfOne * fx.frobeniusNorm
            let norms = (0..<fx.rows).map { r in (0..<fx.cols).reduce(0.0) { $0 + fx[r, $1] * fx[r, $1] }.squareRoot() }
            let kept = norms.indices.filter { norms[$0] > tol }
            if kept.count < fx.rows {
                for r in norms.indices where norms[r] <= tol { for o in 0..<nL { residual[o] += fxy[r, o] * fxy[r, o] } }
                fx = fx.selectingRows(kept)
                fxy = fxy.selectingRows(kept)
            }
        }
        // W* = F_x⁺ F_xy by the SVD of F_x, ranks below max(N, n)·ε·σ_max cut (numpy lstsq's rcond).
        let svd = try singularValueDecompositionLAPACK(fx)
        let sMax = svd.values.first ?? 0
        let tol = fromSamples ? Double(max(c.sampleCount, n)) * Double.ulpOfOne * sMax : 0
        let rank = sMax > 0 ? svd.values.prefix { $0 > tol }.count : 0
        let ut = svd.u.transposed * fxy  // k' × nL
        var wt = Matrix(rows: n, cols: nL)  // W*ᵀ = V_r S_r⁻¹ (U_rᵀ F_xy)
        for i in 0..<rank {
            for j in 0..<n { for o in 0..<nL { wt[j, o] += svd.v[j, i] * ut[i, o] / svd.values[i] } }
        }
        // The part of F_xy outside the range of F_x: unreachable by any W, so it is floor.
        var projector: Matrix? = nil
        if fromSamples {
            for i in rank..<ut.rows { for o in 0..<nL { residual[o] += ut[i, o] * ut[i, o] } }
            if rank < fx.rows { projector = svd.u.block(rows: 0..<fx.rows, cols: 0..<rank).transposed }
        }
        var w = wt.transposed
        if affine, let mx = c.inputMean, let my = c.outputMean {
            var full = Matrix(rows: nL, cols: n + 1)
            for o in 0..<nL {
                var b = my[o]
                for j in 0..<n { full[o, j] = w[o, j]; b -= w[o, j] * mx[j] }
                full[o, n] = b
            }
            w = full
            affineMeans = (Array(mx.prefix(n)), my)
        } else {
            affineMeans = nil
        }
        map = w
        sigma11Rank = rank + (affine ? 1 : 0)
        inputFactor = fx
        targetFactor = fxy
        rangeProjector = projector
        if fromSamples {
            lossFloor = 0.5 * residual.reduce(0, +)
            let model = FloorErrorModel(correlations: c, inputs: n)
            errorModel = model
            floorShares = residual.map { 0.5 * $0 }
            floorErrorBound = model.bound(lossShares: floorShares, map: w)
            formula = affine
                ? "L* = ½‖R_yy‖²_F, R = [R_x R_xy; 0 R_yy] the R factor of the centred samples (TSQR), RᵀR = Cov[x; y]"
                : "L* = ½(‖R_yy‖²_F + ‖r‖²), R = [R_x R_xy; 0 R_yy] the R factor of the centred samples (TSQR), RᵀR = Cov[x; y], r what is left of [x̄ᵀ ȳᵀ] after rotating it into R_x"
        } else {
            lossFloor = c.loss(endToEnd: w)
            // Moments rounded to doubles: ε·(tr C33 + ‖W*‖²‖C11‖) per entry, times the size.
            let scale = c.traceCovariance33 + w.storage.reduce(0) { $0 + $1 * $1 } * c.covariance11.frobeniusNorm
            floorErrorBound = Double(n + nL) * Double.ulpOfOne * scale
            errorModel = nil
            floorShares = []
            formula = "L* = L(W*) in centred moment form, ½(tr C33 − 2tr(W*C31ᵀ) + tr(W*C11W*ᵀ)) + ½‖ȳ − W*x̄‖² (moments only: no samples)"
        }
    }

    /// L(W) − L* for an end-to-end map W (with biases [W b]), as the sum of squares above: ≥ 0, and
    /// with its relative digits near W* (no difference of two losses is taken).
    public func excess(endToEnd w: Matrix) -> Double {
        0.5 * excessSquares(w).reduce(0, +)
    }

    /// 2 × the excess of each output's row of W.
    private func excessSquares(_ w: Matrix) -> [Double] {
        let n = inputFactor.cols, nL = targetFactor.cols
        precondition(w.rows == nL && w.cols == n + (affineMeans == nil ? 0 : 1))
        // T = F_x Wᵀ − F_xy (W's first n columns).
        var t = targetFactor
        for i in 0..<t.rows {
            for o in 0..<nL {
                var s = -t[i, o]
                for j in 0..<n { s += inputFactor[i, j] * w[o, j] }
                t[i, o] = s
            }
        }
        if let p = rangeProjector { t = p * t }
        var squares = [Double](repeating: 0, count: nL)
        for i in 0..<t.rows { for o in 0..<nL { squares[o] += t[i, o] * t[i, o] } }
        if let (mx, my) = affineMeans {
            for o in 0..<nL {
                var m = w[o, n] - my[o]
                for j in 0..<n { m += w[o, j] * mx[j] }
                squares[o] += m * m
            }
        }
        return squares
    }

    /// A bound on the error of ``loss(endToEnd:)`` against the exact loss of the samples, from the
    /// same analysis as ``floorErrorBound`` (``FloorErrorModel``) with the residual and W at `w`
    /// in place of those at W*; nil for correlations given as moments only.
    public func lossErrorBound(endToEnd w: Matrix) -> Double? {
        guard let errorModel else { return nil }
        let shares = zip(floorShares, excessSquares(w)).map { $0 + 0.5 * $1 }
        return errorModel.bound(lossShares: shares, map: w)
    }

    /// L(W) = L* + (L − L*): never below the floor (a + b ≥ a in floating point for b ≥ 0), and
    /// the `loss` column of every trajectory (docs/theory.md, "The floor and the excess").
    public func loss(endToEnd w: Matrix) -> (loss: Double, excess: Double) {
        let e = excess(endToEnd: w)
        return (lossFloor + e, e)
    }
}

/// The error analysis behind ``LeastSquares/floorErrorBound``, kept in one place so the tests
/// use the same bound the library states.
///
/// Householder QR (here a TSQR, one `dtplqt` per block) is backward stable column by column:
/// the computed R is the exact R factor of samples A + ΔA with ‖Δa_j‖ ≤ η‖a_j‖ for each column
/// a_j of the shifted data (Higham, *Accuracy and Stability of Numerical Algorithms*, Thm 19.4).
/// The worst-case η grows like (rows · columns)·u; rounding errors that behave as independent
/// random variables give √(rows · columns)·u with high probability (Higham & Mary, SIAM J. Sci.
/// Comput. 41 (2019) A2815, "A new approach to probabilistic rounding error analysis"), which is
/// the model used: η = λ·√(N·p)·u with λ = 4 (a bound exceeded with probability ~ e^(−λ²/2)·…).
/// The floor L* = ½Σ_o‖r_o‖² (r_o = Y_o − X w*_o, everything over √N) moves to first order by
/// ⟨r_o, ΔY_o − ΔX w*_o⟩ (the change of W* does not enter: r_o ⊥ range X), so
///
///     |ΔL*| ≤ η · Σ_o ‖r_o‖ · (‖y_o‖ + Σ_j |w*_oj| ‖x_j‖)
///
/// — the floor's condition number with respect to column-relative perturbations, Σ_o‖r_o‖·s_o/L*,
/// times ε times the scale: large where W* is large (a near-copy of a column: w* ~ 10⁴ along the
/// difference). Without biases the mean row [x̄ ȳ] enters the same way with its own rounding
/// (the means are sums of N terms, η relative to ‖mean‖): ‖x_j‖ and ‖y_o‖ are then the norms of
/// the raw columns, √(C_jj + mean_j²).
public struct FloorErrorModel: Sendable {
    /// η: the column-relative backward error assumed of the factor.
    public let eta: Double
    /// ‖a_j‖/√N for the chain's n inputs and then the outputs: the columns as the factor saw
    /// them (shifted by the first sample) with biases; without, the larger of that and the raw
    /// column's RMS √(C_jj + mean_j²), since the mean row joins the problem.
    public let columnNorms: [Double]
    /// With biases: x̄, ȳ, for the rounding of the mean residual W x̄ + b − ȳ.
    let affineMeans: (x: [Double], y: [Double])?
    let inputs: Int

    public init(correlations c: Correlations, inputs n: Int) {
        let r = c.covarianceFactor!, mx = c.inputMean!, my = c.outputMean!
        eta = Self.eta(sampleCount: c.sampleCount, columns: r.cols)
        inputs = n
        let shifted = c.factorColumnNorms ?? (0..<r.cols).map { j in (0...j).reduce(0) { $0 + r[$1, j] * r[$1, j] }.squareRoot() }
        if c.constantLastInput {
            columnNorms = shifted
            affineMeans = (Array(mx.prefix(n)), my)
        } else {
            columnNorms = (0..<r.cols).map { j in
                let m = j < n ? mx[j] : my[j - n]
                let raw = ((0...j).reduce(0) { $0 + r[$1, j] * r[$1, j] } + m * m).squareRoot()
                return max(raw, shifted[j])
            }
            affineMeans = nil
        }
    }

    /// η = λ√(N·p)·u, λ = 4, u = ε/2 (the probabilistic bound above).
    public static func eta(sampleCount: Int, columns: Int) -> Double {
        4 * (Double(max(sampleCount, 1)) * Double(max(columns, 1))).squareRoot() * Double.ulpOfOne / 2
    }

    /// η Σ_o √(2 L_o) (‖y_o‖ + Σ_j |w_oj| ‖x_j‖) for the per-output losses `lossShares` at the map
    /// `w` (outputs × chain inputs; with biases the intercept, last, multiplies the exact ones
    /// column, which the factor took as the first: it adds no term), plus with biases the
    /// rounding of the mean residual m_o = w_o·x̄ + b_o − ȳ_o: (n + 2)·u·|m_o|(|ȳ_o| + |b_o| + Σ|w_oj x̄_j|).
    public func bound(lossShares: [Double], map w: Matrix) -> Double {
        let n = inputs
        var total = 0.0
        for o in 0..<lossShares.count {
            var scale = columnNorms[n + o]
            for j in 0..<n { scale += abs(w[o, j]) * columnNorms[j] }
            total += eta * (2 * lossShares[o]).squareRoot() * scale
            if let (mx, my) = affineMeans {
                var m = w[o, n] - my[o], size = abs(my[o]) + abs(w[o, n])
                for j in 0..<n { m += w[o, j] * mx[j]; size += abs(w[o, j] * mx[j]) }
                total += Double(n + 2) * Double.ulpOfOne * abs(m) * size
            }
        }
        return total
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
    /// This is the form the gradient evaluation reads off (``GradientFlow/lossAtLastEvaluation``);
    /// the written `loss` column is L* + excess (``LeastSquares/loss(endToEnd:)``).
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

    /// L* + (L − L*) from ``LeastSquares``: the loss every command writes, never below the floor.
    public func loss(endToEnd w: Matrix, leastSquares ls: LeastSquares) -> Double {
        ls.loss(endToEnd: w).loss
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

private extension Matrix {
    /// The rows at `indices`, in that order.
    func selectingRows(_ indices: [Int]) -> Matrix {
        var m = Matrix(rows: indices.count, cols: cols)
        for (i, r) in indices.enumerated() { for c in 0..<cols { m[i, c] = self[r, c] } }
        return m
    }
}
