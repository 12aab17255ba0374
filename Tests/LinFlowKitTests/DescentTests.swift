import Foundation
import Testing
import Numerics
@testable import LinFlowNumerics
import LinFlowTestSupport
@testable import LinFlowIO
@testable import LinFlowPlot
@testable import LinFlowRuns
@testable import LinFlowSweep

/// Gradient descent, minibatches and momentum against facts derived by hand.
@Suite struct DescentTests {
    /// For whitened inputs (Σ11 = I) and a balanced, aligned start W21 = R√D Vᵀ, W32 = U√D Rᵀ,
    /// descent keeps the modes decoupled: each u of W32W21 = U diag(u) Vᵀ obeys
    /// u_{k+1} = u_k (1 + η(s − u_k))². Includes steps near the edge (ηs close to 1), where u
    /// overshoots s and oscillates back.
    @Test func balancedAlignedModesFollowTheDiscreteMap() throws {
        var g = SplitMix64(seed: 41)
        for trial in 0..<8 {
            let n0 = 3 + trial % 2, nOut = 2 + trial % 3, r = min(n0, nOut), h = r + trial % 2
            let problem = AlignedProblem(n0: n0, h: h, nOut: nOut, r: r, g: &g)
            let eta = [0.05, 0.3, 0.9][trial % 3] / problem.s.max()!
            let descent = GradientDescent(gradientSource: try GradientFlow(architecture: problem.architecture, correlations: problem.correlations),
                                          initial: problem.start, learningRate: eta)
            var u = problem.u0
            for k in 1...120 {
                descent.advance()
                u = zip(u, problem.s).map { u, s in u * (1 + eta * (s - u)) * (1 + eta * (s - u)) }
                if [1, 2, 10, 40, 120].contains(k) {
                    let predicted = problem.endToEnd(u)
                    #expect(descent.weights.endToEnd.isApproximatelyEqual(to: predicted, absoluteTolerance: 1e-11),
                            "trial \(trial) step \(k)")
                }
            }
        }
    }

    /// One step changes the imbalance W32ᵀW32 − W21W21ᵀ by exactly η²(G2ᵀG2 − G1G1ᵀ), with
    /// G1 = W32ᵀE, G2 = EW21ᵀ, E = Σ31 − W32W21Σ11 (the flow conserves it; descent does not).
    @Test func oneStepChangesTheImbalanceByEtaSquared() throws {
        let data = Samples(n: 30, inputs: 4, outputs: 3, seed: 5)
        let c = data.correlations
        let a = try Architecture(sizes: [4, 5, 3])
        let flow = try GradientFlow(architecture: a, correlations: c)
        var g = SplitMix64(seed: 6)
        for eta in [0.01, 0.1, 0.4] {
            let w = Weights(architecture: a, flat: (0..<a.parameterCount).map { _ in 0.6 * g.normal() })
            let w21 = w.layer(1), w32 = w.layer(2)
            let e = c.sigma31 - w32 * w21 * c.sigma11
            let g1 = w32.transposed * e, g2 = e * w21.transposed
            let predicted = (eta * eta) * (g2.transposed * g2 - g1 * g1.transposed)
            let descent = GradientDescent(gradientSource: flow, initial: w, learningRate: eta)
            descent.advance()
            func q(_ w: Weights) -> Matrix { w.layer(2).transposed * w.layer(2) - w.layer(1) * w.layer(1).transposed }
            let change = q(descent.weights) - q(w)
            #expect(predicted.frobeniusNorm > 1e-4)
            #expect(change.isApproximatelyEqual(to: predicted, absoluteTolerance: 1e-12 * max(1, q(w).frobeniusNorm)))
        }
    }

    /// The loss read off an evaluation, L* + ½ Σ E_ij (W*_ij − W_ij), is ``GradientFlow/loss(at:)``
    /// on random weights, with and without biases, at depths 1 to 4; it is withheld (NaN) when
    /// the flow is off or evaluates a minibatch's correlations.
    @Test(arguments: [false, true])
    func lossAtLastEvaluationIsTheLoss(bias: Bool) throws {
        let data = Samples(n: 40, inputs: 4, outputs: 3, seed: 12, shift: bias ? 0.7 : 0)
        var g = SplitMix64(seed: 13)
        for sizes in [[4, 3], [4, 5, 3], [4, 2, 6, 3], [4, 5, 3, 4, 3]] {
            let a = try Architecture(sizes: sizes, bias: bias)
            let flow = try GradientFlow(architecture: a, correlations: data.correlations)
            var d = [Double](repeating: 0, count: a.parameterCount)
            #expect(flow.lossAtLastEvaluation.isNaN)
            flow.recordsLoss = true
            for scale in [0.05, 0.5, 1.5] {
                let w = Weights(architecture: a, flat: (0..<a.parameterCount).map { _ in scale * g.normal() })
                w.flat.withUnsafeBufferPointer { y in _ = flow.evaluate(y.baseAddress!, &d) }
                let exact = flow.loss(at: w)
                #expect(abs(flow.lossAtLastEvaluation - exact) <= 1e-12 * exact, "\(sizes) bias \(bias) scale \(scale)")
            }
            try flow.setGradientCorrelations(data.correlations)
            #expect(flow.lossAtLastEvaluation.isNaN)
        }
    }

    /// Heavy ball on a one-parameter quadratic L(w) = ½(a w² − 2bw + c): the error e_k = w_k − b/a
    /// solves e_{k+1} = (1 + β − ηa)e_k − βe_{k−1} with e_{−1} = e_0, whose closed form follows
    /// from the roots of r² − (1 + β − ηa)r + β (real and distinct, or a complex pair ρe^{±iφ}).
    @Test(arguments: [(0.1, 0.3), (0.1, 0.5), (0.5, 0.9), (1.5, 0.2)])
    func heavyBallOnAQuadraticMatchesTheClosedForm(eta: Double, beta: Double) throws {
        let a = 1.3, b = 0.7
        let c = Correlations(sampleCount: 1, sigma11: Matrix([[a]]), sigma31: Matrix([[b]]), traceSigma33: 2)
        let arch = try Architecture(sizes: [1, 1])
        let w0 = 2.0, e0 = w0 - b / a, e1 = (1 - eta * a) * e0
        let p = 1 + beta - eta * a, disc = p * p - 4 * beta
        func closedForm(_ k: Int) -> Double {
            if disc > 0 {
                let r1 = (p + disc.squareRoot()) / 2, r2 = (p - disc.squareRoot()) / 2
                let coefB = (e1 - r1 * e0) / (r2 - r1), coefA = e0 - coefB
                return coefA * Double.pow(r1, k) + coefB * Double.pow(r2, k)
            }
            let rho = beta.squareRoot(), phi = Double.acos(p / (2 * rho))
            let d = (e1 / rho - e0 * Double.cos(phi)) / Double.sin(phi)
            return Double.pow(rho, k) * (e0 * Double.cos(Double(k) * phi) + d * Double.sin(Double(k) * phi))
        }
        let descent = GradientDescent(gradientSource: try GradientFlow(architecture: arch, correlations: c),
                                      initial: Weights(architecture: arch, flat: [w0]), learningRate: eta, momentum: beta)
        for k in 1...60 {
            descent.advance()
            #expect(abs(descent.state[0] - b / a - closedForm(k)) <= 1e-12, "k = \(k), disc \(disc)")
        }
    }

    /// The leading order of heavy ball's continuous counterpart (1+β)η/2 θ̈ + (1−β)θ̇ = −∇L is
    /// the flow sped up by 1/(1−β): descent at t = kη stays within O(η) of the flow at t/(1−β).
    @Test func heavyBallTracksTheRescaledFlow() throws {
        let data = Samples(n: 20, inputs: 3, outputs: 2, seed: 12)
        let a = try Architecture(sizes: [3, 3, 2])
        let flow = try GradientFlow(architecture: a, correlations: data.correlations)
        let w0 = try Initialization.gaussian(seed: 3, scale: 0.4).weights(for: a)
        let beta = 0.6, horizon = 2.0
        let target = try integrate(flow, from: w0, times: [horizon / (1 - beta)]).last!
        var gaps: [Double] = []
        for eta in [0.02, 0.01, 0.005] {
            let descent = GradientDescent(gradientSource: flow, initial: w0, learningRate: eta, momentum: beta)
            for _ in 0..<Int((horizon / eta).rounded()) { descent.advance() }
            gaps.append((descent.weights.endToEnd - target.endToEnd).frobeniusNorm)
        }
        #expect(gaps[0] > 1e-4)
        for i in 1..<gaps.count {
            let ratio = gaps[i - 1] / gaps[i]
            #expect(ratio > 1.7 && ratio < 2.3, "gaps \(gaps)")
        }
    }

    /// A run of `Descent` through minibatches of all N samples takes the same steps as full-batch
    /// descent on the correlations (the batch is the whole dataset in shuffled order).
    @Test func oneBatchOfEverySampleGivesTheFullBatchStep() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("linflow-descent-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        func rows(batch: Int?) throws -> [[Double]] {
            var request = RunRequest(command: .descend, arguments: ["descend"])
            request.data = DataChoice(dataset: "seed-affine")
            request.network.hidden = 3
            request.start = StartChoice(kind: "random", seed: 4, scale: 0.5)
            request.descent = DescentChoice(learningRate: 0.1, steps: 50, every: 1, batchSize: batch)
            request.output = dir.appendingPathComponent("\(batch ?? 0).csv").path
            _ = try Descent(RunSetup(request)).run(notice: { _ in })
            let text = try String(contentsOfFile: request.output!, encoding: .utf8)
            return text.split(separator: "\n").dropFirst().map { $0.split(separator: ",").map { Double($0)! } }
        }
        let full = try rows(batch: nil), batched = try rows(batch: 4)
        #expect(full.count == 51 && batched.count == 51)
        #expect(abs(full.last![1] - full.first![1]) > 0.1)
        for (p, q) in zip(full, batched) {
            for (x, y) in zip(p, q) { #expect(abs(x - y) <= 1e-12 * max(1, abs(x))) }
        }
    }

    /// A minibatch step is θ − η∇L_B(θ) with L_B = 1/(2B) Σ_{n∈batch} ‖yₙ − ŷₙ‖², the gradient
    /// taken here by finite differences of that loss over the batch's own samples.
    @Test func minibatchStepUsesTheBatchOwnGradient() throws {
        let data = Samples(n: 11, inputs: 3, outputs: 2, seed: 8)
        let samples = SampleSet(inputs: 3, outputs: 2, values: zip(data.x, data.y).flatMap { $0 + $1 })
        let a = try Architecture(sizes: [3, 4, 2])
        let source = try GradientFlow(architecture: a, correlations: data.correlations)
        let sampler = MinibatchSampler(sampleCount: 11, batchSize: 4, seed: 9)
        var g = SplitMix64(seed: 10)
        let w = Weights(architecture: a, flat: (0..<a.parameterCount).map { _ in 0.5 * g.normal() })
        let eta = 0.2
        for _ in 0..<3 {
            let batch = Array(sampler.next())
            try source.setGradientCorrelations(samples.correlations(of: batch))
            let descent = GradientDescent(gradientSource: source, initial: w, learningRate: eta)
            descent.advance()
            let sub = Samples(x: batch.map { data.x[$0] }, y: batch.map { data.y[$0] })
            for i in 0..<a.parameterCount {
                var plus = w, minus = w
                plus.flat[i] += 1e-6
                minus.flat[i] -= 1e-6
                let gradient = (sub.loss(plus) - sub.loss(minus)) / 2e-6
                #expect(abs(descent.state[i] - (w.flat[i] - eta * gradient)) <= 1e-8)
            }
        }
    }

    /// Every epoch uses each sample once, in batches of B and a last one of N mod B; the order
    /// changes from epoch to epoch and is fixed by the seed.
    @Test func everyEpochIsAPermutationFixedByTheSeed() {
        func epochs(seed: UInt64) -> [[[Int]]] {
            let s = MinibatchSampler(sampleCount: 10, batchSize: 3, seed: seed)
            return (0..<5).map { _ in (0..<4).map { _ in Array(s.next()) } }
        }
        let a = epochs(seed: 1)
        for epoch in a {
            #expect(epoch.map(\.count) == [3, 3, 3, 1])
            #expect(epoch.flatMap { $0 }.sorted() == Array(0..<10))
        }
        #expect(Set(a.map { $0.flatMap { $0 } }).count == 5)
        #expect(epochs(seed: 1) == a)
        #expect(epochs(seed: 2) != a)
    }

    /// Samples load from a CSV file in order; past the memory limit the file is refused.
    @Test func sampleSetLoadsAFileAndRefusesOneAboveTheLimit() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("linflow-samples-\(UUID().uuidString).csv")
        try "a,b,y\n1,2,3\n4,5,6\n7,8,9\n".write(to: url, atomically: true, encoding: .utf8)
        let s = try SampleSet.load(.file(path: url.path, outputs: 1))
        #expect(s.inputs == 2 && s.outputs == 1 && s.count == 3 && s.values == (1...9).map(Double.init))
        #expect(throws: LinflowError.self) { try SampleSet.load(.file(path: url.path, outputs: 1), limit: 8) }
    }

    /// Divergence is a non-finite value or a loss above 10⁶·L0 + 1, and the message names the step.
    @Test func divergenceCheckNamesTheStepAndTheReason() {
        let check = DivergenceCheck(initialLoss: 2)
        #expect(check.bound == 2_000_001)
        #expect(check.failure(step: 3, time: 0.3, loss: 2_000_000, finiteWeights: true) == nil)
        #expect(check.failure(step: 3, time: 0.3, loss: 2_000_002, finiteWeights: true)!.hasPrefix("descent diverged at step 3 (t = 0.3): the loss"))
        #expect(check.failure(step: 4, time: 0.4, loss: .nan, finiteWeights: true)!.contains("step 4"))
        #expect(check.failure(step: 5, time: 0.5, loss: 1, finiteWeights: false)!.contains("infinite or NaN"))
    }

    /// A step far beyond 2/sharpness diverges: the run stops with a numerical error naming the
    /// step, and the rows written so far are kept as OUT.partial.
    @Test func divergingRunStopsAndKeepsItsRows() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("linflow-diverge-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var request = RunRequest(command: .descend, arguments: ["descend"])
        request.descent = DescentChoice(learningRate: 12, steps: 500, every: 1)
        request.output = dir.appendingPathComponent("out.csv").path
        var notices: [String] = []
        do {
            _ = try Descent(RunSetup(request)).run { notices.append($0) }
            Issue.record("expected divergence")
        } catch LinflowError.numerical(let m) {
            #expect(m.hasPrefix("descent diverged at step "))
            #expect(m.hasSuffix("rows written so far are in \(request.output!).partial"))
        }
        #expect(notices.count == 1 && notices[0].contains("exceeds 2/sharpness"))
        let partial = try String(contentsOfFile: request.output! + ".partial", encoding: .utf8)
        #expect(partial.hasPrefix("t,loss,") && partial.split(separator: "\n").count > 2)
        #expect(!FileManager.default.fileExists(atPath: request.output!))
    }
}

