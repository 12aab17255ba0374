import Foundation
import LinFlowNumerics
import LinFlowIO
import LinFlowPlot

/// Writes a closed-form trajectory in the layout of `simulate` and, unless told not to,
/// integrates the flow beside it to measure learning times and the largest deviation. From a
/// start at t0 (an `--init` file) the closed form runs in t − t0: the flow is autonomous.
public struct Analytic {
    public let setup: RunSetup

    /// The stepper and tolerances of the numerical check.
    public static let checkMethod = StepperMethod.rk8pd
    public static let checkTolerances = (relative: 1e-12, absolute: 1e-14)

    public init(_ setup: RunSetup) { self.setup = setup }

    /// `notice` receives warnings as they arise.
    public func run(notice: @escaping (String) -> Void) throws -> AnalyticSummary {
        let choice = setup.request.analytic ?? AnalyticChoice()
        let c = setup.data.correlations, architecture = setup.architecture, flow = setup.flow
        let white = try WhiteInputs(c)
        let w0 = setup.start, t0 = setup.startTime
        var solution = try ClosedFormSolution(choice.form, start: w0, white: white)
        let layout = try setup.trajectoryLayout()
        let rowTimes = try setup.rowTimes()
        // The closed forms' own clock, from 0 at the start.
        let times = rowTimes.map { $0 - t0 }
        // The table's modes: Σ31's singular vectors, in which the closed forms are written.
        let basis = try SingularValueDecomposition(c.sigma31)
        let modes = ModeBasis(u: basis.u, v: basis.v, values: basis.values.map { $0 / white.c })
        let numeric = try choice.check ? checkIntegrator(flow, w0, 0) : nil
        let isRiccati: Bool
        if case .riccati = solution { isRiccati = true } else { isRiccati = false }

        var closedStrengths: [[Double]] = [], numericStrengths: [[Double]] = []
        var numericStates: [[Double]] = [], riccatiStates: [RiccatiSolution] = []
        var deviation = (endToEnd: 0.0, weights: 0.0, loss: 0.0)
        var figures = TrajectoryFigures(test: setup.test.map { _ in TestLossFigures() }), last = w0
        let out = try setup.request.storage.open(setup.request.output, blocks: layout.blocks, rows: times.count,
                                                 fewerRows: .samples, notice: notice)
        do {
            for (t, rowTime) in zip(times, rowTimes) {
                let w = try solution.weights(at: t)
                let (loss, excess) = flow.lossAndExcess(at: w), imbalance = layout.imbalance(of: w)
                let test = setup.testLoss(at: w)
                try out.write(row: try layout.values(time: rowTime, loss: loss, excess: excess, testLoss: test, weights: w, imbalance: imbalance))
                figures.add(loss: loss, imbalance: imbalance)
                if let test { figures.test?.add(test, time: rowTime) }
                last = w
                closedStrengths.append(modes.strengths(of: w.endToEnd))
                if case .riccati(let r) = solution { riccatiStates.append(r) }
                guard let numeric else { continue }
                try advance(numeric, to: t)
                let n = Weights(architecture: architecture, flat: numeric.state)
                numericStates.append(n.flat)
                numericStrengths.append(modes.strengths(of: n.endToEnd))
                deviation.endToEnd = max(deviation.endToEnd, (w.endToEnd - n.endToEnd).maxAbs)
                deviation.weights = max(deviation.weights, isRiccati ? (gram(w) - gram(n)).maxAbs
                                        : zip(w.flat, n.flat).reduce(0) { max($0, abs($1.0 - $1.1)) })
                deviation.loss = max(deviation.loss, abs(loss - flow.loss(at: n)))
            }
        } catch {
            out.discard()
            throw error
        }
        // Committed below with the record, which holds the learning times; a failure before
        // then discards the file (the sink's deinit).

        var table: [AnalyticSummary.Mode] = []
        for α in 0..<modes.values.count {
            let level = modes.values[α] / 2
            var predicted: Double?
            switch solution {
            case .modes(let m): predicted = try m.time(toReach: level, mode: α)
            case .riccati:
                predicted = try firstCrossing(times, closedStrengths.map { $0[α] }, level) { i, dt in
                    var r = riccatiStates[i]
                    try r.advance(to: times[i] + dt)
                    return modes.strengths(of: r.weights.endToEnd)[α]
                }
            }
            let measured = try choice.check ? firstCrossing(times, numericStrengths.map { $0[α] }, level) { i, dt in
                let ode = try checkIntegrator(flow, Weights(architecture: architecture, flat: numericStates[i]), times[i])
                try advance(ode, to: times[i] + dt)
                return modes.strengths(of: Weights(architecture: architecture, flat: ode.state).endToEnd)[α]
            } : nil
            table.append(.init(s: basis.values[α], target: modes.values[α], initial: closedStrengths[0][α],
                               predicted: predicted.map { $0 + t0 }, measured: measured.map { $0 + t0 }))
        }
        var result = figures.record(final: last, leastSquares: flow.leastSquares)
        result["half_times"] = table.map { $0.predicted.map { $0 as Any } ?? NSNull() }
        if choice.check {
            result["half_times_numerical"] = table.map { $0.measured.map { $0 as Any } ?? NSNull() }
            result["deviation"] = ["end_to_end": deviation.endToEnd, "weights": deviation.weights, "loss": deviation.loss]
        }
        try out.commit(record: setup.record(status: "complete", settings: [
            "form": "\(choice.form)", "check": choice.check, "t_end": rowTimes.last!, "samples": rowTimes.count - 1,
        ], result: result))
        var summary = AnalyticSummary(
            architecture: architecture, dataDescription: "\(setup.data.description) (N = \(c.sampleCount))", c: white.c,
            form: solution.description, tEnd: rowTimes.last!, rows: times.count, output: out.path, modes: table,
            deviation: choice.check ? deviation : nil, weightsLabel: isRiccati ? "QQᵀ" : "weights")
        summary.startTime = t0
        summary.test = figures.test.map { (setup.data.test!.description, $0) }
        return summary
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
