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
public struct Correlations: Equatable, Sendable {
    public let sampleCount: Int
    public let sigma11: Matrix
    public let sigma31: Matrix
    public let traceSigma33: Double
    /// E[x] = 1/N Σₙ xₙ, nil when the correlations were given without it.
    public let inputMean: [Double]?
    /// E[y] = 1/N Σₙ yₙ, nil when the correlations were given without it.
    public let outputMean: [Double]?

    public var inputs: Int { sigma11.rows }
    public var outputs: Int { sigma31.rows }

    public init(sampleCount: Int, sigma11: Matrix, sigma31: Matrix, traceSigma33: Double,
                inputMean: [Double]? = nil, outputMean: [Double]? = nil) {
        precondition(sigma11.rows == sigma11.cols && sigma31.cols == sigma11.cols)
        precondition(inputMean.map { $0.count == sigma11.rows } ?? true && outputMean.map { $0.count == sigma31.rows } ?? true)
        self.sampleCount = sampleCount
        self.sigma11 = sigma11
        self.sigma31 = sigma31
        self.traceSigma33 = traceSigma33
        self.inputMean = inputMean
        self.outputMean = outputMean
    }

    /// The correlations of the augmented input x̃ = [x; 1], on which an affine network is a
    /// linear chain: Σ̃11 = E[x̃x̃ᵀ] = [Σ11 E[x]; E[x]ᵀ 1], Σ̃31 = E[y x̃ᵀ] = [Σ31 E[y]].
    public func augmented() throws -> Correlations {
        guard let mx = inputMean, let my = outputMean else {
            throw LinflowError.usage("biases need the means of the inputs and outputs, which these correlations were given without")
        }
        let n = inputs
        var s11 = Matrix(rows: n + 1, cols: n + 1)
        for i in 0..<n {
            for j in 0..<n { s11[i, j] = sigma11[i, j] }
            s11[i, n] = mx[i]
            s11[n, i] = mx[i]
        }
        s11[n, n] = 1
        var s31 = Matrix(rows: outputs, cols: n + 1)
        for o in 0..<outputs {
            for j in 0..<n { s31[o, j] = sigma31[o, j] }
            s31[o, n] = my[o]
        }
        return Correlations(sampleCount: sampleCount, sigma11: s11, sigma31: s31, traceSigma33: traceSigma33,
                            inputMean: mx + [1], outputMean: my)
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
    public private(set) var count = 0

    public init(inputs: Int, outputs: Int, blockRows: Int = 256) {
        self.inputs = inputs
        self.outputs = outputs
        self.blockRows = blockRows
        xBlock = Array(repeating: 0, count: blockRows * inputs)
        yBlock = Array(repeating: 0, count: blockRows * outputs)
        s11 = Array(repeating: 0, count: inputs * inputs)
        s31 = Array(repeating: 0, count: outputs * inputs)
        sx = Array(repeating: 0, count: inputs)
        sy = Array(repeating: 0, count: outputs)
    }

    public mutating func add(input x: [Double], output y: [Double]) {
        x.withUnsafeBufferPointer { px in
            y.withUnsafeBufferPointer { py in add(input: px.baseAddress!, output: py.baseAddress!) }
        }
    }

    /// Adds one sample: `inputs` values at `x`, `outputs` values at `y`.
    public mutating func add(input x: UnsafePointer<Double>, output y: UnsafePointer<Double>) {
        let r = filled
        xBlock.withUnsafeMutableBufferPointer { b in
            for i in 0..<inputs { b[r * inputs + i] = x[i] }
        }
        yBlock.withUnsafeMutableBufferPointer { b in
            for i in 0..<outputs { b[r * outputs + i] = y[i] }
        }
        for i in 0..<inputs { sx[i] += x[i] }
        for i in 0..<outputs { sy[i] += y[i] }
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
        filled = 0
    }

    /// Divides by N. Requires at least one sample.
    public mutating func finish() -> Correlations {
        flush()
        let invN = 1 / Double(count)
        // Only the upper triangle was accumulated: mirror it, so Σ11 is exactly symmetric.
        var m11 = Matrix(rows: inputs, cols: inputs, storage: s11.map { $0 * invN })
        for i in 0..<inputs {
            for j in (i + 1)..<max(i + 1, inputs) { m11[j, i] = m11[i, j] }
        }
        return Correlations(
            sampleCount: count,
            sigma11: m11,
            sigma31: Matrix(rows: outputs, cols: inputs, storage: s31.map { $0 * invN }),
            traceSigma33: t33 * invN,
            inputMean: sx.map { $0 * invN },
            outputMean: sy.map { $0 * invN })
    }
}
