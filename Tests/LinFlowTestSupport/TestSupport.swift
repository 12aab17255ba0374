import LinFlowNumerics
import Numerics

/// A random regression dataset held as samples, so tests can compute losses straight from them.
public struct Samples {
    public let x: [[Double]]
    public let y: [[Double]]

    /// `shift` ≠ 0 gives the inputs and outputs non-zero means (input i shifted by shift·(i+1),
    /// outputs by shift), so that biases matter.
    /// Given samples, row by row.
    public init(x: [[Double]], y: [[Double]]) {
        self.x = x
        self.y = y
    }

    public init(n: Int, inputs: Int, outputs: Int, seed: UInt64, shift: Double = 0) {
        var g = SplitMix64(seed: seed)
        let truth = g.matrix(outputs, inputs)
        var xs: [[Double]] = [], ys: [[Double]] = []
        for _ in 0..<n {
            let xi = (0..<inputs).map { shift * Double($0 + 1) + g.normal() }
            let yi = (0..<outputs).map { o in
                (0..<inputs).reduce(shift) { $0 + truth[o, $1] * xi[$1] } + 0.3 * g.normal()
            }
            xs.append(xi)
            ys.append(yi)
        }
        x = xs
        y = ys
    }

    public var correlations: Correlations { Correlations(inputs: x, outputs: y) }

    /// L(W) = 1/(2N) Σ ‖y − ŷ‖², ŷ = W_L(⋯(W_1 x + b_1)⋯) + b_L, straight from the samples.
    public func loss(_ w: Weights) -> Double {
        let layers = w.layers
        let biases = (1...layers.count).map { w.architecture.bias ? w.bias($0) : Array(repeating: 0.0, count: layers[$0 - 1].rows) }
        var total = 0.0
        for (xi, yi) in zip(x, y) {
            var h = xi
            for (m, b) in zip(layers, biases) {
                h = (0..<m.rows).map { r in (0..<m.cols).reduce(b[r]) { $0 + m[r, $1] * h[$1] } }
            }
            for (a, b) in zip(h, yi) { total += (b - a) * (b - a) }
        }
        return total / (2 * Double(x.count))
    }
}

/// Solves A X = B for square invertible A by Gauss–Jordan elimination with partial pivoting.
public func solve(_ a: Matrix, _ b: Matrix) -> Matrix {
    var a = a, b = b
    let n = a.rows
    for col in 0..<n {
        let p = (col..<n).max { abs(a[$0, col]) < abs(a[$1, col]) }!
        for c in 0..<n { let t = a[col, c]; a[col, c] = a[p, c]; a[p, c] = t }
        for c in 0..<b.cols { let t = b[col, c]; b[col, c] = b[p, c]; b[p, c] = t }
        let d = a[col, col]
        for r in 0..<n where r != col {
            let f = a[r, col] / d
            if f == 0 { continue }
            for c in 0..<n { a[r, c] -= f * a[col, c] }
            for c in 0..<b.cols { b[r, c] -= f * b[col, c] }
        }
    }
    for r in 0..<n { for c in 0..<b.cols { b[r, c] /= a[r, r] } }
    return b
}

/// A random orthogonal n × n matrix (Gram–Schmidt on a Gaussian matrix).
public func randomOrthogonal(_ n: Int, _ g: inout SplitMix64) -> Matrix {
    var q = g.matrix(n, n)
    for j in 0..<n {
        for k in 0..<j {
            var dot = 0.0
            for i in 0..<n { dot += q[i, j] * q[i, k] }
            for i in 0..<n { q[i, j] -= dot * q[i, k] }
        }
        var norm = 0.0
        for i in 0..<n { norm += q[i, j] * q[i, j] }
        norm = norm.squareRoot()
        for i in 0..<n { q[i, j] /= norm }
    }
    return q
}

