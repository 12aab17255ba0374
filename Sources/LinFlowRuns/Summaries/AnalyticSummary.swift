import Foundation
import LinFlowNumerics
import LinFlowIO
import LinFlowPlot

/// What `linflow analytic` reports on stderr.
public struct AnalyticSummary: Sendable {
    public struct Mode: Sendable {
        /// s_α, singular value of Σ31; the mode converges to s_α/c.
        public var s: Double
        public var target: Double
        public var initial: Double
        /// Time at which a_α reaches target/2: on the closed form, and on the numerical flow.
        public var predicted: Double?
        public var measured: Double?
    }

    public var architecture: Architecture
    public var dataDescription: String
    public var c: Double
    public var form: String
    public var startTime = 0.0
    public var tEnd: Double
    public var rows: Int
    public var output: String?
    public var modes: [Mode]
    /// Largest |closed form − numerical flow| over the rows (nil without the check): of the
    /// end-to-end map, of the weights (or of QQᵀ for the Riccati form), and of the loss.
    public var deviation: (endToEnd: Double, weights: Double, loss: Double)?
    public var weightsLabel: String
    /// With held-out data: where they come from, and the test loss over the rows.
    public var test: (source: String, figures: TestLossFigures)?

    public var text: String {
        // nil: not reached by --t-end (the closed form of the modes gives its time beyond it).
        func f(_ x: Double?) -> String { x.map { String(format: "%.10g", $0) } ?? "after t-end" }
        var lines = [
            "linflow analytic: \(architecture.description) network on \(dataDescription), Σ11 = \(c)·I, t = \(fmt(startTime))…\(fmt(tEnd)): \(rows) rows → \(output ?? "stdout")",
            "  closed form: \(form)\(c == 1 ? "" : ", with s → s/c, t → c·t")",
            "  mode  s_α          s_α/c        a_α(0)       t½ closed form   t½ numerical flow",
        ]
        for (i, m) in modes.enumerated() {
            let cells = [String(i + 1), fmt(m.s), fmt(m.target), fmt(m.initial), f(m.predicted),
                         deviation == nil ? "- (\(Setting.skipCheck))" : f(m.measured)]
            let widths = [4, 12, 12, 12, 16, 16]
            let line = zip(cells, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: " ")
            lines.append("  " + line.replacingOccurrences(of: " +$", with: "", options: .regularExpression))
        }
        let gaps = modes.compactMap { m in m.predicted.flatMap { p in m.measured.map { abs(p - $0) } } }
        lines.append("  (t½: when a_α = u_αᵀWv_α first reaches half of s_α/c)" + (gaps.isEmpty ? "" : "; largest |Δt½| = \(fmt(gaps.max()!))"))
        if let test { lines.append(test.figures.line(test.source)) }
        if let d = deviation {
            let tol = Analytic.checkTolerances
            lines.append("  largest |closed form − numerical flow| over the rows (\(Analytic.checkMethod.rawValue), rtol \(tol.relative), atol \(tol.absolute)): end-to-end map \(fmt(d.endToEnd)), \(weightsLabel) \(fmt(d.weights)), loss \(fmt(d.loss))")
        }
        return lines.joined(separator: "\n")
    }
}
