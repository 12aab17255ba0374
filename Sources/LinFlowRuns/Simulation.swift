import Foundation
import LinFlowNumerics
import LinFlowIO
import LinFlowPlot

/// Integrates gradient flow from the resolved start and streams the trajectory to CSV, rows at
/// t0 + (T − t0)·i/M (t0 = 0, or the last t of an `--init` file). With a sequence of tasks
/// (`--then`) each switch time is an integration boundary: the flow is integrated to it exactly
/// and restarted there on the next task's flow, whatever the rows.
public struct Simulation {
    public let setup: RunSetup

    public init(_ setup: RunSetup) { self.setup = setup }

    /// `notice` receives warnings and `auto`'s decision as they arise.
    public func run(notice: @escaping (String) -> Void) throws -> SimulationSummary {
        let clockStart = DispatchTime.now()
        let request = setup.request, flow = setup.flow, architecture = setup.architecture
        let integration = request.integration ?? IntegrationChoice()
        let tolerances = integration.tolerances(for: .simulate)
        let times = try setup.rowTimes()
        let layout = try setup.trajectoryLayout()
        let tasks = setup.tasks
        // The floor and W* reported are those of the task trained last.
        let ls = tasks.last!.flow.leastSquares
        var integrator = try integration.integrator(flow, from: setup.start, at: setup.startTime, for: .simulate)
        // Steps and solver time of the integrators of the tasks before the current one.
        var current = 0, earlierSteps = 0, earlierSeconds = 0.0
        integrator.announceStiffness(to: notice)

        let out = try request.storage.open(request.output, blocks: layout.blocks, rows: times.count, fewerRows: .samples, notice: notice)
        let setupSeconds = setup.setupSeconds + seconds(since: clockStart)
        let progress = Progress(label: "linflow simulate")
        var weights = setup.start
        var figures = TrajectoryFigures(test: setup.test.map { _ in TestLossFigures() })
        let initialLoss = flow.loss(at: weights)
        let provenance = { (status: String) in
            setup.record(status: status, settings: [
                "method": integration.method.rawValue, "rtol": tolerances.relative, "atol": tolerances.absolute,
                "error_norm": integration.errorNorm.rawValue, "t_end": times.last!, "samples": times.count - 1,
                "max_steps": integration.maxSteps as Any,
                "stiffness": integrator.stiffnessSwitch?.record as Any,
            ], result: figures.record(final: weights, leastSquares: ls).merging([
                "steps": earlierSteps + integrator.steps, "rhs_evaluations": tasks.reduce(0) { $0 + $1.flow.evaluations },
            ]) { $1 })
        }
        try writingRows(to: out, rowsWritten: { figures.rows }, provenance: provenance) {
            defer { progress.finish() }
            for (i, t) in times.enumerated() {
                if i > 0 {
                    while current + 1 < tasks.count, tasks[current + 1].start <= t {
                        let next = tasks[current + 1]
                        try advance(integrator, to: next.start)
                        (earlierSteps, earlierSeconds) = (earlierSteps + integrator.steps, earlierSeconds + integrator.seconds)
                        integrator = try integration.integrator(next.flow, from: Weights(architecture: architecture, flat: integrator.state),
                                                                at: next.start, for: .simulate)
                        integrator.announceStiffness(to: notice)
                        current += 1
                    }
                    try advance(integrator, to: t)
                    weights.flat = integrator.state
                }
                let (loss, excess) = tasks[current].flow.lossAndExcess(at: weights), imbalance = layout.imbalance(of: weights)
                let taskLosses = setup.taskLosses(at: weights)
                let test = setup.testLoss(at: weights, task: current)
                try out.write(row: try layout.values(time: t, loss: loss, excess: excess, testLoss: test, weights: weights,
                                                     imbalance: imbalance, taskLosses: taskLosses))
                figures.add(loss: loss, imbalance: imbalance)
                if let test { figures.test?.add(test, time: t) }
                if InterruptFlag.shared.isSet { throw LinflowError.interrupted("interrupted at t = \(t)") }
                progress.update(fraction: Double(i) / Double(times.count - 1),
                                detail: "t = \(fmt(t)) of \(fmt(times.last!)), loss \(fmt(loss))")
            }
        }
        var summary = SimulationSummary(
            architecture: architecture, dataDescription: setup.data.description,
            sampleCount: setup.data.correlations.sampleCount, method: integration.method,
            startTime: setup.startTime, tEnd: times.last!, rows: figures.rows, output: out.path,
            initialLoss: initialLoss, finalLoss: figures.finalLoss, lossFloor: ls.lossFloor,
            distanceToLeastSquares: (weights.effectiveMap - ls.map).frobeniusNorm,
            steps: earlierSteps + integrator.steps, evaluations: tasks.reduce(0) { $0 + $1.flow.evaluations },
            wallSeconds: setup.dataSeconds + setup.setupSeconds + seconds(since: clockStart),
            sigma11Singular: ls.sigma11IsSingular)
        summary.test = figures.test.map { (setup.testDescription!, $0) }
        summary.dataSeconds = setup.dataSeconds
        summary.setupSeconds = setupSeconds
        summary.integrationSeconds = earlierSeconds + integrator.seconds
        (summary.finalGradientNorm, summary.stationary) = SimulationSummary.stationarity(tasks.last!.flow, at: weights)
        summary.weightDecay = flow.terms.weightDecay
        summary.finalObjective = figures.finalLoss + flow.terms.penalty(weights)
        return summary
    }

    /// Integrates to `t`, turning GSL's failures into the one-line errors of the CLI.
    private func advance(_ integrator: ODEIntegrator, to t: Double) throws(LinflowError) {
        do {
            try integrator.advance(to: t)
        } catch .interrupted(let at) {
            throw LinflowError.interrupted(IntegrationFailure.interrupted(time: at).description)
        } catch {
            throw LinflowError.numerical(error.description)
        }
    }
}
