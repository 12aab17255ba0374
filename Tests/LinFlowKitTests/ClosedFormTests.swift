import Foundation
import Testing
import Numerics
@testable import LinFlowNumerics
import LinFlowTestSupport
@testable import LinFlowIO
@testable import LinFlowPlot
@testable import LinFlowRuns
@testable import LinFlowSweep

/// The closed forms against the numerically integrated flow, on many random problems and starts.
@Suite struct ClosedFormTests {
    /// Σ11 = c·I and a random Σ31.
    static let times = [0.25, 0.5, 1, 2, 4, 8, 16]

    /// The flow with Σ11 = cI at time t equals the flow with Σ11 = I and Σ31/c at time c·t.
    @Test func whiteInputsAreATimeRescaling() throws {
        var g = SplitMix64(seed: 1)
        for c in [0.125, 0.5, 3.0] {
            let data = whiteProblem(4, 3, c: c, &g)
            let white = try WhiteInputs(data)
            let rescaled = Correlations(sampleCount: 1, sigma11: .identity(4), sigma31: white.sigma31, traceSigma33: 1)
            let a = try Architecture(sizes: [4, 5, 3])
            let w0 = try Initialization.gaussian(seed: 2, scale: 0.3).weights(for: a)
            let path = try integrate(GradientFlow(architecture: a, correlations: data), from: w0, times: [1, 5])
            let other = try integrate(GradientFlow(architecture: a, correlations: rescaled), from: w0, times: [c, 5 * c])
            for (p, q) in zip(path, other) { #expect(maxAbsDifference(p.endToEnd, q.endToEnd) < 1e-9) }
        }
        #expect(throws: LinflowError.self) { try WhiteInputs(Samples(n: 20, inputs: 3, outputs: 2, seed: 1).correlations) }
    }

    /// Saxe et al.'s per-mode solution for aligned balanced starts, at depths 1 to 5, on random
    /// problems (Σ11 = cI), widths (bottlenecks included) and initial strengths. Returns the
    /// largest deviation of the weights.
    @Test(arguments: [1, 2, 3, 4, 5])
    func alignedModesMatchTheFlow(depth: Int) throws {
        var g = SplitMix64(seed: UInt64(depth))
        var worst = 0.0
        for trial in 0..<8 {
            let n0 = 2 + trial % 3, n2 = 2 + (trial / 2) % 3
            let hidden = (1..<depth).map { _ in 2 + Int(g.next() % 4) }
            let c = [1, 0.125, 0.5, 2][trial % 4]
            let data = whiteProblem(n0, n2, c: c, &g)
            let a = try Architecture(sizes: [n0] + hidden + [n2])
            let a0 = 1e-3 * pow(10, 2.5 * abs(g.uniform()))
            let w0 = try Initialization.aligned(seed: UInt64(trial), scale: a0).weights(for: a, correlations: data)
            let solution = try AlignedModeSolution(start: w0, white: WhiteInputs(data))
            let path = try integrate(GradientFlow(architecture: a, correlations: data), from: w0, times: Self.times)
            for (t, w) in zip(Self.times, path) {
                let exact = try solution.weights(at: t)
                let d = zip(exact.flat, w.flat).reduce(0.0) { max($0, abs($1.0 - $1.1)) }
                worst = max(worst, d)
                #expect(d < 1e-8, "depth \(depth) trial \(trial) t \(t): \(d)")
            }
        }
        print("aligned modes, depth \(depth): largest weight deviation \(worst)")
    }

    /// The rk8pd solution of da/dt = L a^{2−2/L}(s − a) (depth ≥ 3) against an independent
    /// quadrature of t(a) = ∫ da/(L a^{2−2/L}(s − a)) (Gauss–Legendre in ln a), and the
    /// predicted time to reach a level against the same quadrature.
    @Test(arguments: [3, 4, 6])
    func deepModeODEMatchesQuadrature(depth: Int) throws {
        let s = [1.7, 0.6], a0 = 2e-3
        let sigma31 = Matrix([[s[0], 0, 0], [0, s[1], 0]])
        let data = Correlations(sampleCount: 1, sigma11: .identity(3), sigma31: sigma31, traceSigma33: 5)
        let a = try Architecture(sizes: [3] + Array(repeating: 3, count: depth - 1) + [2])
        let w0 = try Initialization.aligned(seed: 1, scale: a0).weights(for: a, correlations: data)
        let solution = try AlignedModeSolution(start: w0, white: WhiteInputs(data))
        func quadrature(_ s: Double, to a: Double) -> Double {
            let L = Double(depth), nodes = [-0.906179845938664, -0.538469310105683, 0, 0.538469310105683, 0.906179845938664]
            let weights = [0.236926885056189, 0.478628670499366, 0.568888888888889, 0.478628670499366, 0.236926885056189]
            let y0 = log(a0), y1 = log(a), panels = 4000, h = (y1 - y0) / Double(panels)
            var t = 0.0
            for p in 0..<panels {
                for (x, w) in zip(nodes, weights) {
                    let y = y0 + h * (Double(p) + 0.5 + 0.5 * x)
                    t += 0.5 * h * w / (L * exp((1 - 2 / L) * y) * (s - exp(y)))
                }
            }
            return t
        }
        for t in [0.5, 2, 5, 10, 20] {
            let strengths = try solution.strengths(at: t)
            for (i, si) in s.enumerated() where strengths[i] < 0.999 * si {
                #expect(abs(quadrature(si, to: strengths[i]) - t) < 1e-9 * max(1, t), "depth \(depth) mode \(i) t \(t)")
            }
        }
        for (i, si) in s.enumerated() {
            let predicted = try #require(try solution.time(toReach: si / 2, mode: i))
            #expect(abs(predicted - quadrature(si, to: si / 2)) < 1e-9 * predicted)
        }
    }

    /// Braun et al.'s Riccati solution from random zero-balanced (not aligned) starts, two layers,
    /// Σ11 = cI: QQᵀ (the end-to-end map W32W21 and the Grams W21ᵀW21, W32W32ᵀ) against the flow.
    @Test func riccatiMatchesTheFlowFromRandomZeroBalancedStarts() throws {
        var g = SplitMix64(seed: 77)
        var worst = 0.0
        for trial in 0..<12 {
            let n0 = 2 + trial % 4, n2 = 2 + (trial / 3) % 3, h = 1 + Int(g.next() % 6)
            let c = [1, 0.125, 0.5, 2][trial % 4]
            let data = whiteProblem(n0, n2, c: c, &g)
            let a = try Architecture(sizes: [n0, h, n2])
            let w0 = try Initialization.balanced(seed: UInt64(trial + 1), scale: 0.05 + 0.4 * abs(g.uniform())).weights(for: a)
            var solution = try RiccatiSolution(start: w0, white: WhiteInputs(data))
            let path = try integrate(GradientFlow(architecture: a, correlations: data), from: w0, times: Self.times)
            for (t, w) in zip(Self.times, path) {
                try solution.advance(to: t)
                let exact = solution.weights
                let d = max(maxAbsDifference(gram(exact), gram(w)), maxAbsDifference(exact.endToEnd, w.endToEnd))
                worst = max(worst, d)
                #expect(d < 1e-8, "trial \(trial) t \(t): \(d)")
                #expect(exact.imbalance < 1e-10)
            }
        }
        print("Riccati: largest deviation of QQᵀ and W32W21 \(worst)")
    }

    /// On an aligned start both closed forms apply and agree to rounding, weights included
    /// (there the Riccati factor is the flow's own hidden basis).
    @Test func riccatiReducesToSaxeOnAlignedStarts() throws {
        var g = SplitMix64(seed: 5)
        for trial in 0..<6 {
            let data = whiteProblem(3 + trial % 2, 4, c: [1, 0.25][trial % 2], &g)
            let a = try Architecture(sizes: [data.inputs, 2 + trial % 3, 4])
            let w0 = try Initialization.aligned(seed: UInt64(trial), scale: 1e-3).weights(for: a, correlations: data)
            let white = try WhiteInputs(data)
            let saxe = try AlignedModeSolution(start: w0, white: white)
            var riccati = try RiccatiSolution(start: w0, white: white)
            for t in Self.times {
                try riccati.advance(to: t)
                #expect(maxAbsDifference(try saxe.weights(at: t).endToEnd, riccati.weights.endToEnd) < 1e-12)
                let d = zip(try saxe.weights(at: t).flat, riccati.weights.flat).reduce(0.0) { max($0, abs($1.0 - $1.1)) }
                #expect(d < 1e-11, "trial \(trial) t \(t): \(d)")
            }
        }
    }

    /// Predicted times to reach half of s/c against the time measured on the integrated flow
    /// (located on a grid and refined by bisection on re-integrations), depths 1 to 4.
    @Test(arguments: [1, 2, 3, 4])
    func predictedLearningTimesMatchMeasured(depth: Int) throws {
        var g = SplitMix64(seed: 40 + UInt64(depth))
        let data = whiteProblem(3, 3, c: 0.5, &g)
        let a = try Architecture(sizes: [3] + Array(repeating: 4, count: depth - 1) + [3])
        let a0 = depth >= 3 ? 0.05 : 1e-3  // deep chains leave a small start slowly
        let w0 = try Initialization.aligned(seed: 9, scale: a0).weights(for: a, correlations: data)
        let solution = try AlignedModeSolution(start: w0, white: WhiteInputs(data))
        let flow = try GradientFlow(architecture: a, correlations: data)
        let grid = (0...60).map { Double($0) }
        let path = try integrate(flow, from: w0, times: grid)
        let u = solution.basis.u, v = solution.basis.v
        func strength(_ w: Weights, _ α: Int) -> Double { (u.transposed * w.endToEnd * v)[α, α] }
        for α in 0..<3 {
            let level = solution.targets[α] / 2
            let predicted = try #require(try solution.time(toReach: level, mode: α))
            let measured = try #require(try firstCrossing(grid, path.map { strength($0, α) }, level) { i, dt in
                strength(try integrate(flow, from: path[i], times: [dt]).last!, α)
            })
            #expect(abs(predicted - measured) < 1e-7 * predicted, "depth \(depth) mode \(α): \(predicted) vs \(measured)")
            if depth == 2 {  // the issue's formula, literally
                let s = data.sigma31Singular(α), u0 = 1e-3, c = 0.5
                #expect(predicted.isApproximatelyEqual(to: log(level * (s / c - u0) / (u0 * (s / c - level))) / (2 * s), relativeTolerance: 1e-12))
            }
        }
    }

    /// `linflow analytic`'s table: closed-form and measured half-learning times agree for the
    /// per-mode forms and for the Riccati form; its deviations are at rounding level.
    @Test(arguments: [("aligned", [8, 16, 15]), ("aligned", [8, 6, 6, 15]), ("balanced", [8, 16, 15])])
    func analyticReportsAgreeingTimes(kind: String, sizes: [Int]) throws {
        var request = RunRequest(command: .analytic, arguments: ["analytic"])
        request.start = StartChoice(kind: kind, seed: 3, scale: kind == "aligned" ? 1e-3 : 0.01)
        request.network.layers = sizes
        request.sampling = SamplingChoice(samples: 80)
        request.output = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString + ".csv").path
        let summary = try Analytic(RunSetup(request)).run(notice: { _ in })
        #expect(summary.tasks[0].modes.count == 8)
        // Beyond a bottleneck of width 6 the modes start at 0 and are never learned.
        let learned = sizes.dropFirst().dropLast().min()!
        for m in summary.tasks[0].modes.dropFirst(learned) { #expect(m.predicted == nil && m.measured == nil) }
        for m in summary.tasks[0].modes.prefix(learned) {
            let p = try #require(m.predicted), q = try #require(m.measured)
            #expect(abs(p - q) < 1e-7 * p, "\(kind) \(sizes): \(p) vs \(q)")
        }
        let d = try #require(summary.deviation)
        #expect(d.endToEnd < 1e-9 && d.weights < 1e-9 && d.loss < 1e-9)
        print("analytic \(kind) \(sizes): deviations \(d)")
    }

    /// The closed forms refuse, in one line, what they do not cover.
    @Test(arguments: [
        ("seed-affine", "aligned", [Int]?.none, false, ClosedFormKind.auto, "whitened inputs"),
        ("hierarchy", "random", nil, false, .auto, "not λ-balanced"),
        ("hierarchy", "random", [8, 6, 6, 15], false, .auto, "not balanced"),
        ("hierarchy", "aligned", nil, true, .auto, "drop \(Setting.bias)"),
        ("hierarchy", "balanced", [8, 6, 6, 15], false, .auto, "not aligned"),
        ("hierarchy", "balanced", nil, false, .modes, "not aligned"),
        ("hierarchy", "orthogonal", nil, false, .riccati, "not λ-balanced"),
        ("hierarchy", "orthogonal", nil, false, .lambdaBalanced, "not λ-balanced"),
        ("hierarchy", "aligned", [8, 6, 6, 15], false, .riccati, "two-layer"),
    ])
    func refusals(dataset: String, kind: String, layers: [Int]?, bias: Bool, form: ClosedFormKind, message: String) throws {
        var request = RunRequest(command: .analytic, arguments: ["analytic"])
        request.data = DataChoice(dataset: dataset)
        request.start = StartChoice(kind: kind, seed: 1, scale: 0.1)
        request.network = NetworkChoice(layers: layers, bias: bias)
        request.analytic = AnalyticChoice(form: form)
        request.output = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString + ".csv").path
        do {
            _ = try Analytic(RunSetup(request)).run(notice: { _ in })
            Issue.record("accepted \(dataset) \(kind)")
        } catch let e as LinflowError {
            #expect(e.message.contains(message), "\(e.message)")
            #expect(!e.description.contains("\n"))
        }
        #expect(!FileManager.default.fileExists(atPath: request.output!))
    }

    /// Mode strengths converge to the singular values of W* (non-white inputs: W*'s own basis).
    @Test func modeStrengthsConvergeToTheLeastSquaresSingularValues() throws {
        let data = Samples(n: 40, inputs: 4, outputs: 3, seed: 6)
        let a = try Architecture(sizes: [4, 5, 3])
        let flow = try GradientFlow(architecture: a, correlations: data.correlations)
        let basis = try ModeBasis(flow: flow)
        let end = try integrate(flow, from: Initialization.gaussian(seed: 1, scale: 0.1).weights(for: a), times: [400]).last!
        for (x, y) in zip(basis.strengths(of: end.endToEnd), basis.values) { #expect(abs(x - y) < 1e-8) }
        // White inputs: Σ31's own singular vectors, values s/c.
        let hierarchy = try GradientFlow(architecture: Architecture(sizes: [8, 16, 15]), correlations: BuiltinDataset.hierarchy.correlations)
        let white = try ModeBasis(flow: hierarchy), svd = try SingularValueDecomposition(hierarchy.correlations.sigma31)
        #expect(white.u == svd.u && white.v == svd.v && white.values == svd.values.map { $0 * 8 })
    }
}

extension Correlations {
    func sigma31Singular(_ α: Int) -> Double { try! SingularValueDecomposition(sigma31).values[α] }
}
