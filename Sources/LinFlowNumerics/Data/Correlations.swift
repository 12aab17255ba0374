/// The sufficient statistics of squared-error regression on a dataset {(xₙ, yₙ)}, n = 1…N:
///
///     Σ11 = 1/N Σₙ xₙ xₙᵀ   (inputs × inputs)
///     Σ31 = 1/N Σₙ yₙ xₙᵀ   (outputs × inputs)
///     tr Σ33 = 1/N Σₙ ‖yₙ‖²
///
/// With them the loss L(W) = 1/(2N) Σₙ ‖yₙ − W xₙ‖² = ½(tr Σ33 − 2 tr(W Σ31ᵀ) + tr(W Σ11 Wᵀ))
/// and its gradient need no further pass over the data. The means E[x], E[y] are kept as well
/// (when known) for networks with biases, which need the correlations of x̃ = [x; 1]
/// (``augmented()``).
///
/// The centred moments C11 = Σ11 − E[x]E[x]ᵀ, C31 = Σ31 − E[y]E[x]ᵀ, tr C33 = tr Σ33 − ‖E[y]‖² are
/// kept beside them (formed without the cancellation, ``CorrelationAccumulator``), because the
/// loss and the gradient are computed from them (``loss(endToEnd:)``): on inputs such as
/// 1000 ± 1 the uncentred forms lose six digits before any arithmetic on them starts.
///
/// Read from samples, they also carry the R factor of the centred samples
/// (``covarianceFactor``), from which the least-squares map, the floor and the excess loss are
/// computed (``LeastSquares``, docs/theory.md "The floor and the excess").
public struct Correlations: Equatable, Sendable {
    public let sampleCount: Int
    public let sigma11: Matrix
    public let sigma31: Matrix
    public let traceSigma33: Double
    /// E[x] = 1/N Σₙ xₙ, nil when the correlations were given without it.
    public let inputMean: [Double]?
    /// E[y] = 1/N Σₙ yₙ, nil when the correlations were given without it.
    public let outputMean: [Double]?
    /// C11 = E[(x − E[x])(x − E[x])ᵀ] (Σ11 itself when the means are not known).
    public let covariance11: Matrix
    /// C31 = E[(y − E[y])(x − E[x])ᵀ] (Σ31 itself when the means are not known).
    public let covariance31: Matrix
    /// tr C33 = E‖y − E[y]‖² (tr Σ33 when the means are not known).
    public let traceCovariance33: Double
    /// The upper-triangular R (p × p, p = inputs + outputs of the data, before ``augmented()``)
    /// with RᵀR = E[(z − E[z])(z − E[z])ᵀ] for z = [x; y]: the R factor of the centred samples
    /// [X − 1x̄ᵀ, Y − 1ȳᵀ]/√N, taken by a Householder TSQR in the streaming pass
    /// (``CorrelationAccumulator``). Nil when the correlations were given as moments.
    public let covarianceFactor: Matrix?
    /// With ``covarianceFactor``: the RMS of each column of the samples as the factor saw them
    /// (shifted by the first sample), the scale of its backward error (``FloorErrorModel``).
    public let factorColumnNorms: [Double]?
    /// True for the correlations of x̃ = [x; 1] (``augmented()``): the last input is the constant 1.
    public let constantLastInput: Bool

    public var inputs: Int { sigma11.rows }
    public var outputs: Int { sigma31.rows }

