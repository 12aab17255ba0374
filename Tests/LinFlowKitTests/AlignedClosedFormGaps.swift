@testable import LinFlowNumerics
import LinFlowTestSupport

/// The largest gap, over every weight, between `method` at rtol 1e-11 and Saxe et al.'s exact
/// solution for aligned balanced starts (white inputs), at t = 0.5, 2, 8, 16 on four chains of
/// `depth` layers (3 inputs, 2 outputs, hidden widths 2–5): one entry per chain and time.
func alignedClosedFormGaps(depth: Int, method: StepperMethod) throws -> [(label: String, gap: Double)] {
    var g = SplitMix64(seed: UInt64(10 + depth))
    var gaps: [(label: String, gap: Double)] = []
    for trial in 0..<4 {
        let hidden = (1..<depth).map { _ in 2 + Int(g.next() % 4) }
        let data = whiteProblem(3, 2, c: [1, 0.5, 2, 0.125][trial], &g)
        let a = try Architecture(sizes: [3] + hidden + [2])
        let w0 = try Initialization.aligned(seed: UInt64(trial), scale: 1e-2).weights(for: a, correlations: data)
        let solution = try AlignedModeSolution(start: w0, white: WhiteInputs(data))
        let times = [0.5, 2, 8, 16.0]
        let path = try integrate(GradientFlow(architecture: a, correlations: data), from: w0, times: times, method: method)
        for (t, w) in zip(times, path) {
            let exact = try solution.weights(at: t)
            gaps.append((label: "depth \(depth) trial \(trial) t \(t)", gap: zip(exact.flat, w.flat).reduce(0.0) { max($0, abs($1.0 - $1.1)) }))
        }
    }
    return gaps
}
