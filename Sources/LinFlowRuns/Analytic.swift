import Foundation
import LinFlowNumerics
import LinFlowIO
import LinFlowPlot

/// Writes a closed-form trajectory in the layout of `simulate` and, unless told not to,
/// integrates the flow beside it to measure learning times and the largest deviation. From a
/// start at t0 (an `--init` file) the closed form runs in t − t0: the flow is autonomous. With a
/// sequence of tasks (`--then`) each task's closed form is restarted from the state at its switch
/// (``ClosedFormPiece``), the switch a boundary, not a row; the numerical check is restarted there
/// on the next task's flow, and the learning times and deviations are given per task.
public struct Analytic {
    public let setup: RunSetup

    /// The stepper and tolerances of the numerical check.
    public static let checkMethod = StepperMethod.rk8pd
    public static let checkTolerances = (relative: 1e-12, absolute: 1e-14)

    public init(_ setup: RunSetup) { self.setup = setup }

    /// `notice` receives warnings as they arise.
    public func run(notice: @escaping (String) -> Void) throws -> AnalyticSummary {
        let choice = setup.request.analytic ?? AnalyticChoice()
        let architecture = setup.architecture, tasks = setup.tasks
        let layout = try setup.trajectoryLayout()
        let rowTimes = try setup.rowTimes()
        let pieces = try ClosedFormPiece.pieces(of: setup, form: choice.form, tEnd: rowTimes.last!)

        var figures = TrajectoryFigures(test: setup.test.map { _ in TestLossFigures() }), last = setup.start
        var parts: [AnalyticSummary.Task] = [], perTask: [[String: Any]] = []
        let out = try setup.request.storage.open(setup.request.output, blocks: layout.blocks, rows: rowTimes.count,
                                                 fewerRows: .samples, notice: notice)
        do {
            // The numerical check's state at the start of each piece.
            var numericStart = setup.start
            for piece in pieces {
                let k = piece.task, flow = tasks[k].flow
                var solution = piece.solution
                let grid = piece.grid(rows: rowTimes, taskAt: setup.task(at:), last: k + 1 == pieces.count)
                let isRiccati: Bool
                if case .riccati = solution { isRiccati = true } else { isRiccati = false }
                let numeric = try choice.check ? checkIntegrator(flow, numericStart, 0) : nil
                var closedStrengths: [[Double]] = [], numericStrengths: [[Double]] = []
                var numericStates: [[Double]] = [], riccatiStates: [RiccatiSolution] = []
                var deviation = (endToEnd: 0.0, weights: 0.0, loss: 0.0)
                for (tau, row) in grid {
                    let w = try solution.weights(at: tau)
                    closedStrengths.append(piece.modes.strengths(of: w.endToEnd))
                    if case .riccati(let r) = solution { riccatiStates.append(r) }
                    let (loss, excess) = flow.lossAndExcess(at: w)
                    if let row {
                        let imbalance = layout.imbalance(of: w), test = setup.testLoss(at: w, task: k)
                        try out.write(row: try layout.values(time: rowTimes[row], loss: loss, excess: excess, testLoss: test, weights: w,
                                                             imbalance: imbalance, taskLosses: setup.taskLosses(at: w)))
                        figures.add(loss: loss, imbalance: imbalance)
                        if let test { figures.test?.add(test, time: rowTimes[row]) }
                        last = w
                    }
                    guard let numeric else { continue }
                    try advance(numeric, to: tau)
                    let n = Weights(architecture: architecture, flat: numeric.state)
                    numericStates.append(n.flat)
                    numericStrengths.append(piece.modes.strengths(of: n.endToEnd))
                    // Over the rows and, with a sequence of tasks, the switches that bound the
                    // piece (a task may hold no row at all).
                    deviation.endToEnd = max(deviation.endToEnd, (w.endToEnd - n.endToEnd).maxAbs)
                    deviation.weights = max(deviation.weights, isRiccati ? (gram(w) - gram(n)).maxAbs
                                            : zip(w.flat, n.flat).reduce(0) { max($0, abs($1.0 - $1.1)) })
                    deviation.loss = max(deviation.loss, abs(loss - flow.loss(at: n)))
                }
                if let numeric { numericStart = Weights(architecture: architecture, flat: numeric.state) }
                let taus = grid.map(\.tau)
                let table = try halfTimes(piece, taus: taus, closed: closedStrengths, riccati: riccatiStates, numeric: choice.check
                                          ? (numericStrengths, numericStates) : nil, last: k + 1 == pieces.count)
                var part = AnalyticSummary.Task(c: piece.white.c, form: solution.description, start: piece.start, end: piece.end,
                                                modes: table, deviation: choice.check ? deviation : nil,
                                                weightsLabel: isRiccati ? "QQᵀ" : "weights")
                if case .modes(let m) = solution, m.decay > 0 { part.limitLabel = m.depth == 1 ? "s_α/(c+γ)" : "(s_α−γ)/c" }
                part.switchesAway = k + 1 < pieces.count
                if tasks.count > 1 {
                    part.heading = "task \(k + 1): \(tasks[k].data.description) (N = \(tasks[k].data.correlations.sampleCount))"
                }
                parts.append(part)
                var entry: [String: Any] = ["from_t": piece.start, "form": part.form,
                                            "half_times": table.map { $0.predicted.map { $0 as Any } ?? NSNull() }]
                if choice.check {
                    entry["half_times_numerical"] = table.map { $0.measured.map { $0 as Any } ?? NSNull() }
                    entry["deviation"] = ["end_to_end": deviation.endToEnd, "weights": deviation.weights, "loss": deviation.loss]
                }
                perTask.append(entry)
            }
        } catch {
            out.discard()
            throw error
        }
        // Committed below with the record, which holds the learning times; a failure before
        // then discards the file (the sink's deinit).

        var summary = AnalyticSummary(
            architecture: architecture, dataDescription: "\(setup.data.description) (N = \(setup.data.correlations.sampleCount))",
            tEnd: rowTimes.last!, rows: rowTimes.count, output: out.path, tasks: parts)
        var result = figures.record(final: last, leastSquares: tasks.last!.flow.leastSquares)
        if tasks.count == 1 {
            result.merge(perTask[0].filter { ["half_times", "half_times_numerical", "deviation"].contains($0.key) }) { $1 }
        } else {
            // Per task, in the order of the record's tasks; the deviation over them all as well.
            result["per_task"] = perTask
            if let d = summary.deviation { result["deviation"] = ["end_to_end": d.endToEnd, "weights": d.weights, "loss": d.loss] }
        }
        try out.commit(record: setup.record(status: "complete", settings: [
            "form": "\(choice.form)", "check": choice.check, "t_end": rowTimes.last!, "samples": rowTimes.count - 1,
        ], result: result))
        summary.test = figures.test.map { (setup.testDescription!, $0) }
        return summary
    }