    public init(sampleCount: Int, sigma11: Matrix, sigma31: Matrix, traceSigma33: Double,
                inputMean: [Double]? = nil, outputMean: [Double]? = nil) {
        precondition(sigma11.rows == sigma11.cols && sigma31.cols == sigma11.cols)
        covarianceFactor = nil
        factorColumnNorms = nil
        constantLastInput = false
        precondition(inputMean.map { $0.count == sigma11.rows } ?? true && outputMean.map { $0.count == sigma31.rows } ?? true)
        self.sampleCount = sampleCount
        self.sigma11 = sigma11
        self.sigma31 = sigma31
        self.traceSigma33 = traceSigma33
        self.inputMean = inputMean
        self.outputMean = outputMean
        if let mx = inputMean, let my = outputMean {
            covariance11 = sigma11 - Matrix(rows: mx.count, cols: mx.count, storage: mx.flatMap { a in mx.map { a * $0 } })
            covariance31 = sigma31 - Matrix(rows: my.count, cols: mx.count, storage: my.flatMap { a in mx.map { a * $0 } })
            traceCovariance33 = traceSigma33 - my.reduce(0) { $0 + $1 * $1 }
        } else {
            (covariance11, covariance31, traceCovariance33) = (sigma11, sigma31, traceSigma33)
        }
    }

    /// From centred moments and the means: Σ11 = C11 + E[x]E[x]ᵀ, Σ31 = C31 + E[y]E[x]ᵀ,
    /// tr Σ33 = tr C33 + ‖E[y]‖².
    /// `factor`: the R factor of the centred samples (``covarianceFactor``); `constantLastInput`:
    /// whether these are the correlations of x̃ = [x; 1] (``augmented()``).
    public init(sampleCount: Int, covariance11 c11: Matrix, covariance31 c31: Matrix, traceCovariance33 t33: Double,
                inputMean mx: [Double], outputMean my: [Double], factor: Matrix? = nil, factorColumnNorms: [Double]? = nil,
                constantLastInput: Bool = false) {
        precondition(c11.rows == c11.cols && c31.cols == c11.cols && mx.count == c11.rows && my.count == c31.rows)
        let p = c11.rows - (constantLastInput ? 1 : 0) + c31.rows
        precondition(factor.map { $0.rows == p && $0.cols == p } ?? true)
        covarianceFactor = factor
        self.factorColumnNorms = factorColumnNorms
        self.constantLastInput = constantLastInput
        self.sampleCount = sampleCount
        covariance11 = c11
        covariance31 = c31
        traceCovariance33 = t33
        inputMean = mx
        outputMean = my
        var s11 = c11, s31 = c31
        for i in 0..<mx.count {
            for j in 0..<mx.count { s11[i, j] += mx[i] * mx[j] }
            for o in 0..<my.count { s31[o, i] += my[o] * mx[i] }
        }
        sigma11 = s11
        sigma31 = s31
        traceSigma33 = t33 + my.reduce(0) { $0 + $1 * $1 }
    }

    /// Refuses (exit 65, naming the column) correlations that overflowed a double: a column
    /// with |x| ≳ 1e154, whose squares do.
    public func checkFinite(inputNames: [String], outputNames: [String], file: String) throws {
        for i in 0..<inputs where !(covariance11[i, i].isFinite && sigma11[i, i].isFinite && (inputMean?[i].isFinite ?? true)) {
            throw LinflowError.data("\(file): input column '\(inputNames[i])' overflows: its mean square exceeds the largest double (values of magnitude ≳ 1e154); rescale it")
        }
        let rowSquares = (0..<outputs).map { o in (0..<inputs).allSatisfy { covariance31[o, $0].isFinite && sigma31[o, $0].isFinite } }
        if let o = rowSquares.firstIndex(of: false) ?? (traceSigma33.isFinite && traceCovariance33.isFinite ? nil : 0) {
            throw LinflowError.data("\(file): output column '\(outputNames[o])' overflows: its products with the inputs or its mean square exceed the largest double; rescale it")
        }
    }

