import Foundation
import Testing
@testable import LinFlowNumerics
import LinFlowTestSupport
@testable import LinFlowRuns

/// Weight decay and per-layer rates (``FlowTerms``) against independent facts: finite differences
/// of the objective J = L + (γ/2)Σ‖W_l‖², the exact law of the imbalance, Saxe's logistic with
/// s − γ written out here, and the ridge map's stationarity.
@Suite struct WeightDecayTests {
    /// A problem with correlated inputs and nonzero means (biases matter), and its samples' flow.
    static func problem(inputs: Int = 3, outputs: Int = 2, seed: UInt64 = 3) -> Correlations {
        Samples(n: 40, inputs: inputs, outputs: outputs, seed: seed, shift: 0.7).correlations
    }

    /// The velocity is −r_l ∂J/∂θ on each layer's weights and −r_l ∂L/∂b_l on its biases: central
    /// differences of J written here (loss plus the squared norms of the W blocks alone), so a
    /// wrong sign, factor, a decayed bias or a rate on the wrong layer fails.
    @Test(arguments: [false, true])
    func velocityIsMinusRateTimesObjectiveGradient(bias: Bool) throws {
        let c = Self.problem()
        let a = try Architecture(sizes: [3, 4, 3, 2], bias: bias)
        let γ = 0.37, rates = [0.5, 2.0, 3.0]
        let flow = try GradientFlow(architecture: a, correlations: c, terms: FlowTerms(weightDecay: γ, layerRates: rates))
        let w = try Initialization.gaussian(seed: 5, scale: 0.6).weights(for: a)
        func objective(_ flat: [Double]) -> Double {
            let x = Weights(architecture: a, flat: flat)
            let norms = (1...a.depth).reduce(0.0) { $0 + pow(x.layer($1).frobeniusNorm, 2) }
            return flow.loss(at: x) + 0.5 * γ * norms
        }
        let v = flow.velocity(at: w).flat
        for l in 1...a.depth {
            let (rows, cols) = a.shape(ofLayer: l), start = a.offset(ofLayer: l)
            let end = start + rows * cols + (bias ? rows : 0)
            for i in start..<end {
                let h = 1e-5
                var p = w.flat, m = w.flat
                p[i] += h
                m[i] -= h
                let derivative = (objective(p) - objective(m)) / (2 * h)
                // The bias entries of J: the penalty has none, so this is ∂L/∂b.
                let expected = -rates[l - 1] * derivative
                // O(h²) truncation (third derivatives ~ 1) and rounding of J (~1e-16/h).
                #expect(abs(v[i] - expected) < 1e-8 * max(1, abs(expected)), "layer \(l) entry \(i - start): \(v[i]) vs \(expected)")
            }
        }
    }

    /// The Jacobian the stiff steppers use, −R(H + γD), column by column against central
    /// differences of the velocity.
    @Test func jacobianMatchesDifferencesOfTheVelocity() throws {
        let c = Self.problem()
        let a = try Architecture(sizes: [3, 2, 2], bias: true)
        let flow = try GradientFlow(architecture: a, correlations: c, terms: FlowTerms(weightDecay: 0.2, layerRates: [1.5, 0.25]))
        let w = try Initialization.gaussian(seed: 2, scale: 0.5).weights(for: a)
        let n = flow.dimension
        var j = [Double](repeating: 0, count: n * n)
        j.withUnsafeMutableBufferPointer { flow.jacobian(at: w, into: $0.baseAddress!) }
        for col in 0..<n {
            let h = 1e-6
            var p = w.flat, m = w.flat
            p[col] += h
            m[col] -= h
            let fp = flow.velocity(at: Weights(architecture: a, flat: p)).flat
            let fm = flow.velocity(at: Weights(architecture: a, flat: m)).flat
            for row in 0..<n {
                let d = (fp[row] - fm[row]) / (2 * h)
                #expect(abs(j[row * n + col] - d) < 1e-7 * max(1, abs(d)), "J[\(row), \(col)] = \(j[row * n + col]) vs \(d)")
            }
        }
    }

