import Foundation
import Testing
import Numerics
@testable import LinFlowNumerics
import LinFlowTestSupport
@testable import LinFlowIO
@testable import LinFlowPlot
@testable import LinFlowRuns
@testable import LinFlowSweep

/// The Hessian of the sample loss by second differences of `Samples.loss` (independent of the
/// library's gradient and Hessian-vector product), symmetrised.
func finiteDifferenceHessian(_ data: Samples, at w: Weights, h: Double = 1e-4) -> Matrix {
    let n = w.flat.count
    var hess = Matrix(rows: n, cols: n)
    func loss(_ i: Int, _ si: Double, _ j: Int, _ sj: Double) -> Double {
        var v = w
        v.flat[i] += si * h
        v.flat[j] += sj * h
        return data.loss(v)
    }
    for i in 0..<n {
        for j in i..<n {
            let d = (loss(i, 1, j, 1) - loss(i, 1, j, -1) - loss(i, -1, j, 1) + loss(i, -1, j, -1)) / (4 * h * h)
            hess[i, j] = d
            hess[j, i] = d
        }
    }
    return hess
}

@Suite struct SharpnessTests {
    /// Lanczos finds the largest algebraic eigenvalue of the finite-difference Hessian,
    /// also near the origin, where an eigenvalue of nearly the same magnitude is negative.
    @Test(arguments: [([3, 4, 2], 0.7), ([3, 4, 2], 0.01), ([2, 3, 3, 2], 0.6), ([4, 2, 3], 0.05)])
    func sharpnessIsTheTopEigenvalueOfTheHessian(sizes: [Int], scale: Double) throws {
        let data = Samples(n: 15, inputs: sizes.first!, outputs: sizes.last!, seed: 23)
        let a = try Architecture(sizes: sizes)
        let flow = try GradientFlow(architecture: a, correlations: data.correlations)
        var g = SplitMix64(seed: 29)
        let w = Weights(architecture: a, flat: (0..<a.parameterCount).map { _ in scale * g.normal() })
        let eigen = try symmetricEigenvalues(finiteDifferenceHessian(data, at: w))
        let estimator = SharpnessEstimator(flow: flow, tolerance: 1e-12, maxIterations: 20000)
        let lambda = estimator.estimate(at: w)
        #expect(abs(lambda - eigen.first!) <= 1e-5 * max(1, abs(eigen.first!)), "eigenvalues \(eigen)")
        // Warm-started from its last Ritz vector, a second call agrees.
        #expect(abs(estimator.estimate(at: w) - lambda) <= 1e-8 * max(1, abs(lambda)))
    }

    /// At θ = 0 of a two-layer net the Hessian's quadratic form is −2 tr(V32 V21 Σ31ᵀ), whose
    /// largest eigenvalue is s₁, the top singular value of Σ31 (and the smallest is −s₁).
    @Test func sharpnessAtTheOriginIsTheTopSingularValue() throws {
        for seed in [1, 2, 3] as [UInt64] {
            let data = Samples(n: 25, inputs: 4, outputs: 3, seed: seed)
            let c = data.correlations
            let a = try Architecture(sizes: [4, 5, 3])
            let s1 = try symmetricEigenvalues(c.sigma31 * c.sigma31.transposed).first!.squareRoot()
            let lambda = SharpnessEstimator(flow: try GradientFlow(architecture: a, correlations: c), tolerance: 1e-12)
                .estimate(at: Weights(architecture: a, flat: .init(repeating: 0, count: a.parameterCount)))
            #expect(abs(lambda - s1) <= 1e-8 * s1)
        }
    }

    /// At the balanced global minimum of a whitened two-layer problem the Hessian is JᵀJ with
    /// ‖J‖² = 2s₁ (scalar case: L = ½(s − ab)², a = b = √s gives H = [[s, s], [s, s]]).
    @Test func sharpnessAtTheBalancedMinimumIsTwiceTheTopSingularValue() throws {
        var g = SplitMix64(seed: 77)
        for _ in 0..<4 {
            let p = AlignedProblem(n0: 4, h: 3, nOut: 3, r: 3, g: &g)
            let minimum = p.weights(p.s)
            let flow = try GradientFlow(architecture: p.architecture, correlations: p.correlations)
            #expect(flow.velocity(at: minimum).flat.allSatisfy { abs($0) < 1e-12 })
            let lambda = SharpnessEstimator(flow: flow, tolerance: 1e-12).estimate(at: minimum)
            #expect(abs(lambda - 2 * p.s.max()!) <= 1e-8)
        }
    }
}