    /// Each mode's time to reach half its limit on the piece (in the run's time): the closed
    /// form's and, with `numeric` (strengths and states at the piece's `taus`), the flow's. A
    /// time past the piece's switch is nil (not reached on this task).
    private func halfTimes(_ piece: ClosedFormPiece, taus: [Double], closed: [[Double]], riccati: [RiccatiSolution],
                           numeric: (strengths: [[Double]], states: [[Double]])?, last: Bool) throws -> [AnalyticSummary.Mode] {
        let flow = setup.tasks[piece.task].flow, architecture = setup.architecture, modes = piece.modes
        var table: [AnalyticSummary.Mode] = []
        for α in 0..<modes.values.count {
            // A mode that weight decay kills (s ≤ γ) is never learned: no half-time.
            guard piece.limits[α] > 0 else {
                table.append(.init(s: piece.s[α], target: 0, initial: closed[0][α], predicted: nil, measured: nil, neverLearned: true))
                continue
            }
            let level = piece.limits[α] / 2
            var predicted: Double?
            switch piece.solution {
            case .modes(let m):
                predicted = try m.time(toReach: level, mode: α)
                // The last task's form gives its time beyond the run's end time; an earlier one's stops at the switch.
                if !last, let p = predicted, p > taus.last! { predicted = nil }
            case .riccati:
                predicted = try firstCrossing(taus, closed.map { $0[α] }, level) { i, dt in
                    var r = riccati[i]
                    try r.advance(to: taus[i] + dt)
                    return modes.strengths(of: r.weights.endToEnd)[α]
                }
            }
            let measured = try numeric.flatMap { numeric in
                try firstCrossing(taus, numeric.strengths.map { $0[α] }, level) { i, dt in
                    let ode = try checkIntegrator(flow, Weights(architecture: architecture, flat: numeric.states[i]), taus[i])
                    try advance(ode, to: taus[i] + dt)
                    return modes.strengths(of: Weights(architecture: architecture, flat: ode.state).endToEnd)[α]
                }
            }
            table.append(.init(s: piece.s[α], target: piece.limits[α], initial: closed[0][α],
                               predicted: predicted.map { $0 + piece.start }, measured: measured.map { $0 + piece.start }))
        }
        return table
    }

