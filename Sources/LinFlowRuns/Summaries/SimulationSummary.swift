import LinFlowNumerics
import LinFlowIO
import LinFlowPlot
/// What a finished run reports.
public struct SimulationSummary: Sendable {
    public var architecture: Architecture
    public var dataDescription: String
    public var sampleCount: Int
    public var method: StepperMethod
    /// t0: 0, or the last t of the `--init` file.
    public var startTime = 0.0
    public var tEnd: Double
    public var rows: Int
    public var output: String?
    public var initialLoss: Double
    public var finalLoss: Double
    public var lossFloor: Double
    public var distanceToLeastSquares: Double
    public var steps: Int
    public var evaluations: Int
    public var wallSeconds: Double
    /// Of ``wallSeconds``: reading the data (its streaming pass) and the set-up before the first step.
    public var dataSeconds = 0.0
    public var setupSeconds = 0.0
    /// Of ``wallSeconds``: inside GSL's driver (steps and RHS evaluations, no rows): the solve alone.
    public var integrationSeconds = 0.0
    public var sigma11Singular: Bool

    /// The lines printed on stderr after a run.
    public var text: String {
        let dest = output.map { "→ \($0)" } ?? "→ stdout"
        var lines = [
            "linflow: \(architecture.description) network on \(dataDescription) (N = \(sampleCount)), \(method.rawValue) \(startTime == 0 ? "to" : "from t = \(fmt(startTime)) to") t = \(tEnd): \(rows) rows \(dest)",
            "  loss \(fmt(initialLoss)) → \(fmt(finalLoss)); floor \(fmt(lossFloor)); ‖W − W*‖_F = \(fmt(distanceToLeastSquares))",
            "  \(steps) steps, \(evaluations) RHS evaluations, \(String(format: "%.3f", wallSeconds)) s (data \(String(format: "%.3f", dataSeconds)) s, set-up \(String(format: "%.3f", setupSeconds)) s, integration \(String(format: "%.6f", integrationSeconds)) s)",
        ]
        if sigma11Singular {
            lines.append("  note: Σ11 is singular; W* is the minimum-norm least-squares map Σ31Σ11⁺")
        }
        let excess0 = initialLoss - lossFloor, excess = finalLoss - lossFloor
        // A NaN excess (a diverged run) is not "above the floor": the error said what happened.
        if excess0 > 0, excess > 1e-3 * excess0, excess > 1e-12 {
            lines.append("  note: the loss is still \(fmt(excess)) above its floor; a longer \(Setting.endTime) would let it converge")
        }
        return lines.joined(separator: "\n")
    }
}