extension SharpnessTests {
    /// Along a descent the top eigenvector can change to one nearly orthogonal to the last
    /// (on hierarchy between t = 14 and 16 with η = 0.2, when the second mode is learned). One
    /// estimator used along the run, as `descend` uses it, must follow the top eigenvalue of
    /// the dense Hessian (built from Hessian-vector products, eigenvalues by GSL).
    @Test func theEstimateFollowsTheTopEigenvalueAlongADescent() throws {
        let c = BuiltinDataset.hierarchy.correlations
        let a = try Architecture(sizes: [8, 16, 15])
        let flow = try GradientFlow(architecture: a, correlations: c)
        let descent = GradientDescent(gradientSource: flow, initial: try Initialization.gaussian(seed: 1, scale: 1e-3).weights(for: a),
                                      learningRate: 0.2)
        let estimator = SharpnessEstimator(flow: flow)
        var dense = [Double](repeating: 0, count: a.parameterCount * a.parameterCount)
        var coldProducts = 0
        for k in 0...100 {
            if k % 10 == 0 {
                flow.jacobian(at: descent.weights, into: &dense)
                let n = a.parameterCount
                let top = try symmetricEigenvalues(Matrix(rows: n, cols: n, storage: dense.map { -$0 })).first!
                #expect(abs(estimator.estimate(at: descent.weights) - top) <= 1e-3 * top, "step \(k)")
                // A new estimator starts cold (random vector only): same value, more products.
                let cold = SharpnessEstimator(flow: flow)
                #expect(abs(cold.estimate(at: descent.weights) - top) <= 1e-3 * top, "step \(k), cold")
                coldProducts += cold.products
            }
            descent.advance()
        }
        #expect(estimator.products < coldProducts, "warm starts used \(estimator.products), cold \(coldProducts)")
    }
}

@Suite struct ModifiedFlowTests {
    /// The right-hand side is −∇L̃ with L̃ = L + (η/4)‖∇L‖², checked by central differences of
    /// L̃ (L from the samples, ∇L the flow's gradient, itself checked against differences).
    @Test(arguments: [[3, 4, 2], [2, 3, 3, 2]])
    func modifiedFlowIsMinusTheGradientOfTheModifiedLoss(sizes: [Int]) throws {
        let data = Samples(n: 20, inputs: sizes.first!, outputs: sizes.last!, seed: 14)
        let a = try Architecture(sizes: sizes)
        let flow = try GradientFlow(architecture: a, correlations: data.correlations)
        let eta = 0.3
        let modified = ModifiedFlow(flow: flow, learningRate: eta)
        var g = SplitMix64(seed: 15)
        let w = Weights(architecture: a, flat: (0..<a.parameterCount).map { _ in 0.6 * g.normal() })
        func modifiedLoss(_ v: Weights) -> Double {
            let grad = flow.velocity(at: v).flat
            return data.loss(v) + eta / 4 * grad.reduce(0) { $0 + $1 * $1 }
        }
        var rhs = [Double](repeating: 0, count: a.parameterCount)
        #expect(modified.evaluate(w.flat, &rhs))
        let h = 1e-6
        for i in 0..<a.parameterCount {
            var plus = w, minus = w
            plus.flat[i] += h
            minus.flat[i] -= h
            let fd = (modifiedLoss(plus) - modifiedLoss(minus)) / (2 * h)
            #expect(abs(-fd - rhs[i]) <= 1e-6 * max(1, abs(fd)), "component \(i)")
        }
        // The Jacobian by differences agrees with differences of the right-hand side along a direction.
        let n = a.parameterCount
        var jac = [Double](repeating: 0, count: n * n)
        modified.jacobian(w.flat, &jac)
        let dir = (0..<n).map { _ in g.normal() }
        var fp = rhs, fm = rhs
        _ = modified.evaluate(zip(w.flat, dir).map { $0 + 1e-5 * $1 }, &fp)
        _ = modified.evaluate(zip(w.flat, dir).map { $0 - 1e-5 * $1 }, &fm)
        for i in 0..<n {
            let jv = (0..<n).reduce(0.0) { $0 + jac[i * n + $1] * dir[$1] }
            #expect(abs(jv - (fp[i] - fm[i]) / 2e-5) <= 1e-5 * max(1, abs(jv)))
        }
    }

    /// Backward error analysis: halving η halves descent's largest gap to the flow (O(η)) and
    /// quarters its gap to the modified flow (O(η²)), over the same time horizon.
    @Test func gapsShrinkAtFirstAndSecondOrder() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("linflow-compare-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var flowGaps: [Double] = [], modifiedGaps: [Double] = []
        for (i, eta) in [0.1, 0.05, 0.025].enumerated() {
            var request = RunRequest(command: .compare, arguments: ["compare"])
            request.data = DataChoice(dataset: "seed-affine")
            request.network.hidden = 2
            request.start = StartChoice(kind: "random", seed: 2, scale: 0.5)
            request.descent = DescentChoice(learningRate: eta, steps: 40 << i, every: 1 << i)
            request.integration = IntegrationChoice(relativeTolerance: 1e-12, absoluteTolerance: 1e-14)
            request.output = dir.appendingPathComponent("\(i).csv").path
            let summary = try Comparison(RunSetup(request)).run(notice: { _ in })
            #expect(summary.rows == 41)
            flowGaps.append(summary.flowGap.value)
            modifiedGaps.append(summary.modifiedGap.value)
        }
        #expect(modifiedGaps[0] < 0.1 * flowGaps[0])
        for i in 1..<3 {
            let first = flowGaps[i - 1] / flowGaps[i], second = modifiedGaps[i - 1] / modifiedGaps[i]
            #expect(first > 1.8 && first < 2.2, "flow gaps \(flowGaps)")
            #expect(second > 3.5 && second < 4.5, "modified gaps \(modifiedGaps)")
        }
    }
}
