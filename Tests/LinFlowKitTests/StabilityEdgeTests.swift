import Foundation
import Testing
@testable import LinFlowNumerics
import LinFlowTestSupport

/// With weight decay and layer rates descent subtracts η·R(∇L + γDθ) per step (R = the rates on
/// each layer's entries, D = 1 on weights, 0 on biases), so near θ it is stable only while
/// η·λ_max(R(H + γD)) ≤ 2. The estimate is checked against the eigenvalues of R^{1/2}(H + γD)R^{1/2}
/// built from the finite-difference Hessian of the sample loss.
@Suite struct StabilityEdgeTests {
    @Test(arguments: [([3, 4, 2], false, 0.3, [1.0, 1.0]), ([3, 4, 2], false, 0.0, [0.25, 4.0]),
                      ([3, 4, 2], true, 0.5, [2.0, 0.5]), ([2, 3, 3, 2], false, 0.2, [1.0, 3.0, 0.5])])
    func stepOperatorIsRTimesHessianPlusDecay(sizes: [Int], bias: Bool, decay: Double, rates: [Double]) throws {
        let data = Samples(n: 15, inputs: sizes.first!, outputs: sizes.last!, seed: 31, shift: bias ? 0.7 : 0)
        let a = try Architecture(sizes: sizes, bias: bias)
        let flow = try GradientFlow(architecture: a, correlations: data.correlations,
                                    terms: FlowTerms(weightDecay: decay, layerRates: rates))
        var g = SplitMix64(seed: 37)
        let w = Weights(architecture: a, flat: (0..<a.parameterCount).map { _ in 0.6 * g.normal() })
        // R and D on the flat vector: layer l is its weights (rows × cols) then its biases.
        var root: [Double] = [], decayed: [Double] = []
        for l in 1...a.depth {
            let (rows, cols) = (sizes[l], sizes[l - 1])
            root += [Double](repeating: rates[l - 1].squareRoot(), count: rows * cols + (bias ? rows : 0))
            decayed += [Double](repeating: 1, count: rows * cols) + [Double](repeating: 0, count: bias ? rows : 0)
        }
        var m = finiteDifferenceHessian(data, at: w)
        let n = m.rows
        for i in 0..<n {
            m[i, i] += decay * decayed[i]
            for j in 0..<n { m[i, j] *= root[i] * root[j] }
        }
        let expected = try symmetricEigenvalues(m).first!
        let estimate = SharpnessEstimator(flow: flow, tolerance: 1e-12, maxIterations: 20000, ofStep: true).estimate(at: w)
        #expect(abs(estimate - expected) <= 1e-5 * max(1, abs(expected)), "\(estimate) vs \(expected)")
        // The loss's own sharpness is another number whenever the terms matter.
        let plain = SharpnessEstimator(flow: flow, tolerance: 1e-12, maxIterations: 20000).estimate(at: w)
        #expect(abs(plain - expected) > 1e-3 * abs(expected))
    }
}