    /// Q_l = W_{l+1}ᵀW_{l+1}/r_{l+1} − W_lW_lᵀ/r_l, every entry, from random (unbalanced) starts on
    /// data with correlated inputs: Q_l(0)e^{−2γrt} with decay and equal rates r (e^{−2γt} for
    /// r = 1), and conserved with unequal rates and no decay.
    @Test func imbalanceDecaysAsExpOfMinusTwoGammaT() throws {
        var worst = 0.0
        let cases: [([Double]?, [Double])] = [(nil, [0.05, 0.3]), ([1.0, 1.0, 1.0], [0.3]), ([2.0, 2.0, 2.0], [0.05]),
                                              ([0.5, 2.0, 1.25], [0])]
        for (trial, (rates, decays)) in cases.enumerated() {
            for γ in decays {
                let c = Self.problem(seed: UInt64(10 + trial))
                let a = try Architecture(sizes: [3, 4, 3, 2])
                let terms = FlowTerms(weightDecay: γ, layerRates: rates)
                let flow = try GradientFlow(architecture: a, correlations: c, terms: terms)
                let w0 = try Initialization.gaussian(seed: UInt64(trial), scale: 0.8).weights(for: a)
                func q(_ w: Weights, _ l: Int) -> Matrix {
                    let r1 = terms.rate(ofLayer: l), r2 = terms.rate(ofLayer: l + 1)
                    return (1 / r2) * (w.layer(l + 1).transposed * w.layer(l + 1)) - (1 / r1) * (w.layer(l) * w.layer(l).transposed)
                }
                let times = [0.5, 2, 6.0]
                let path = try integrate(flow, from: w0, times: times, rtol: 1e-12, atol: 1e-14)
                for (t, w) in zip(times, path) {
                    for l in 1..<a.depth {
                        let expected = exp(-2 * γ * terms.rate(ofLayer: 1) * t) * q(w0, l), got = q(w, l)
                        let scale = max(q(w0, l).maxAbs, 1)
                        let d = maxAbsDifference(got, expected) / scale
                        worst = max(worst, d)
                        // The integrator's local tolerance 1e-12 over a few hundred steps, on
                        // weights of size ~1: far below 1e-8.
                        #expect(d < 1e-8, "rates \(String(describing: rates)) γ \(γ) t \(t) pair \(l): \(d)")
                    }
                }
            }
        }
        print("imbalance law: largest relative deviation from Q(0)e^{−2γt}: \(worst)")
    }

