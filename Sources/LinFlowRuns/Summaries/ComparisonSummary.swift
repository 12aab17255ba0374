import LinFlowNumerics
import LinFlowIO
import LinFlowPlot
/// The largest of a gap over the written rows, and where it is.
public struct LargestGap: Sendable {
    public var value = 0.0
    public var step = 0
    public var time = 0.0
    /// The layer (e.g. "W32") for a per-layer gap; nil for the end-to-end map.
    public var layer: String?

    mutating func update(_ v: Double, step k: Int, time t: Double, layer: String? = nil) {
        if v > value { self = LargestGap(value: v, step: k, time: t, layer: layer) }
    }

    var text: String { "\(fmt(value)) at t = \(fmt(time)) (step \(step))" }
}

/// What a finished comparison reports.
public struct ComparisonSummary: Sendable {
    public var architecture: Architecture
    public var dataDescription: String
    public var learningRate: Double
    public var steps: Int
    /// Step number of the first row (k0 > 0 when resuming from a file).
    public var firstStep = 0
    public var rows: Int
    public var output: String?
    public var method: StepperMethod
    /// Losses at the last step: descent, flow, modified flow.
    public var finalLosses: (descent: Double, flow: Double, modified: Double)
    /// Largest end-to-end and per-layer gaps to the flow and to the modified flow.
    public var flowGap = LargestGap(), flowLayerGap = LargestGap()
    public var modifiedGap = LargestGap(), modifiedLayerGap = LargestGap()
    public var wallSeconds: Double
    /// With held-out data: where they come from, and the test loss of each trajectory over the rows.
    public var test: (source: String, descent: TestLossFigures, flow: TestLossFigures, modified: TestLossFigures)?

    public var text: String {
        let dest = output.map { "→ \($0)" } ?? "→ stdout"
        let l = finalLosses
        var lines = [
            "linflow: \(architecture.description) network on \(dataDescription): descent η = \(fmt(learningRate)), \(firstStep == 0 ? "" : "from step \(firstStep) ")\(steps) steps to t = \(fmt(Double(firstStep + steps) * learningRate)), beside the flow and the modified flow (\(method.rawValue)): \(rows) rows \(dest)",
            "  final loss: descent \(fmt(l.descent)), flow \(fmt(l.flow)), modified flow \(fmt(l.modified))",
        ]
        if let t = test {
            lines += [t.descent.line(t.source, label: " of descent"), t.flow.line(t.source, label: " of the flow"),
                      t.modified.line(t.source, label: " of the modified flow")]
        }
        lines += [
            "  largest gap to the flow ‖W_gd − W_flow‖_F = \(flowGap.text); per layer: \(flowLayerGap.layer ?? "-") \(flowLayerGap.text)",
            "  largest gap to the modified flow ‖W_gd − W_mod‖_F = \(modifiedGap.text); per layer: \(modifiedLayerGap.layer ?? "-") \(modifiedLayerGap.text)",
            "  \(String(format: "%.3f", wallSeconds)) s",
        ]
        return lines.joined(separator: "\n")
    }
}
