import Foundation

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
            lines.append("  note: the loss is still \(fmt(excess)) above its floor; a longer --t-end would let it converge")
        }
        return lines.joined(separator: "\n")
    }
}

func fmt(_ x: Double) -> String { String(format: "%.6g", x) }

/// Wall-clock seconds since `start`.
func seconds(since start: DispatchTime) -> Double {
    Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
}

/// Integrates gradient flow from the resolved start and streams the trajectory to CSV, rows at
/// t0 + (T − t0)·i/M (t0 = 0, or the last t of an `--init` file).
public struct Simulation {
    public let setup: RunSetup

    public init(_ setup: RunSetup) { self.setup = setup }

    public func run() throws -> SimulationSummary {
        let clockStart = DispatchTime.now()
        let request = setup.request, flow = setup.flow, architecture = setup.architecture
        let integration = request.integration ?? IntegrationChoice()
        let tolerances = integration.tolerances(for: .simulate)
        let times = try setup.rowTimes()
        let layout = try setup.trajectoryLayout()
        let ls = flow.leastSquares
        let integrator = try ODEIntegrator(
            system: flow, initialState: setup.start.flat, startTime: setup.startTime, method: integration.method,
            relativeTolerance: tolerances.relative, absoluteTolerance: tolerances.absolute,
            errorNorm: integration.errorNorm, maxSteps: integration.maxSteps)
        integrator.announceStiffness()

        let out = try request.storage.open(request.output, blocks: layout.blocks, rows: times.count, fewerRows: "--samples")
        let setupSeconds = setup.setupSeconds + seconds(since: clockStart)
        let progress = Progress(label: "linflow simulate")
        var weights = setup.start
        var figures = TrajectoryFigures()
        let initialLoss = flow.loss(at: weights)
        let provenance = { (status: String) in
            setup.record(status: status, settings: [
                "method": integration.method.rawValue, "rtol": tolerances.relative, "atol": tolerances.absolute,
                "error_norm": integration.errorNorm.rawValue, "t_end": times.last!, "samples": times.count - 1,
                "max_steps": integration.maxSteps as Any,
                "stiffness": integrator.stiffnessSwitch?.record as Any,
            ], result: figures.record(final: weights, leastSquares: ls).merging([
                "steps": integrator.steps, "rhs_evaluations": flow.evaluations,
            ]) { $1 })
        }
        try writingRows(to: out, rowsWritten: { figures.rows }, provenance: provenance) {
            defer { progress.finish() }
            for (i, t) in times.enumerated() {
                if i > 0 {
                    try advance(integrator, to: t, tEnd: times.last!)
                    weights.flat = integrator.state
                }
                let loss = flow.loss(at: weights), imbalance = layout.imbalance(of: weights)
                try out.write(row: try layout.values(time: t, loss: loss, weights: weights, imbalance: imbalance))
                figures.add(loss: loss, imbalance: imbalance)
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
            steps: integrator.steps, evaluations: flow.evaluations,
            wallSeconds: setup.dataSeconds + setup.setupSeconds + seconds(since: clockStart),
            sigma11Singular: ls.sigma11IsSingular)
        summary.dataSeconds = setup.dataSeconds
        summary.setupSeconds = setupSeconds
        summary.integrationSeconds = integrator.seconds
        return summary
    }

    /// Integrates to `t`, turning GSL's failures into the one-line errors of the CLI.
    private func advance(_ integrator: ODEIntegrator, to t: Double, tEnd: Double) throws(LinflowError) {
        do {
            try integrator.advance(to: t)
        } catch .interrupted(let at) {
            throw LinflowError.interrupted("interrupted at t = \(at)")
        } catch {
            throw LinflowError.numerical(describe(error, tEnd: tEnd))
        }
    }

    private func describe(_ f: IntegrationFailure, tEnd: Double) -> String {
        switch f {
        case .nonFinite(let t):
            return "the weights became infinite or NaN near t = \(t)"
        case .tooManySteps(let t, let limit):
            return "GSL reached --max-steps \(limit) at t = \(t) before t-end \(tEnd)"
        case .stepSizeUnderflow(let t):
            return "GSL's step size fell below what double precision can resolve at t = \(t) (tolerances too tight, or the flow is blowing up)"
        case .gsl(let t, let status, let reason):
            return "GSL failed at t = \(t): \(reason) (status \(status))"
        case .interrupted(let t):
            return "interrupted at t = \(t)"
        }
    }
}