    /// Two layers, Σ11 = cI, an aligned balanced start: every mode strength follows
    /// u(t) = s′e^{2s′ct}/(e^{2s′ct} − 1 + s′/u0) with s′ = s/c − γ/c, written out here; modes
    /// with s ≤ γ die. Both the closed form and the numerical flow are checked against it.
    @Test func alignedModesFollowTheLogisticWithSMinusGamma() throws {
        var g = SplitMix64(seed: 7)
        var worstFlow = 0.0, worstForm = 0.0
        for trial in 0..<8 {
            let c = [1, 0.5, 2, 0.125][trial % 4]
            let data = whiteProblem(4, 3, c: c, &g)
            let values = try SingularValueDecomposition(data.sigma31).values
            // γ between the modes' strengths, so that some modes live and some die.
            let γ = values[0] * [0.2, 0.5, 0.8, 1.2][trial % 4]
            let a = try Architecture(sizes: [4, 3, 3])
            let u0 = 1e-3 * (1 + Double(trial))
            let w0 = try Initialization.aligned(seed: UInt64(trial), scale: u0).weights(for: a, correlations: data)
            let terms = FlowTerms(weightDecay: γ)
            let form = try AlignedModeSolution(start: w0, white: WhiteInputs(data), terms: terms)
            let flow = try GradientFlow(architecture: a, correlations: data, terms: terms)
            let times = [1.0, 4, 10, 30]
            let path = try integrate(flow, from: w0, times: times)
            let basis = try SingularValueDecomposition(data.sigma31)
            for (t, w) in zip(times, path) {
                let fromForm = try form.strengths(at: t)
                for (α, s) in values.enumerated() {
                    let sp = (s - γ) / c, th = c * t
                    let exact = sp * exp(2 * sp * th) / (exp(2 * sp * th) - 1 + sp / u0)
                    let u = basis.u.column(α), v = basis.v.column(α)
                    var numeric = 0.0
                    let m = w.endToEnd
                    for i in 0..<m.rows { for j in 0..<m.cols { numeric += u[i] * m[i, j] * v[j] } }
                    worstFlow = max(worstFlow, abs(numeric - exact))
                    worstForm = max(worstForm, abs(fromForm[α] - exact))
                    #expect(abs(numeric - exact) < 1e-8 * max(1, exact), "trial \(trial) t \(t) mode \(α): flow \(numeric) vs \(exact)")
                    #expect(abs(fromForm[α] - exact) < 1e-13 * max(1, exact) + 1e-15, "trial \(trial) t \(t) mode \(α): form \(fromForm[α]) vs \(exact)")
                    if s <= γ { #expect(exact < u0, "a mode with s ≤ γ must not grow") }
                }
            }
            for (α, s) in values.enumerated() { #expect(form.limits[α] == max(s / c - γ / c, 0)) }
        }
        print("logistic with s − γ: flow within \(worstFlow), closed form within \(worstForm)")
    }

    /// The closed forms refuse what decay breaks: λ-balanced (Riccati) starts and depth ≥ 3.
    @Test func closedFormsRefuseWhereDecayBreaksThem() throws {
        var g = SplitMix64(seed: 1)
        let data = whiteProblem(3, 3, c: 1, &g)
        let terms = FlowTerms(weightDecay: 0.1)
        let two = try Architecture(sizes: [3, 3, 3]), three = try Architecture(sizes: [3, 3, 3, 3])
        let lambda = try Initialization.lambdaBalanced(seed: 1, scale: 0.1, lambda: 0.5).weights(for: two, correlations: data)
        #expect(throws: LinflowError.self) { try ClosedFormSolution(.lambdaBalanced, start: lambda, white: WhiteInputs(data), terms: terms) }
        #expect(throws: LinflowError.self) { try ClosedFormSolution(.auto, start: lambda, white: WhiteInputs(data), terms: terms) }
        let deep = try Initialization.aligned(seed: 1, scale: 0.01).weights(for: three, correlations: data)
        #expect(throws: LinflowError.self) { try ClosedFormSolution(.modes, start: deep, white: WhiteInputs(data), terms: terms) }
        #expect(throws: LinflowError.self) { try FlowTerms(weightDecay: -0.1).check(depth: 2) }
        #expect(throws: LinflowError.self) { try FlowTerms(layerRates: [1, 2, 3]).check(depth: 2) }
        #expect(throws: LinflowError.self) { try FlowTerms(layerRates: [1, 0]).check(depth: 2) }
    }

    /// One layer with decay: a(t) = a∞ + (a0 − a∞)e^{−(1+γ̂)t̂}, a∞ = ŝ/(1 + γ̂), i.e. the flow ends at
    /// the ridge map W_γ = Σ31(Σ11 + γI)⁻¹; and the ridge map makes the objective's gradient vanish.
    @Test func oneLayerEndsAtTheRidgeMap() throws {
        let c = Self.problem(inputs: 4, outputs: 3)
        for γ in [0.0, 0.05, 1.5] {
            let ls = try LeastSquares(c)
            let ridge = try Ridge(c, weightDecay: γ, bias: false, leastSquares: ls)
            // Σ31 − W Σ11 − γW = 0.
            let residual = c.sigma31 - ridge.map * c.sigma11 - γ * ridge.map
            #expect(residual.maxAbs < 1e-12 * max(1, c.sigma31.maxAbs), "γ \(γ): \(residual.maxAbs)")
            let a = try Architecture(sizes: [4, 3])
            let flow = try GradientFlow(architecture: a, correlations: c, terms: FlowTerms(weightDecay: γ))
            let w0 = try Initialization.gaussian(seed: 1, scale: 0.1).weights(for: a)
            let end = try integrate(flow, from: w0, times: [400]).last!
            #expect(maxAbsDifference(end.layer(1), ridge.map) < 1e-7, "γ \(γ)")
            #expect(abs(ridge.objective - (flow.loss(at: end) + FlowTerms(weightDecay: γ).penalty(end))) < 1e-10)
        }
        // Whitened inputs: W_γ = Σ31/(c + γ) exactly.
        var g = SplitMix64(seed: 4)
        let white = whiteProblem(3, 2, c: 0.5, &g)
        let r = try Ridge(white, weightDecay: 0.25, bias: false, leastSquares: try LeastSquares(white))
        #expect(maxAbsDifference(r.map, (1 / 0.75) * white.sigma31) < 1e-14)
    }
}
