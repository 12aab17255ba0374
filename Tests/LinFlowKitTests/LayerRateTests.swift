import Foundation
import Testing
@testable import LinFlowNumerics
import LinFlowTestSupport
@testable import LinFlowRuns

/// Per-layer rates against independent facts: the logistic on the time √(r1r2)t written out here
/// for starts balanced in the rates' metric, and the λ-balanced (Riccati) form carried over by
/// ``RateMetric`` against the numerical flow, on many random problems and rates.
@Suite struct LayerRateTests {
    /// A start aligned and balanced in the metric W32ᵀW32/r2 = W21W21ᵀ/r1 on Σ11 = cI: every mode
    /// follows u(t) = s′e^{2s′ct̃}/(e^{2s′ct̃} − 1 + s′/u0), t̃ = √(r1r2)t, s′ = (s − γ)/c with equal
    /// rates and decay, s′ = s/c without decay; the flow and the closed form both.
    @Test func balancedStartsFollowTheLogisticOnScaledTime() throws {
        var g = SplitMix64(seed: 11)
        var worstFlow = 0.0, worstForm = 0.0
        for trial in 0..<8 {
            let c = [1, 0.5, 2, 0.25][trial % 4]
            let data = whiteProblem(3, 4, c: c, &g)
            let r1 = exp(1.5 * g.uniform()), r2 = trial % 2 == 0 ? exp(1.5 * g.uniform()) : r1
            // Decay only with equal rates: unequal rates and decay have no closed form.
            let γ = r1 == r2 ? 0.1 * Double(trial % 3) : 0
            let terms = FlowTerms(weightDecay: γ, layerRates: [r1, r2])
            let a = try Architecture(sizes: [3, 3, 4])
            let u0 = 2e-3
            let w0 = try Initialization.aligned(seed: UInt64(trial), scale: u0).weights(for: a, correlations: data, rates: [r1, r2])
            // Balanced in the rates' metric, not in the plain one (unless r1 = r2).
            let q = (1 / r2) * (w0.layer(2).transposed * w0.layer(2)) - (1 / r1) * (w0.layer(1) * w0.layer(1).transposed)
            #expect(q.maxAbs < 1e-15)
            let form = try AlignedModeSolution(start: w0, white: WhiteInputs(data), terms: terms)
            let flow = try GradientFlow(architecture: a, correlations: data, terms: terms)
            let times = [0.5, 2, 6, 15.0]
            let path = try integrate(flow, from: w0, times: times)
            let basis = try SingularValueDecomposition(data.sigma31)
            for (t, w) in zip(times, path) {
                let fromForm = try form.strengths(at: t), m = w.endToEnd
                for (α, s) in basis.values.enumerated() {
                    let sp = (s - γ) / c, th = c * (r1 * r2).squareRoot() * t
                    let exact = sp * exp(2 * sp * th) / (exp(2 * sp * th) - 1 + sp / u0)
                    let u = basis.u.column(α), v = basis.v.column(α)
                    var numeric = 0.0
                    for i in 0..<m.rows { for j in 0..<m.cols { numeric += u[i] * m[i, j] * v[j] } }
                    worstFlow = max(worstFlow, abs(numeric - exact))
                    worstForm = max(worstForm, abs(fromForm[α] - exact))
                    #expect(abs(numeric - exact) < 1e-8 * max(1, exact), "trial \(trial) t \(t) mode \(α): flow \(numeric) vs \(exact)")
                    #expect(abs(fromForm[α] - exact) < 1e-12 * max(1, exact), "trial \(trial) t \(t) mode \(α): form \(fromForm[α]) vs \(exact)")
                }
                let weights = try form.weights(at: t)
                #expect(zip(weights.flat, w.flat).allSatisfy { abs($0 - $1) < 1e-8 }, "trial \(trial) t \(t): weights")
            }
        }
        print("rates, logistic on √(r1r2)t: flow within \(worstFlow), closed form within \(worstForm)")
    }

