import LinFlowNumerics
import LinFlowIO
import LinFlowPlot
/// The loss at the start and at the end of a run, beside its floor.
public struct LossChange: Sendable {
    public var initial: Double
    public var final: Double
    public var floor: Double
    /// ‖W − W*‖_F at the end, W* the least-squares map.
    public var distanceToLeastSquares: Double

    public var text: String {
        "loss \(fmt(initial)) → \(fmt(final)); floor \(fmt(floor)); ‖W − W*‖_F = \(fmt(distanceToLeastSquares))"
    }
}

/// What a finished descent reports.
public struct DescentSummary: Sendable {
    public var architecture: Architecture
    public var dataDescription: String
    public var sampleCount: Int
    public var learningRate: Double
    /// Step numbers of the first and the last row (k0 > 0 when resuming from a file).
    public var firstStep = 0
    public var steps: Int
    public var batchSize: Int?
    public var epochs: Int
    public var momentum: Double
    public var rows: Int
    public var output: String?
    public var loss: LossChange
    public var initialSharpness: Double
    /// The largest sharpness over the written rows, and the time of its row.
    public var largestSharpness: (value: Double, time: Double)
    /// With weight decay or layer rates (and the sharpness tracked): λ_max of the step's operator
    /// R^{1/2}(H + γD)R^{1/2} at the start and its largest over the written rows, which decide the
    /// edge-of-stability note instead of the Hessian's.
    public var stepEdge: (initial: Double, largest: Double)?
    public var gradientEvaluations: Int
    public var hessianProducts: Int
    /// Of ``wallSeconds``: the sharpness estimates (Hessian-vector products and Lanczos).
    public var sharpnessSeconds = 0.0
    /// Rows whose sharpness repeats an earlier estimate (``SharpnessEstimator/reused``).
    public var sharpnessReused = 0
    /// False with `--no-sharpness`: only the start's sharpness is known.
    public var sharpnessTracked = true
    public var wallSeconds: Double
    /// Of ``wallSeconds``: reading the data and the set-up before the first step.
    public var setupSeconds = 0.0
    /// With held-out data: where they come from, and the test loss over the rows.
    public var test: (source: String, figures: TestLossFigures)?

    public var text: String {
        let dest = output.map { "→ \($0)" } ?? "→ stdout"
        let tEnd = Double(firstStep + steps) * learningRate
        let from = firstStep == 0 ? "" : "from step \(firstStep) "
        var method = "gradient descent, η = \(fmt(learningRate))"
        if let batchSize { method += ", minibatches of \(batchSize) (\(epochs) epoch\(epochs == 1 ? "" : "s"))" }
        if momentum > 0 { method += ", momentum β = \(fmt(momentum))" }
        let top = largestSharpness
        var lines = [
            "linflow: \(architecture.description) network on \(dataDescription) (N = \(sampleCount)), \(method): \(from)\(steps) steps to t = \(fmt(tEnd)), \(rows) rows \(dest)",
            "  " + loss.text,
            sharpnessTracked
                ? "  sharpness λ_max \(fmt(initialSharpness)) at the start, largest \(fmt(top.value)) at t = \(fmt(top.time)); 2/λ_max = \(fmt(2 / top.value))"
                    + (sharpnessReused > 0 ? "; \(sharpnessReused) row\(sharpnessReused == 1 ? "" : "s") reused an estimate within its tolerance" : "")
                : "  sharpness λ_max \(fmt(initialSharpness)) at the start (to 1e-4; not tracked along the run: \(Setting.skipSharpness))",
            "  \(gradientEvaluations) gradient evaluations, \(hessianProducts) Hessian-vector products (\(String(format: "%.3f", sharpnessSeconds)) s), \(String(format: "%.3f", wallSeconds)) s (data and set-up \(String(format: "%.3f", setupSeconds)) s)",
        ]
        if let test { lines.insert(test.figures.line(test.source), at: 2) }
        if let edge = stepEdge {
            if learningRate > 2 / edge.largest, learningRate <= 2 / edge.initial {
                lines.append("  note: λ_max of the step's operator R(H + γ) (the loss's Hessian with \(Setting.weightDecay) and \(Setting.layerRates)) grew past 2/η = \(fmt(2 / learningRate)) along the run (largest \(fmt(edge.largest))): descent reached the edge of stability")
            }
        } else if learningRate > 2 / top.value, learningRate <= 2 / initialSharpness {
            lines.append("  note: the sharpness grew past 2/η = \(fmt(2 / learningRate)) along the run: descent reached the edge of stability")
        }
        return lines.joined(separator: "\n")
    }
}