    /// The correlations of the augmented input x̃ = [x; 1], on which an affine network is a
    /// linear chain: Σ̃11 = E[x̃x̃ᵀ] = [Σ11 E[x]; E[x]ᵀ 1], Σ̃31 = E[y x̃ᵀ] = [Σ31 E[y]].
    public func augmented() throws -> Correlations {
        guard !constantLastInput else { throw LinflowError.usage("these correlations are already those of x̃ = [x; 1]") }
        guard let mx = inputMean, let my = outputMean else {
            throw LinflowError.usage("biases need the means of the inputs and outputs, which these correlations were given without")
        }
        // The constant unit has mean 1 and no variance: C̃11 = [C11 0; 0 0], C̃31 = [C31 0].
        let n = inputs
        var c11 = Matrix(rows: n + 1, cols: n + 1)
        for i in 0..<n { for j in 0..<n { c11[i, j] = covariance11[i, j] } }
        var c31 = Matrix(rows: outputs, cols: n + 1)
        for o in 0..<outputs { for j in 0..<n { c31[o, j] = covariance31[o, j] } }
        return Correlations(sampleCount: sampleCount, covariance11: c11, covariance31: c31,
                            traceCovariance33: traceCovariance33, inputMean: mx + [1], outputMean: my,
                            factor: covarianceFactor, factorColumnNorms: factorColumnNorms, constantLastInput: true)
    }

    /// From samples held in memory: `x[n]` and `y[n]` are the n-th input and output.
    public init(inputs x: [[Double]], outputs y: [[Double]]) {
        precondition(x.count == y.count && !x.isEmpty)
        var acc = CorrelationAccumulator(inputs: x[0].count, outputs: y[0].count)
        for (xi, yi) in zip(x, y) { acc.add(input: xi, output: yi) }
        self = acc.finish()
    }
}

/// Builds ``Correlations`` in one streaming pass. Rows are buffered in blocks and folded in
/// with a matrix product (Σ11 += XᵦᵀXᵦ, a symmetric rank-k update of the upper triangle), which
/// is what makes the pass run at BLAS speed; memory is one block, whatever N is.
///
/// The sums are of the samples shifted by the first one, d = x − x₁ and e = y − y₁ (the
/// "shifted data" algorithm for moments): C11 = 1/N Σ ddᵀ − d̄d̄ᵀ has no catastrophic
/// cancellation when the data sit far from the origin (1000 ± 1), as Σ11 − E[x]E[x]ᵀ would.
///
/// In the same pass (unless `factor` is false) it takes the R factor of the shifted samples
/// with a leading column of ones, [1 D E], block by block (a streaming TSQR: each block is
/// folded into the running triangle by LAPACK's `dtplqt`; memory is one block and one triangle).
/// Householder's first reflection on the ones column subtracts the mean, so the trailing block
/// of that R is exactly the R factor of the centred samples [D − 1d̄ᵀ, E − 1ēᵀ]
/// (= [X − 1x̄ᵀ, Y − 1ȳᵀ]): from RᵀR = [1 D E]ᵀ[1 D E], R₀₀ = √N, R₀ⱼ = √N·d̄ⱼ and the trailing
/// block's RᵀR is DᵀD − N d̄d̄ᵀ. Householder QR is backward stable column by column, so that
/// block is exact for data perturbed by a few ε relative to the shifted columns D, E — which are
/// of the size of the spread of the data, not of their offset (shifting by a sample is exact
/// for data within a factor 2 of it, Sterbenz). That is what the affine floor needs at offsets of
/// 10⁴ (``LeastSquares``).
public struct CorrelationAccumulator {
    public let inputs: Int
    public let outputs: Int
    private let blockRows: Int
    private var xBlock: [Double]
    private var yBlock: [Double]
    private var filled = 0
    private var s11: [Double]
    private var s31: [Double]
    private var t33 = 0.0
    private var sx: [Double]
    private var sy: [Double]
    private var shiftX: [Double]
    private var shiftY: [Double]
    /// With `factor`: the block [1 D E] row-major and the running triangle R, (1 + inputs +
    /// outputs) square, row-major (``TriangularRowFolder``).
    private let factor: Bool
    private var qrBlock: [Double]
    private var triangle: [Double]
    private var folder: TriangularRowFolder
    public private(set) var count = 0