    /// λ-balanced starts in the rates' metric (W32ᵀW32/r2 − W21W21ᵀ/r1 = λI): the Riccati form
    /// through the change of variables against the numerical flow (QQᵀ and the end-to-end map).
    @Test func lambdaBalancedFormCarriesOverToRates() throws {
        var g = SplitMix64(seed: 5)
        var worst = 0.0
        for trial in 0..<6 {
            let c = [1, 0.5, 2][trial % 3]
            let data = whiteProblem(3, 2, c: c, &g)
            let rates = [exp(g.uniform()), exp(g.uniform())], λ = [-0.5, 0.3, 1.2][trial % 3]
            let a = try Architecture(sizes: [3, 2, 2])
            let w0 = try Initialization.lambdaBalanced(seed: UInt64(trial), scale: 0.2, lambda: λ)
                .weights(for: a, correlations: data, rates: rates)
            let q = (1 / rates[1]) * (w0.layer(2).transposed * w0.layer(2)) - (1 / rates[0]) * (w0.layer(1) * w0.layer(1).transposed)
            #expect(maxAbsDifference(q, λ * Matrix.identity(2)) < 1e-12)
            let terms = FlowTerms(layerRates: rates)
            var form = try RiccatiSolution(start: w0, white: WhiteInputs(data), anyLambda: true, terms: terms)
            #expect(abs(form.lambda - λ) < 1e-12)
            let times = [0.5, 3, 10.0]
            let path = try integrate(GradientFlow(architecture: a, correlations: data, terms: terms), from: w0, times: times)
            for (t, w) in zip(times, path) {
                try form.advance(to: t)
                let d = max(maxAbsDifference(form.weights.endToEnd, w.endToEnd), maxAbsDifference(gram(form.weights), gram(w)))
                worst = max(worst, d)
                #expect(d < 1e-8, "trial \(trial) t \(t): \(d)")
            }
        }
        print("rates, λ-balanced form: largest deviation \(worst)")
        // Decay with unequal rates has no closed form.
        let data = whiteProblem(3, 2, c: 1, &g)
        let w = try Initialization.aligned(seed: 1, scale: 0.01).weights(for: try Architecture(sizes: [3, 3, 2]), correlations: data)
        #expect(throws: LinflowError.self) {
            try AlignedModeSolution(start: w, white: WhiteInputs(data), terms: FlowTerms(weightDecay: 0.1, layerRates: [1, 2]))
        }
    }

    /// The kernel distance with rates compares K_r = J diag(r) Jᵀ, J the Jacobian of the outputs on
    /// every sample with respect to every weight (here by central differences, exact for this
    /// bilinear map), built entry by entry.
    @Test func kernelDistanceWeighsEachLayerByItsRate() throws {
        let samples = Samples(n: 6, inputs: 3, outputs: 2, seed: 9)
        let a = try Architecture(sizes: [3, 4, 2])
        let rates = [0.3, 5.0]
        let w0 = try Initialization.gaussian(seed: 1, scale: 0.7).weights(for: a)
        let w1 = try Initialization.gaussian(seed: 2, scale: 0.7).weights(for: a)
        func kernel(_ w: Weights) -> [[Double]] {
            func outputs(_ flat: [Double]) -> [Double] {
                let m = Weights(architecture: a, flat: flat).endToEnd
                return samples.x.flatMap { x in (0..<2).map { o in (0..<3).reduce(0.0) { $0 + m[o, $1] * x[$1] } } }
            }
            let p = w.flat.count, h = 1e-3
            let columns = (0..<p).map { j -> [Double] in
                var plus = w.flat, minus = w.flat
                plus[j] += h
                minus[j] -= h
                return zip(outputs(plus), outputs(minus)).map { ($0 - $1) / (2 * h) }
            }
            let rate = (0..<p).map { $0 < a.offset(ofLayer: 2) ? rates[0] : rates[1] }
            let n = columns[0].count
            return (0..<n).map { i in (0..<n).map { k in (0..<p).reduce(0.0) { $0 + rate[$1] * columns[$1][i] * columns[$1][k] } } }
        }
        func inner(_ x: [[Double]], _ y: [[Double]]) -> Double { zip(x, y).reduce(0.0) { $0 + zip($1.0, $1.1).reduce(0.0) { $0 + $1.0 * $1.1 } } }
        let k0 = kernel(w0), k1 = kernel(w1)
        let expected = 1 - inner(k0, k1) / (inner(k0, k0) * inner(k1, k1)).squareRoot()
        let got = try KernelDistance(start: w0, correlations: samples.correlations, rates: rates).distance(at: w1)
        #expect(abs(got - expected) < 1e-10, "\(got) vs \(expected)")
        let plain = try KernelDistance(start: w0, correlations: samples.correlations).distance(at: w1)
        #expect(abs(plain - expected) > 1e-3, "the rates must matter here")
    }
}
