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
    /// ‖∇L‖_F at the last row, and whether it is zero to rounding (``stationary(_:at:)``): the
    /// flow cannot leave such a point, so a longer run would not help.
    public var finalGradientNorm: Double?
    public var stationary = false
    /// With held-out data: where they come from, and the test loss over the rows.
    public var test: (source: String, figures: TestLossFigures)?

    /// The lines printed on stderr after a run.
    public var text: String {
        let dest = output.map { "→ \($0)" } ?? "→ stdout"
        var lines = [
            "linflow: \(architecture.description) network on \(dataDescription) (N = \(sampleCount)), \(method.rawValue) \(startTime == 0 ? "to" : "from t = \(fmt(startTime)) to") t = \(tEnd): \(rows) rows \(dest)",
            "  loss \(fmt(initialLoss)) → \(fmt(finalLoss)); floor \(fmt(lossFloor)); ‖W − W*‖_F = \(fmt(distanceToLeastSquares))",
            "  \(steps) steps, \(evaluations) RHS evaluations, \(String(format: "%.3f", wallSeconds)) s (data \(String(format: "%.3f", dataSeconds)) s, set-up \(String(format: "%.3f", setupSeconds)) s, integration \(String(format: "%.6f", integrationSeconds)) s)",
        ]
        if let test { lines.append(test.figures.line(test.source)) }
        if sigma11Singular {
            lines.append("  note: Σ11 is singular; W* is the minimum-norm least-squares map Σ31Σ11⁺")
        }
        let excess0 = initialLoss - lossFloor, excess = finalLoss - lossFloor
        // A NaN excess (a diverged run) is not "above the floor": the error said what happened.
        if excess0 > 0, excess > 1e-3 * excess0, excess > 1e-12 {
            if stationary {
                lines.append("  note: the loss is still \(fmt(excess)) above its floor, but the run sits at a stationary point (‖∇L‖ = \(fmt(finalGradientNorm ?? 0)) at the last row, zero to rounding): a saddle, which the flow does not leave however long it runs (zero weights are one); start elsewhere, e.g. with a nonzero \(Setting.initialScale)")
            } else {
                lines.append("  note: the loss is still \(fmt(excess)) above its floor; a longer \(Setting.endTime) would let it converge")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// (‖∇L‖_F, whether it is zero to rounding) at `weights`: at most 8ε times the size of the
    /// terms it is summed from, Σ_l ∏_{k≠l}‖W_k‖_F · (‖Σ31‖_F + ‖W‖_F‖Σ11‖_F) (each layer's
    /// gradient is W_{>l}ᵀ(Σ31 − WΣ11)W_{<l}ᵀ). Zero weights in a chain of two or more layers
    /// give exactly 0 ≤ 0: a saddle. Biases with a gradient of their own are never stationary here.
    public static func stationarity(_ flow: GradientFlow, at weights: Weights) -> (norm: Double, stationary: Bool) {
        let gradient = flow.velocity(at: weights).flat
        // Scaled (frobeniusNorm): the squares of a tiny gradient (1e-190) must not underflow.
        let norm = Matrix(rows: 1, cols: gradient.count, storage: gradient).frobeniusNorm
        let a = weights.architecture, c = flow.correlations
        let layerNorms = (1...a.depth).map { weights.layer($0).frobeniusNorm }
        let residual = c.sigma31.frobeniusNorm + weights.effectiveMap.frobeniusNorm * c.sigma11.frobeniusNorm
        let terms = (0..<a.depth).reduce(0.0) { sum, l in
            sum + layerNorms.enumerated().filter { $0.offset != l }.reduce(1.0) { $0 * $1.element }
        } * residual
        return (norm, norm.isFinite && norm <= 8 * Double.ulpOfOne * terms)
    }
}
