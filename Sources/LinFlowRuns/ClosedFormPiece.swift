import Foundation
import LinFlowNumerics

/// One task's stretch of an `analytic` run: the closed form of that task's flow, started from the
/// state at the task's start (the run's start for the first, the previous piece's state at the
/// switch for the others) and run on its own clock τ = t − start. The flow is autonomous and a
/// switch only changes Σ31 (and c), so the pieces chained this way are the flow of the sequence
/// exactly; the imbalance is conserved across a switch, so a zero- or λ-balanced start stays one.
struct ClosedFormPiece {
    /// Index of the task in ``RunSetup/tasks``.
    let task: Int
    /// When the piece starts and ends (the next switch, or --t-end), in the run's time.
    let start: Double, end: Double
    let white: WhiteInputs
    /// The closed form at τ = 0; ``ClosedFormSolution/weights(at:)`` moves a copy of it.
    let solution: ClosedFormSolution
    /// The task's modes: Σ31's singular vectors, values s_α/c.
    let modes: ModeBasis
    /// s_α, Σ31's singular values.
    let s: [Double]
    /// What each mode converges to: ŝ_α, or with weight decay the aligned form's own limit.
    let limits: [Double]

    /// The pieces of a run that ends at `tEnd`, every one built before any row is written, so
    /// that a task whose data or state at its switch breaks the form's assumptions is refused
    /// before any work, by the precondition of the form itself (whitened inputs, alignment,
    /// balance, …), its message naming the task's file and switch time.
    static func pieces(of setup: RunSetup, form: ClosedFormKind, tEnd: Double) throws -> [ClosedFormPiece] {
        let tasks = setup.tasks
        var pieces: [ClosedFormPiece] = [], state = setup.start
        for (k, task) in tasks.enumerated() {
            let end = k + 1 < tasks.count ? tasks[k + 1].start : tEnd
            let piece = try naming(k == 0 ? nil : setup.request.tasks?.switches[k - 1]) {
                try ClosedFormPiece(task: k, start: task.start, end: end, state: state, form: form,
                                    correlations: task.data.correlations, terms: task.flow.terms)
            }
            if k + 1 < tasks.count {
                var moving = piece.solution
                state = try moving.weights(at: end - task.start)
            }
            pieces.append(piece)
        }
        return pieces
    }

    private init(task: Int, start: Double, end: Double, state: Weights, form: ClosedFormKind,
                 correlations: Correlations, terms: FlowTerms) throws {
        (self.task, self.start, self.end) = (task, start, end)
        white = try WhiteInputs(correlations)
        solution = try ClosedFormSolution(form, start: state, white: white, terms: terms)
        let basis = try SingularValueDecomposition(correlations.sigma31)
        let c = white.c, modes = ModeBasis(u: basis.u, v: basis.v, values: basis.values.map { $0 / c })
        (self.modes, s) = (modes, basis.values)
        if case .modes(let m) = solution { limits = m.limits } else { limits = modes.values }
    }

    /// The piece's own times: τ = 0 (the state at its start, a row only if one falls there), the
    /// rows it holds, and for all but the last piece the switch that ends it (a boundary, not a
    /// row: a row at the switch belongs to the next task). `row` is the row's index, or nil.
    func grid(rows: RowTimes, taskAt: (Double) -> Int, last: Bool) -> [(tau: Double, row: Int?)] {
        let own = rows.indices.filter { taskAt(rows[$0]) == task }
        var grid: [(tau: Double, row: Int?)] = []
        if own.first.map({ rows[$0] > start }) ?? true { grid.append((0, nil)) }
        grid += own.map { (rows[$0] - start, $0) }
        if !last { grid.append((end - start, nil)) }
        return grid
    }

    /// Runs `body`, a failure in it prefixed by the switch that starts the task.
    private static func naming<T>(_ entry: TaskSequenceChoice.Switch?, _ body: () throws -> T) throws -> T {
        guard let entry else { return try body() }
        do { return try body() } catch let error as LinflowError {
            throw error.prefixed("\(Setting.taskSequence) \(entry.file)@\(fmt(entry.time)): the closed form cannot go on from the state at the switch (this task's start): ")
        }
    }
}

extension LinflowError {
    /// The same failure (same exit code), its message preceded by `prefix`.
    func prefixed(_ prefix: String) -> LinflowError {
        switch self {
        case .usage(let m): .usage(prefix + m)
        case .data(let m): .data(prefix + m)
        case .noInput(let m): .noInput(prefix + m)
        case .cannotCreate(let m): .cannotCreate(prefix + m)
        case .unavailable(let m): .unavailable(prefix + m)
        case .numerical(let m): .numerical(prefix + m)
        case .interrupted(let m): .interrupted(prefix + m)
        }
    }
}