    /// `factor`: also take the R factor of the samples (``Correlations/covarianceFactor``); a
    /// minibatch's correlations, made every step, do without it.
    public init(inputs: Int, outputs: Int, blockRows: Int = 256, factor: Bool = true) {
        self.inputs = inputs
        self.outputs = outputs
        self.blockRows = blockRows
        self.factor = factor
        let q = factor ? 1 + inputs + outputs : 0
        qrBlock = Array(repeating: 0, count: blockRows * q)
        triangle = Array(repeating: 0, count: q * q)
        folder = TriangularRowFolder(columns: q)
        xBlock = Array(repeating: 0, count: blockRows * inputs)
        yBlock = Array(repeating: 0, count: blockRows * outputs)
        s11 = Array(repeating: 0, count: inputs * inputs)
        s31 = Array(repeating: 0, count: outputs * inputs)
        sx = Array(repeating: 0, count: inputs)
        sy = Array(repeating: 0, count: outputs)
        shiftX = Array(repeating: 0, count: inputs)
        shiftY = Array(repeating: 0, count: outputs)
    }

    /// Bytes the accumulator and the ``Correlations`` it finishes hold at their peak: about six
    /// (1 + inputs + outputs)² arrays of doubles (the running sums, the TSQR triangle, Σ11, C11
    /// and the copies the least-squares map and `stats` make). An estimate for refusing what
    /// cannot fit, measured at 1.47 GB for 6 002 columns, not an accounting.
    public static func memoryEstimate(inputs: Int, outputs: Int) -> Double {
        let q = Double(1 + inputs + outputs)
        return 6 * 8 * q * q
    }

    /// Refuses data whose correlations would not fit in `available` bytes, before any buffer is
    /// allocated (the allocator would otherwise abort the process, or the machine swap for hours).
    public static func checkFitsInMemory(inputs: Int, outputs: Int,
                                         available: Double = Architecture.physicalMemory) throws(LinflowError) {
        let need = memoryEstimate(inputs: inputs, outputs: outputs)
        guard need <= available else {
            throw .usage("the correlations of \(inputs) inputs and \(outputs) outputs (Σ11 alone is \(inputs)×\(inputs)) need about \(Architecture.gigabytes(need)) of memory; this machine has \(Architecture.gigabytes(available)); select fewer input columns with \(Setting.inputColumns)")
        }
    }

    public mutating func add(input x: [Double], output y: [Double]) {
        x.withUnsafeBufferPointer { px in
            y.withUnsafeBufferPointer { py in add(input: px.baseAddress!, output: py.baseAddress!) }
        }
    }

    /// Adds one sample: `inputs` values at `x`, `outputs` values at `y`.
    public mutating func add(input x: UnsafePointer<Double>, output y: UnsafePointer<Double>) {
        let r = filled
        if count == 0 {
            for i in 0..<inputs { shiftX[i] = x[i] }
            for i in 0..<outputs { shiftY[i] = y[i] }
        }
        let ni = inputs, no = outputs
        shiftX.withUnsafeBufferPointer { s in
            xBlock.withUnsafeMutableBufferPointer { b in
                sx.withUnsafeMutableBufferPointer { m in
                    for i in 0..<ni { let d = x[i] - s[i]; b[r * ni + i] = d; m[i] += d }
                }
            }
        }
        shiftY.withUnsafeBufferPointer { s in
            yBlock.withUnsafeMutableBufferPointer { b in
                sy.withUnsafeMutableBufferPointer { m in
                    for i in 0..<no { let d = y[i] - s[i]; b[r * no + i] = d; m[i] += d }
                }
            }
        }
        if factor {
            let row = r * (1 + ni + no)
            xBlock.withUnsafeBufferPointer { bx in
                yBlock.withUnsafeBufferPointer { by in
                    qrBlock.withUnsafeMutableBufferPointer { q in
                        q[row] = 1
                        for i in 0..<ni { q[row + 1 + i] = bx[r * ni + i] }
                        for i in 0..<no { q[row + 1 + ni + i] = by[r * no + i] }
                    }
                }
            }
        }
        filled += 1
        count += 1
        if filled == blockRows { flush() }
    }

