import Foundation
import Testing
@testable import LinFlowNumerics
@testable import LinFlowRuns

/// The theory of train and test error (``GeneralisationTheory``) against facts it was not built
/// from: moments of the Marchenko–Pastur law, the least-squares and minimum-norm limits, the
/// noiseless flows' own closed forms, and the BBP formulas' square case. The Monte Carlo
/// comparison with simulated tasks is scripts/checks/check_generalisation.py.
@Suite struct GeneralisationTests {
    func task(n: Int = 100, m: Int = 10, N: Int, s: [Double] = [3, 2], noise: Double = 1) throws -> TeacherStudentTask {
        try TeacherStudentTask(inputs: n, outputs: m, trainSamples: N, singularValues: s, noise: noise)
    }

    /// Mass min(1, 1/γ), mean 1, second moment 1 + γ, and E[1/λ] over the continuous part:
    /// 1/(1 − γ) for γ < 1 and 1/(γ(γ − 1)) for γ > 1 (the non-zero eigenvalues are γ times an
    /// MP law of ratio 1/γ). The quadrature's tolerance is 1e-11; 1e-9 leaves room for rounding.
    @Test(arguments: [0.1, 0.25, 0.5, 0.9, 1.0, 1.5, 2.0, 4.0])
    func marchenkoPasturMoments(gamma: Double) {
        let law = MarchenkoPastur(ratio: gamma)
        #expect(abs(law.integral { _ in 1 } - min(1, 1 / gamma)) < 1e-9)
        #expect(abs(law.integral { $0 } - 1) < 1e-9)
        #expect(abs(law.integral { $0 * $0 } - (1 + gamma)) < 1e-9)
        #expect(abs(law.atomAtZero + law.integral { _ in 1 } - 1) < 1e-9)
        if gamma < 1 { #expect(abs(law.integral { 1 / $0 } - 1 / (1 - gamma)) < 1e-8 / (1 - gamma)) }
        if gamma > 1 { #expect(abs(law.integral { 1 / $0 } - 1 / (gamma * (gamma - 1))) < 1e-8) }
    }

    /// Without noise and with N → ∞ (γ = 1e-8, Σ11 → I) one layer follows W(t) = W̄ + (W0 − W̄)e^{−t}:
    /// both losses are ½D²e^{−2t}, D² = ‖W̄‖² + mnσ0². The law's width √γ = 1e-4 moves
    /// E[e^{−2λt}] by a factor 1 + 2t²γ + O(γ²) ≤ 1 + 2e-7 at t ≤ 3.
    @Test func oneLayerWithoutNoiseIsTheExactFlow() throws {
        let theory = try GeneralisationTheory(task: task(n: 50, m: 4, N: 50 * 100_000_000, noise: 0), network: .shallow, initialScale: 0.1)
        let d2 = 13 + 50 * 4 * 0.01
        for t in [0, 0.5, 1, 3.0] {
            let (train, test) = theory.losses(at: t)
            let exact = d2 * exp(-2 * t) / 2
            #expect(abs(test - exact) <= 1e-6 * exact, "t = \(t): \(test) vs \(exact)")
            #expect(abs(train - exact) <= 1e-6 * exact, "t = \(t): \(train) vs \(exact)")
        }
    }

    /// Late times: above one sample per input the flow ends at the least-squares map, whose
    /// excess test error is mσ²/(α − 1) (at finite size mσ²n/(N − n − 1)); below, at the
    /// minimum-norm interpolant from the start, with the unreached (1 − α)D² frozen and the
    /// noise's mσ²α/(1 − α); the train loss ends at its floor ½mσ²(1 − 1/α), or 0.
    @Test(arguments: [0.25, 0.5, 2.0, 4.0])
    func oneLayerLateLossesAreLeastSquaresLimits(alpha: Double) throws {
        let n = 100, m = 10, sigma = 0.7, sigma0 = 0.01
        let t = try task(n: n, m: m, N: Int(alpha * Double(n)), noise: sigma)
        let late = try GeneralisationTheory(task: t, network: .shallow, initialScale: sigma0).losses(at: 1e4)
        let noise = Double(m) * sigma * sigma, d2 = 13 + Double(m * n) * sigma0 * sigma0
        let test = alpha > 1 ? (noise / (alpha - 1) + noise) / 2 : (d2 * (1 - alpha) + noise * alpha / (1 - alpha) + noise) / 2
        let train = alpha > 1 ? noise * (1 - 1 / alpha) / 2 : 0
        #expect(abs(late.test - test) < 1e-8 * test, "\(late.test) vs \(test)")
        #expect(abs(late.train - train) < 1e-8, "\(late.train) vs \(train)")
    }

    /// Advani et al.'s overtraining: the late test loss is largest at α = 1 (where it grows
    /// without bound), and early stopping beats training on, most of all there.
    @Test func lateTestLossPeaksAtOneSamplePerInput() throws {
        let alphas = [0.25, 0.5, 0.8, 0.9, 1.0, 1.1, 1.25, 2, 4]
        var late: [Double] = [], stopped: [Double] = []
        for alpha in alphas {
            let theory = try GeneralisationTheory(task: task(N: Int(alpha * 100)), network: .shallow, initialScale: 0.001)
            late.append(theory.losses(at: 1000).test)
            stopped.append((0...200).map { theory.losses(at: Double($0) * 0.25).test }.min()!)
        }
        #expect(late.indices.max { late[$0] < late[$1] } == alphas.firstIndex(of: 1.0), "\(late)")
        #expect(zip(stopped, late).allSatisfy { $0.0 < $0.1 }, "\(stopped) \(late)")
        // Early-stopped error falls as samples grow; the late error does not.
        #expect(zip(stopped, stopped.dropFirst()).allSatisfy { $0.0 > $0.1 }, "\(stopped)")
        #expect(late[4] > 10 * late[8])
    }

    /// Without noise (no bulk, ŝ = s̄, full overlap) two layers follow Saxe et al.'s sigmoid,
    /// written out here: a(t) = s e^{2st}/(e^{2st} − 1 + s/a0) with a0 = hσ0²/2, and the modes the
    /// teacher lacks decay as a0/(1 + 2a0t). Both losses are ½[Σ(s̄ − a)² + (q − r)a_0(t)²].
    @Test func twoLayersWithoutNoiseFollowSaxesSigmoid() throws {
        let n = 30, m = 6, h = 40, sigma0 = 0.01, s: [Double] = [3, 1.5, 0.5]
        let theory = try GeneralisationTheory(task: task(n: n, m: m, N: 2 * n, s: s, noise: 0), network: .twoLayer(hidden: h), initialScale: sigma0)
        let a0 = Double(h) * sigma0 * sigma0 / 2
        for t in [0, 0.5, 1, 2, 4, 8.0] {
            var twice = 0.0
            for sv in s {
                let e = exp(2 * sv * t), a = sv * e / (e - 1 + sv / a0)
                twice += (sv - a) * (sv - a)
            }
            twice += Double(m - s.count) * pow(a0 / (1 + 2 * a0 * t), 2)
            let (train, test) = theory.losses(at: t)
            #expect(abs(test - twice / 2) < 1e-12 * max(1, twice), "t = \(t)")
            #expect(abs(train - twice / 2) < 1e-12 * max(1, twice), "t = \(t)")
        }
    }

    /// For a square Σ31 (c = 1) the BBP formulas reduce to ŝ = σ_z(θ + 1/θ) and
    /// (ûᵀū)(v̂ᵀv̄) = 1 − 1/θ² above θ = 1, and no outlier below.
    @Test func squareOutliersHaveTheirSimpleForm() throws {
        let n = 200, N = 800, sigma = 1.5
        let sz = sigma * (Double(n) / Double(N)).squareRoot()
        let theory = try GeneralisationTheory(task: task(n: n, m: n, N: N, s: [3 * sz, 1.5 * sz, 0.9 * sz], noise: sigma),
                                              network: .twoLayer(hidden: n), initialScale: 1e-3)
        let out = theory.outliers
        #expect(out.count == 2)
        for (o, theta) in zip(out, [3.0, 1.5]) {
            #expect(abs(o.training - sz * (theta + 1 / theta)) < 1e-12 * o.training)
            #expect(abs(o.overlap - (1 - 1 / (theta * theta))) < 1e-12)
        }
    }

    /// Two layers' train loss ends at what no map of whitened inputs fits: ½mσ²(1 − n/N).
    @Test func twoLayerTrainLossEndsAtItsFloor() throws {
        let (n, m, N, sigma) = (100, 50, 300, 0.8)
        let theory = try GeneralisationTheory(task: task(n: n, m: m, N: N, s: [3], noise: sigma), network: .twoLayer(hidden: 100), initialScale: 1e-3)
        let floor = Double(m) * sigma * sigma * (1 - Double(n) / Double(N)) / 2
        #expect(abs(theory.losses(at: 1e4).train - floor) < 1e-9 * floor)
    }

    /// What the theories do not cover is refused in one line.
    @Test func assumptionsAreChecked() throws {
        #expect(throws: LinflowError.self) { try GeneralisationTheory(task: task(N: 50), network: .twoLayer(hidden: 100), initialScale: 1e-3) }
        #expect(throws: LinflowError.self) { try GeneralisationTheory(task: task(N: 200), network: .twoLayer(hidden: 5), initialScale: 1e-3) }
        #expect(throws: LinflowError.self) { try GeneralisationTheory(task: task(N: 200), network: .twoLayer(hidden: 100), initialScale: 0) }
        #expect(throws: LinflowError.self) { try GeneralisationTheory(task: task(N: 200), network: .twoLayer(hidden: 100), initialScale: 1e-300) }
        #expect(throws: LinflowError.self) { try task(m: 2, N: 200, s: [3, 2, 1]) }
        #expect(throws: LinflowError.self) { try task(N: 200, s: [3, -1]) }
        var choice = GeneralisationChoice()
        (choice.inputs, choice.outputs, choice.trainSamples, choice.singularValues) = (10, 2, 20, [1])
        choice.depth = 3
        #expect(throws: LinflowError.self) { try choice.validate() }
        choice.depth = 1
        choice.hidden = 4
        #expect(throws: LinflowError.self) { try choice.validate() }
    }
}
