import Foundation
import Testing
@testable import LinFlowNumerics
import LinFlowTestSupport

/// A switch of task (a new Σ31 from time T on) keeps the imbalance, so a λ-balanced start stays
/// one and the Riccati form restarted from the state at T solves the flow on the next task.
@Suite struct TaskSwitchTests {
    @Test func closedFormRestartedAtTheSwitchEqualsTheFlow() throws {
        var g = SplitMix64(seed: 21)
        var worst = 0.0
        for trial in 0..<6 {
            let c = [1, 0.5, 2][trial % 3]
            let a = whiteProblem(3, 2, c: c, &g), b = whiteProblem(3, 2, c: c, &g)
            let λ = [0, 0.4, -0.3][trial % 3]
            let rates: [Double]? = trial < 3 ? nil : [0.5, 2]
            let terms = FlowTerms(layerRates: rates)
            let arch = try Architecture(sizes: [3, 2, 2])
            let w0 = try Initialization.lambdaBalanced(seed: UInt64(trial), scale: 0.3, lambda: λ).weights(for: arch, correlations: a)
            // With rates, balanced in their metric: V = w0 mapped back to W (``RateMetric``).
            let start = try rates.map { try RateMetric(FlowTerms(layerRates: $0), depth: 2).rated(w0) } ?? w0
            let switchTime = 1.7, after = [0.5, 3, 9.0]
            // The flow: A to the switch, then B.
            let onA = try integrate(GradientFlow(architecture: arch, correlations: a, terms: terms), from: start, times: [switchTime]).last!
            let onB = try integrate(GradientFlow(architecture: arch, correlations: b, terms: terms), from: onA, times: after)
            // The closed form: A's to the switch, then B's restarted from its state there.
            var formA = try RiccatiSolution(start: start, white: WhiteInputs(a), anyLambda: true, terms: terms)
            try formA.advance(to: switchTime)
            var formB = try RiccatiSolution(start: formA.weights, white: WhiteInputs(b), anyLambda: true, terms: terms)
            for (t, w) in zip(after, onB) {
                try formB.advance(to: t)
                let d = max(maxAbsDifference(formB.weights.endToEnd, w.endToEnd), maxAbsDifference(gram(formB.weights), gram(w)))
                worst = max(worst, d)
                #expect(d < 1e-8, "trial \(trial) t \(switchTime + t): \(d)")
            }
        }
        print("task switch: restarted closed form within \(worst) of the flow")
    }
}