    private mutating func flush() {
        guard filled > 0 else { return }
        let n = filled, ni = inputs, no = outputs
        xBlock.withUnsafeBufferPointer { px in
            yBlock.withUnsafeBufferPointer { py in
                s11.withUnsafeMutableBufferPointer { p11 in
                    // Σ11 += Xᵀ X  (X is n × inputs, row-major), upper triangle only; the
                    // lower one is mirrored in finish().
                    syrkUpper(.transpose, ni, n, 1, px.baseAddress!, ni, 1, p11.baseAddress!, ni)
                }
                s31.withUnsafeMutableBufferPointer { p31 in
                    // Σ31 += Yᵀ X
                    gemm(.transpose, .none, no, ni, n, 1, py.baseAddress!, no, px.baseAddress!, ni,
                         1, p31.baseAddress!, ni)
                }
                for k in 0..<(n * no) { t33 += py[k] * py[k] }
            }
        }
        if factor {
            qrBlock.withUnsafeMutableBufferPointer { q in
                triangle.withUnsafeMutableBufferPointer { t in
                    folder.fold(rows: n, q.baseAddress!, into: t.baseAddress!)
                }
            }
        }
        filled = 0
    }

    /// ‖column j of [D E]‖/√N, from the whole triangle (Q keeps column norms).
    private func shiftedColumnNorms() -> [Double] {
        let q = 1 + inputs + outputs, scale = 1 / Double(count).squareRoot()
        return (1..<q).map { j in
            var s = 0.0
            for i in 0...j { s += triangle[i * q + j] * triangle[i * q + j] }
            return s.squareRoot() * scale
        }
    }

    /// The trailing p × p block of the triangle over √N: the R factor of the centred samples, scaled
    /// so that RᵀR is their covariance (rows with a negative diagonal are flipped, which changes
    /// nothing of RᵀR).
    private func centredFactor() -> Matrix {
        let q = 1 + inputs + outputs, p = q - 1
        let scale = 1 / Double(count).squareRoot()
        var r = Matrix(rows: p, cols: p)
        for i in 0..<p {
            let sign: Double = triangle[(1 + i) * q + (1 + i)] < 0 ? -scale : scale
            for j in i..<p { r[i, j] = sign * triangle[(1 + i) * q + (1 + j)] }
        }
        return r
    }

    /// Divides by N. Requires at least one sample.
    public mutating func finish() -> Correlations {
        flush()
        let invN = 1 / Double(count)
        let dx = sx.map { $0 * invN }, dy = sy.map { $0 * invN }
        // C = 1/N Σ ddᵀ − d̄d̄ᵀ; only the upper triangle of Σ ddᵀ was accumulated: mirror it,
        // so C11 is exactly symmetric.
        var c11 = Matrix(rows: inputs, cols: inputs)
        for i in 0..<inputs {
            for j in i..<inputs {
                let v = s11[i * inputs + j] * invN - dx[i] * dx[j]
                c11[i, j] = v
                c11[j, i] = v
            }
        }
        var c31 = Matrix(rows: outputs, cols: inputs)
        for o in 0..<outputs { for i in 0..<inputs { c31[o, i] = s31[o * inputs + i] * invN - dy[o] * dx[i] } }
        return Correlations(
            sampleCount: count, covariance11: c11, covariance31: c31,
            traceCovariance33: t33 * invN - dy.reduce(0) { $0 + $1 * $1 },
            inputMean: zip(shiftX, dx).map { $0 + $1 }, outputMean: zip(shiftY, dy).map { $0 + $1 },
            factor: factor ? centredFactor() : nil, factorColumnNorms: factor ? shiftedColumnNorms() : nil)
    }
}

/// c if Σ11 = c·I to rounding (c > 0), else nil.
public func whitenedScale(_ sigma11: Matrix) -> Double? {
    let n = sigma11.rows
    let c = sigma11.trace / Double(n)
    guard c > 0 else { return nil }
    for i in 0..<n {
        for j in 0..<n {
            let target = i == j ? c : 0
            if abs(sigma11[i, j] - target) > 1e-12 * c { return nil }
        }
    }
    return c
}
