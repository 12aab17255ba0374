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
        /// Weight decay at least the mode's strength (s ≤ γ): it dies, never learned.
        public var neverLearned = false
    }

    /// One task's closed form and its figures (the run's only part without a sequence of tasks).
    public struct Task: Sendable {
        /// With a sequence of tasks: the task's number and data, shown above its table.
        public var heading: String?
        /// Σ11 = c·I of the task's data.
        public var c: Double
        public var form: String
        /// When the task is trained: from its start to the next switch or --t-end.
        public var start: Double, end: Double
        /// Whether a later task follows (a half-time not reached is then cut by the switch).
        public var switchesAway = false
        public var modes: [Mode]
        /// Largest |closed form − numerical flow| over the task's rows and switches (nil without the check):
        /// of the end-to-end map, of the weights (or of QQᵀ for the Riccati form), and of the loss.
        public var deviation: (endToEnd: Double, weights: Double, loss: Double)?
        public var weightsLabel: String
        /// The heading of what each mode converges to: s_α/c, or with weight decay its own limit.
        public var limitLabel = "s_α/c"

        public init(c: Double, form: String, start: Double, end: Double, modes: [Mode],
                    deviation: (endToEnd: Double, weights: Double, loss: Double)?, weightsLabel: String) {
            (self.c, self.form, self.start, self.end, self.modes) = (c, form, start, end, modes)
            (self.deviation, self.weightsLabel) = (deviation, weightsLabel)
        }
    }

    public var architecture: Architecture
    public var dataDescription: String
    public var tEnd: Double
    public var rows: Int
    public var output: String?
    /// The tasks in the order they are trained (one without `--then`).
    public var tasks: [Task]
    /// With held-out data: where they come from, and the test loss over the rows.
    public var test: (source: String, figures: TestLossFigures)?

    public var startTime: Double { tasks[0].start }
    /// The largest deviation over every task's rows (nil without the check).
    public var deviation: (endToEnd: Double, weights: Double, loss: Double)? {
        let all = tasks.compactMap(\.deviation)
        guard let first = all.first else { return nil }
        return all.dropFirst().reduce(first) { (max($0.endToEnd, $1.endToEnd), max($0.weights, $1.weights), max($0.loss, $1.loss)) }
    }

    public var text: String {
        var lines: [String]
        if tasks.count == 1 {
            lines = ["linflow analytic: \(architecture.description) network on \(dataDescription), Σ11 = \(tasks[0].c)·I, t = \(fmt(startTime))…\(fmt(tEnd)): \(rows) rows → \(output ?? "stdout")"]
        } else {
            lines = ["linflow analytic: \(architecture.description) network, \(tasks.count) tasks, t = \(fmt(startTime))…\(fmt(tEnd)): \(rows) rows → \(output ?? "stdout"); each task's closed form starts from the state at its switch"]
        }
        for task in tasks { lines += task.lines }
        if let test { lines.append(test.figures.line(test.source)) }
        return lines.joined(separator: "\n")
    }
}

extension AnalyticSummary.Task {
    var lines: [String] {
        // nil: not reached by the task's end (the closed form of the modes gives its time beyond
        // the run's end time for the last task).
        func f(_ x: Double?) -> String { x.map { String(format: "%.10g", $0) } ?? (switchesAway ? "after the switch" : "after t-end") }
        var lines: [String] = []
        if let heading { lines.append("  \(heading), Σ11 = \(c)·I, t = \(fmt(start))…\(fmt(end)):") }
        lines += [
            "  closed form: \(form)\(c == 1 ? "" : ", with s → s/c, t → c·t")",
            "  mode  s_α          \(limitLabel.padding(toLength: 12, withPad: " ", startingAt: 0)) a_α(0)       t½ closed form   t½ numerical flow",
        ]
        for (i, m) in modes.enumerated() {
            let never = "never (s ≤ γ)"
            let cells = [String(i + 1), fmt(m.s), fmt(m.target), fmt(m.initial), m.neverLearned ? never : f(m.predicted),
                         deviation == nil ? "- (\(Setting.skipCheck))" : m.neverLearned ? never : f(m.measured)]
            let widths = [4, 12, 12, 12, 16, 16]
            let line = zip(cells, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: " ")
            lines.append("  " + line.replacingOccurrences(of: " +$", with: "", options: .regularExpression))
        }
        let gaps = modes.compactMap { m in m.predicted.flatMap { p in m.measured.map { abs(p - $0) } } }
        let origin = heading == nil ? "" : " (a_α(0) at the task's start, t = \(fmt(start)))"
        lines.append("  (t½: when a_α = u_αᵀWv_α first reaches half of \(limitLabel))" + origin + (gaps.isEmpty ? "" : "; largest |Δt½| = \(fmt(gaps.max()!))"))
        if let d = deviation {
            let tol = Analytic.checkTolerances
            lines.append("  largest |closed form − numerical flow| over the \(heading == nil ? "rows" : "task's rows and switches") (\(Analytic.checkMethod.rawValue), rtol \(tol.relative), atol \(tol.absolute)): end-to-end map \(fmt(d.endToEnd)), \(weightsLabel) \(fmt(d.weights)), loss \(fmt(d.loss))")
        }
        return lines
    }
}
