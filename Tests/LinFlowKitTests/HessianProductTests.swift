import Testing
import Numerics
@testable import LinFlowNumerics
import LinFlowTestSupport
@testable import LinFlowIO
@testable import LinFlowPlot
@testable import LinFlowRuns
@testable import LinFlowSweep

/// The allocation-free Hessian-vector product against three independent facts: the product rule
/// on whole matrices (``referenceVelocityDerivative(_:at:along:)``), central differences of the
/// exact gradient, and the symmetry uᵀHv = vᵀHu (which a wrong transpose breaks).
@Suite struct HessianProductTests {
    static let shapes: [[Int]] = [[4, 3], [3, 5, 2], [5, 4, 6, 3], [2, 3, 3, 2, 4], [6, 2, 7]]

    @Test(arguments: shapes, [false, true])
    func agreesWithTheReferenceDifferencesAndSymmetry(sizes: [Int], bias: Bool) throws {
        // With biases, data with non-zero means so that the bias directions matter.
        let data = Samples(n: 40, inputs: sizes.first!, outputs: sizes.last!, seed: UInt64(sizes.reduce(7, +)), shift: bias ? 0.7 : 0)
        let a = try Architecture(sizes: sizes, bias: bias)
        let flow = try GradientFlow(architecture: a, correlations: data.correlations)
        let hp = HessianProduct(flow)
        var g = SplitMix64(seed: 99)
        let n = a.parameterCount
        for trial in 0..<3 {
            let theta = (0..<n).map { _ in (trial == 0 ? 0.05 : 0.6) * g.normal() }
            let u = (0..<n).map { _ in g.normal() }, v = (0..<n).map { _ in g.normal() }
            theta.withUnsafeBufferPointer { hp.prepare(at: $0.baseAddress!) }
            func h(_ x: [Double]) -> [Double] {
                var out = [Double](repeating: .nan, count: n)
                x.withUnsafeBufferPointer { px in out.withUnsafeMutableBufferPointer { hp.apply(px.baseAddress!, into: $0.baseAddress!) } }
                return out
            }
            let hv = h(v), hu = h(u)
            let w = Weights(architecture: a, flat: theta)
            let general = referenceVelocityDerivative(flow, at: w, along: Weights(architecture: a, flat: v)).flat.map { -$0 }
            let scale = general.map(abs).max()!
            for i in 0..<n { #expect(abs(hv[i] - general[i]) <= 1e-12 * scale, "\(sizes) bias \(bias) trial \(trial) i \(i)") }
            // Central differences of the gradient −velocity along v (error O(ε²) for this polynomial).
            let eps = 1e-5
            let plus = flow.velocity(at: Weights(architecture: a, flat: zip(theta, v).map { $0 + eps * $1 })).flat
            let minus = flow.velocity(at: Weights(architecture: a, flat: zip(theta, v).map { $0 - eps * $1 })).flat
            for i in 0..<n { #expect(abs(-(plus[i] - minus[i]) / (2 * eps) - hv[i]) <= 1e-6 * max(1, scale)) }
            let uhv = zip(u, hv).reduce(0) { $0 + $1.0 * $1.1 }, vhu = zip(v, hu).reduce(0) { $0 + $1.0 * $1.1 }
            #expect(uhv.isApproximatelyEqual(to: vhu, relativeTolerance: 1e-12, norm: { abs($0) }) || abs(uhv - vhu) <= 1e-12 * scale * Double(n))
        }
    }

    /// The sharpness (which uses these products) and the dense Jacobian of implicit steppers
    /// agree with GSL's eigenvalues of the reference's dense Hessian.
    @Test(arguments: [false, true])
    func sharpnessAndJacobianMatchTheReference(bias: Bool) throws {
        let data = Samples(n: 30, inputs: 4, outputs: 3, seed: 5, shift: bias ? 0.9 : 0)
        let a = try Architecture(sizes: [4, 5, 3, 3], bias: bias)
        let flow = try GradientFlow(architecture: a, correlations: data.correlations)
        var g = SplitMix64(seed: 8)
        let n = a.parameterCount
        let w = Weights(architecture: a, flat: (0..<n).map { _ in 0.5 * g.normal() })
        var dense = Matrix(rows: n, cols: n)
        for j in 0..<n {
            var e = [Double](repeating: 0, count: n)
            e[j] = 1
            let col = referenceVelocityDerivative(flow, at: w, along: Weights(architecture: a, flat: e)).flat
            for i in 0..<n { dense[i, j] = -col[i] }
        }
        let top = try symmetricEigenvalues(dense).first!
        #expect(abs(SharpnessEstimator(flow: flow, tolerance: 1e-12).estimate(at: w) - top) <= 1e-9 * abs(top))
        var jac = [Double](repeating: 0, count: n * n)
        flow.jacobian(at: w, into: &jac)
        for i in 0..<n { for j in 0..<n { #expect(abs(jac[i * n + j] + dense[i, j]) <= 1e-12 * max(1, abs(top))) } }
    }
}