public func maxAbsDifference(_ a: Matrix, _ b: Matrix) -> Double {
    zip(a.storage, b.storage).reduce(0.0) { max($0, abs($1.0 - $1.1)) }
}

extension Matrix {
    public func isApproximatelyEqual(to other: Matrix, absoluteTolerance: Double) -> Bool {
        rows == other.rows && cols == other.cols && maxAbsDifference(self, other) <= absoluteTolerance
    }
}

/// Integrates the flow with the library's GSL integrator and returns the weights at each time.
public func integrate(_ flow: GradientFlow, from w0: Weights, times: [Double], method: StepperMethod = .rkf45,
               rtol: Double = 1e-11, atol: Double = 1e-13) throws -> [Weights] {
    let integrator = try ODEIntegrator(system: flow, initialState: w0.flat, method: method,
                                       relativeTolerance: rtol, absoluteTolerance: atol)
    return try times.map { t in
        try integrator.advance(to: t)
        return Weights(architecture: w0.architecture, flat: integrator.state)
    }
}

/// −H v by the product rule on whole matrices, written for clarity (no buffers, no reuse):
/// dP_l = V_l P_{l−1} + W_l dP_{l−1}, dQ_L = −dP_L Σ11, dQ_l = V_{l+1}ᵀQ_{l+1} + W_{l+1}ᵀ dQ_{l+1},
/// dG_l = dQ_l P_{l−1}ᵀ + Q_l dP_{l−1}ᵀ, on the chain matrices W̃_l with biases (the direction's
/// clamped entries 0). An implementation independent of ``HessianProduct`` to compare it with.
public func referenceVelocityDerivative(_ flow: GradientFlow, at weights: Weights, along v: Weights) -> Weights {
    let L = flow.architecture.depth
    let w = (1...L).map { weights.chainLayer($0) }, dw = (1...L).map { v.chainLayer($0, clamp: 0) }
    let s11 = flow.correlations.sigma11, s31 = flow.correlations.sigma31
    var p = [Matrix.identity(s11.rows)], dp = [Matrix(rows: s11.rows, cols: s11.rows)]
    for l in 1...L {
        p.append(w[l - 1] * p[l - 1])
        dp.append(dw[l - 1] * p[l - 1] + w[l - 1] * dp[l - 1])
    }
    var q = [Matrix](repeating: Matrix(rows: 0, cols: 0), count: L + 1), dq = q
    q[L] = s31 - p[L] * s11
    dq[L] = (-1.0) * (dp[L] * s11)
    for l in stride(from: L - 1, through: 1, by: -1) {
        q[l] = w[l].transposed * q[l + 1]
        dq[l] = dw[l].transposed * q[l + 1] + w[l].transposed * dq[l + 1]
    }
    return Weights(architecture: flow.architecture,
                   chainLayers: (1...L).map { dq[$0] * p[$0 - 1].transposed + q[$0] * dp[$0 - 1].transposed })
}

/// Σ11 = c·I and a random Σ31 (entries N(0, 0.36)), or a rank-one one: whitened data for the
/// closed forms.
public func whiteProblem(_ n0: Int, _ n2: Int, c: Double, rankOne: Bool = false, _ g: inout SplitMix64) -> Correlations {
    var s31 = g.matrix(n2, n0, scale: 0.6)
    if rankOne {
        let u = g.matrix(n2, 1), v = g.matrix(1, n0)
        s31 = 0.8 * (u * v)
    }
    return Correlations(sampleCount: 1, sigma11: c * Matrix.identity(n0), sigma31: s31, traceSigma33: 20)
}

/// The Gram matrix Q Qᵀ of Q = [W21ᵀ; W32] for a two-layer network, the quantity the
/// Riccati closed forms evolve.
public func gram(_ w: Weights) -> Matrix {
    let top = w.layer(1).transposed, bottom = w.layer(2)
    let q = Matrix(rows: top.rows + bottom.rows, cols: top.cols, storage: top.storage + bottom.storage)
    return q * q.transposed
}