    private func checkIntegrator(_ flow: GradientFlow, _ w: Weights, _ t: Double) throws -> ODEIntegrator {
        let tol = Self.checkTolerances
        return try ODEIntegrator(system: flow, initialState: w.flat, startTime: t, method: Self.checkMethod,
                                 relativeTolerance: tol.relative, absoluteTolerance: tol.absolute,
                                 maxSteps: Self.checkStepLimit)
    }

    /// Near its end point an explicit stepper's steps are bounded by stability (about 3/λ_max of
    /// the Hessian), so the check of a very long --t-end would run for hours; it stops here.
    public static let checkStepLimit = 50_000

    private func advance(_ ode: ODEIntegrator, to t: Double) throws {
        do { try ode.advance(to: t) } catch .tooManySteps {
            throw LinflowError.numerical("the numerical check would take more than \(Self.checkStepLimit) \(Self.checkMethod.rawValue) steps to reach t = \(fmt(t)) (explicit steps are held near 3/λ_max once the flow has converged); use \(Setting.skipCheck) or a shorter \(Setting.endTime)")
        } catch {
            throw LinflowError.numerical("the numerical check failed near t = \(ode.time): \(error)")
        }
    }

    /// QQᵀ for Q = [W21ᵀ; W32]: what the Riccati form determines (gauge-free).
    private func gram(_ w: Weights) -> Matrix {
        let a = w.layer(1), b = w.layer(2)
        let q = Matrix(rows: a.cols + b.rows, cols: a.rows, storage: a.transposed.storage + b.storage)
        return q * q.transposed
    }
}

/// The first time at which a quantity reaches `level` from below: located between the rows
/// `times` where its values are `grid`, then refined by bisection on `value(i, δ)`, its value at
/// times[i] + δ computed afresh from row i. 0 if it starts at or above the level, nil if no
/// row reaches it.
func firstCrossing(_ times: [Double], _ grid: [Double], _ level: Double,
                   value: (Int, Double) throws -> Double) throws -> Double? {
    if grid[0] >= level { return 0 }
    guard let j = grid.firstIndex(where: { $0 >= level }) else { return nil }
    let i = j - 1
    var lo = 0.0, hi = times[j] - times[i]
    while hi - lo > 1e-13 * max(1, times[j]) {
        let mid = 0.5 * (lo + hi)
        if try value(i, mid) >= level { hi = mid } else { lo = mid }
    }
    return times[i] + 0.5 * (lo + hi)
}
