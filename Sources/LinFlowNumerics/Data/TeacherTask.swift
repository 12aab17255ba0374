/// A teacher–student regression task, the setting of Advani, Saxe & Sompolinsky (2020) and
/// Lampinen & Ganguli (2019): inputs x ~ N(0, diag(λ)) (λ = 1: white), a teacher map
///
///     W̄ = U diag(s) Vᵀ   (m × n, U: m × r and V: n × r Haar with orthonormal columns)
///
/// with the given singular values s_1 ≥ … ≥ s_r, and labels y = W̄x + ε with ε ~ N(0, σ²I_m).
///
/// Everything is drawn from one GSL MT19937 stream (``GaussianSource``) in a fixed order: U (its
/// Gaussian matrix row-major), V, then the test samples, then the training samples, each sample
/// as its n input draws and then its m noise draws. So a seed fixes every number; the test set
/// does not depend on the number of training samples; training sets of N and N′ > N samples
/// share their first N rows; and a change of σ alone rescales the same noise draws.
public struct TeacherTask: Sendable {
    public let inputs: Int
    public let outputs: Int
    /// s_1 ≥ … ≥ s_r > 0, r ≤ min(m, n).
    public let singularValues: [Double]
    /// λ_i, the variance of input i (all 1: x ~ N(0, I_n)).
    public let inputVariances: [Double]
    /// σ, the standard deviation of each label's noise.
    public let noise: Double
    public let seed: UInt64

    /// `singularValues` in any order (kept sorted, largest first); `inputVariances` nil: all 1.
    public init(inputs: Int, outputs: Int, singularValues: [Double], inputVariances: [Double]? = nil, noise: Double, seed: UInt64) {
        precondition(inputs > 0 && outputs > 0 && !singularValues.isEmpty && singularValues.count <= min(inputs, outputs))
        (self.inputs, self.outputs, self.noise, self.seed) = (inputs, outputs, noise, seed)
        self.singularValues = singularValues.sorted(by: >)
        self.inputVariances = inputVariances ?? Array(repeating: 1, count: inputs)
        precondition(self.inputVariances.count == inputs)
    }

    /// Draws the teacher and then `test` and `train` samples, handing each to `emit(isTest, x, y)`
    /// (test samples first); returns W̄.
    @discardableResult
    public func draw(test: Int, train: Int, emit: (_ isTest: Bool, _ x: [Double], _ y: [Double]) throws -> Void) rethrows -> Matrix {
        let g = GaussianSource(seed: seed), r = singularValues.count
        let u = g.orthonormalColumns(outputs, r), v = g.orthonormalColumns(inputs, r)
        let map = u * Matrix.diagonal(singularValues) * v.transposed
        let scales = inputVariances.map { $0.squareRoot() }
        var x = [Double](repeating: 0, count: inputs), y = [Double](repeating: 0, count: outputs)
        for k in 0..<(test + train) {
            for i in 0..<inputs { x[i] = scales[i] * g.next(standardDeviation: 1) }
            for o in 0..<outputs {
                // W̄x first, then the noise: y = W̄x + σε.
                var s = 0.0
                for i in 0..<inputs { s += map[o, i] * x[i] }
                y[o] = s + noise * g.next(standardDeviation: 1)
            }
            try emit(k < test, x, y)
        }
        return map
    }
}