/// A two-layer problem with whitened inputs, Σ31 = U diag(s) Vᵀ and a balanced start aligned
/// with it: W21 = R diag(√u0) Vᵀ, W32 = U diag(√u0) Rᵀ.
struct AlignedProblem {
    let architecture: Architecture
    let correlations: Correlations
    let s: [Double]
    let u0: [Double]
    let U: Matrix, V: Matrix, R: Matrix

    init(n0: Int, h: Int, nOut: Int, r: Int, g: inout SplitMix64, u0 scale: Double = 1e-2) {
        func cols(_ m: Matrix, _ k: Int) -> Matrix {
            Matrix(rows: m.rows, cols: k, storage: (0..<m.rows).flatMap { i in (0..<k).map { m[i, $0] } })
        }
        U = cols(randomOrthogonal(nOut, &g), r)
        V = cols(randomOrthogonal(n0, &g), r)
        R = cols(randomOrthogonal(h, &g), r)
        s = (0..<r).map { _ in 0.5 + 2.5 * abs(g.uniform()) }
        u0 = (0..<r).map { _ in scale * (0.1 + abs(g.uniform())) }
        architecture = try! Architecture(sizes: [n0, h, nOut])
        correlations = Correlations(sampleCount: 1, sigma11: .identity(n0), sigma31: U * diagonal(s) * V.transposed, traceSigma33: 10)
    }

    var start: Weights { weights(u0) }

    /// The balanced weights whose end-to-end map is U diag(u) Vᵀ.
    func weights(_ u: [Double]) -> Weights {
        let root = diagonal(u.map { $0.squareRoot() })
        return Weights(architecture: architecture, layers: [R * root * V.transposed, U * root * R.transposed])
    }

    func endToEnd(_ u: [Double]) -> Matrix { U * diagonal(u) * V.transposed }
}

func diagonal(_ d: [Double]) -> Matrix {
    var m = Matrix(rows: d.count, cols: d.count)
    for i in 0..<d.count { m[i, i] = d[i] }
    return m
}
