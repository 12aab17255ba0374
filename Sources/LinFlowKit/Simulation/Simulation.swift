import Foundation

/// Everything `linflow simulate` needs to know.
public struct SimulationConfiguration: Sendable {
    public var data: DataSource = .builtin(DataSource.defaultDataset)
    /// nil: the architecture of the `--init` file if there is one, else ``NetworkSpec/defaultHidden``.
    public var network: NetworkSpec?
    /// Give every layer a bias vector (`--bias`); an `--init` file with bias columns implies it.
    public var bias = false
    public var initialization: Initialization = .gaussian(seed: 1, scale: 1e-3)
    public var method: StepperMethod = .rkf45
    public var relativeTolerance = 1e-8
    public var absoluteTolerance = 1e-10
    public var errorNorm: ErrorNorm = .max
    /// nil: the dataset's suggested horizon, or 80.
    public var tEnd: Double?
    public var samples = 200
    public var maxSteps: Int?
    /// nil or "-": standard output.
    public var output: String?
    /// CSV or HDF5, and which weight blocks (`--format`, `--weights`).
    public var storage = TrajectoryStorage()
    public var diagnostics: TrajectoryLayout.Diagnostics = .all
    /// Add the mode strengths mode_1…mode_r (`--modes`, see ``ModeBasis``).
    public var modes = false

    public init() {}

    public static let defaultHorizon = 80.0

    public func validate() throws {
        if let tEnd, !(tEnd > 0 && tEnd.isFinite) {
            throw LinflowError.usage("--t-end must be a positive number, got \(tEnd)")
        }
        guard samples >= 1 else { throw LinflowError.usage("--samples must be at least 1, got \(samples)") }
        guard relativeTolerance > 0, relativeTolerance.isFinite else {
            throw LinflowError.usage("--rtol must be positive, got \(relativeTolerance)")
        }
        guard absoluteTolerance > 0, absoluteTolerance.isFinite else {
            throw LinflowError.usage("--atol must be positive, got \(absoluteTolerance)")
        }
        if let maxSteps, maxSteps < 1 { throw LinflowError.usage("--max-steps must be positive, got \(maxSteps)") }
        try errorNorm.check(with: method)
    }
}

/// What a finished run reports.
public struct SimulationSummary: Sendable {
    public var architecture: Architecture
    public var dataDescription: String
    public var sampleCount: Int
    public var method: StepperMethod
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
    public var sigma11Singular: Bool

    /// The lines printed on stderr after a run.
    public var text: String {
        let dest = output.map { "→ \($0)" } ?? "→ stdout"
        var lines = [
            "linflow: \(architecture.description) network on \(dataDescription) (N = \(sampleCount)), \(method.rawValue) to t = \(tEnd): \(rows) rows \(dest)",
            "  loss \(fmt(initialLoss)) → \(fmt(finalLoss)); floor \(fmt(lossFloor)); ‖W − W*‖_F = \(fmt(distanceToLeastSquares))",
            "  \(steps) steps, \(evaluations) RHS evaluations, \(String(format: "%.3f", wallSeconds)) s (data \(String(format: "%.3f", dataSeconds)) s, set-up \(String(format: "%.3f", setupSeconds)) s)",
        ]
        if sigma11Singular {
            lines.append("  note: Σ11 is singular; W* is the minimum-norm least-squares map Σ31Σ11⁺")
        }
        let excess0 = initialLoss - lossFloor, excess = finalLoss - lossFloor
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

/// Integrates gradient flow from the configured start and streams the trajectory to CSV.
public struct Simulation {
    public let configuration: SimulationConfiguration

    public init(_ configuration: SimulationConfiguration) { self.configuration = configuration }

    public func run() throws -> SimulationSummary {
        let cfg = configuration
        try cfg.validate()
        let clockStart = DispatchTime.now()
        let data = try cfg.data.correlations()
        let dataSeconds = seconds(since: clockStart)
        let c = data.correlations
        let architecture = try resolveArchitecture(cfg, inputs: c.inputs, outputs: c.outputs)
        let w0 = try cfg.initialization.weights(for: architecture, correlations: c)
        let tEnd = cfg.tEnd ?? data.suggestedHorizon ?? SimulationConfiguration.defaultHorizon

        let flow = try GradientFlow(architecture: architecture, correlations: c)
        let layout = try TrajectoryLayout(architecture: architecture, diagnostics: cfg.diagnostics,
                                          modes: cfg.modes ? try ModeBasis(flow: flow) : nil, weights: cfg.storage.weights)
        let ls = flow.leastSquares
        let integrator = try ODEIntegrator(
            system: flow, initialState: w0.flat, method: cfg.method,
            relativeTolerance: cfg.relativeTolerance, absoluteTolerance: cfg.absoluteTolerance,
            errorNorm: cfg.errorNorm, maxSteps: cfg.maxSteps)

        let out = try cfg.storage.open(cfg.output, blocks: layout.blocks, rows: cfg.samples + 1, fewerRows: "--samples")
        let setupSeconds = seconds(since: clockStart) - dataSeconds
        let progress = Progress(label: "linflow simulate")
        var weights = w0
        var rows = 0
        let initialLoss = flow.loss(at: w0)
        var loss = initialLoss
        let provenance = { (status: String) in
            record(status: status, rows: rows, loss: loss, integrator: integrator, flow: flow,
                   data: data, architecture: architecture, tEnd: tEnd)
        }
        try writingRows(to: out, rowsWritten: { rows }, provenance: provenance) {
            defer { progress.finish() }
            for i in 0...cfg.samples {
                // t_i = T·i/M, so the last row is at exactly T.
                let t = tEnd * Double(i) / Double(cfg.samples)
                if i > 0 {
                    try advance(integrator, to: t, tEnd: tEnd)
                    weights.flat = integrator.state
                }
                loss = flow.loss(at: weights)
                try out.write(row: try layout.values(time: t, loss: loss, weights: weights))
                rows += 1
                if InterruptFlag.shared.isSet { throw LinflowError.interrupted("interrupted at t = \(t)") }
                progress.update(fraction: Double(i) / Double(cfg.samples),
                                detail: "t = \(fmt(t)) of \(fmt(tEnd)), loss \(fmt(loss))")
            }
        }
        let wall = seconds(since: clockStart)
        var summary = SimulationSummary(
            architecture: architecture, dataDescription: data.description, sampleCount: c.sampleCount,
            method: cfg.method, tEnd: tEnd, rows: rows, output: out.path, initialLoss: initialLoss,
            finalLoss: loss, lossFloor: ls.lossFloor,
            distanceToLeastSquares: (weights.effectiveMap - ls.map).frobeniusNorm,
            steps: integrator.steps, evaluations: flow.evaluations, wallSeconds: wall,
            sigma11Singular: ls.sigma11IsSingular)
        summary.dataSeconds = dataSeconds
        summary.setupSeconds = setupSeconds
        return summary
    }

    private func record(status: String, rows: Int, loss: Double, integrator: ODEIntegrator, flow: GradientFlow,
                        data: LoadedData, architecture: Architecture, tEnd: Double) -> RunRecord {
        let cfg = configuration
        var settings: [String: Any] = [
            "method": cfg.method.rawValue, "rtol": cfg.relativeTolerance, "atol": cfg.absoluteTolerance,
            "error_norm": cfg.errorNorm.rawValue, "t_end": tEnd, "samples": cfg.samples,
        ]
        if let m = cfg.maxSteps { settings["max_steps"] = m }
        return RunRecord(command: "simulate", settings: [
            "data": data.record,
            "network": ["sizes": architecture.sizes],
            "initialization": cfg.initialization.record,
            "integration": settings,
            "result": ["status": status, "rows": rows, "final_loss": loss, "steps": integrator.steps,
                       "rhs_evaluations": flow.evaluations],
        ])
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

func resolveArchitecture(_ cfg: SimulationConfiguration, inputs: Int, outputs: Int) throws -> Architecture {
    try resolveArchitecture(network: cfg.network, bias: cfg.bias, initialization: cfg.initialization,
                            inputs: inputs, outputs: outputs)
}

/// The network of a run: `network` if given, else that of an `--init` file (biases included),
/// else ``NetworkSpec/defaultHidden`` hidden units.
public func resolveArchitecture(network: NetworkSpec?, bias: Bool, initialization: Initialization,
                                inputs: Int, outputs: Int) throws -> Architecture {
    if let spec = network { return try spec.architecture(inputs: inputs, outputs: outputs, bias: bias) }
    if case .file(let path) = initialization {
        // Only the header: the weights themselves are read once, by the initialisation.
        let a = try WeightFile.architecture(path: path)
        guard a.inputs == inputs, a.outputs == outputs else {
            throw LinflowError.data("\(path): its weights form a \(a.description) network, but the data have \(inputs) inputs and \(outputs) outputs")
        }
        if bias && !a.bias {
            throw LinflowError.data("\(path): has no bias columns (b21_1, …), but --bias was given")
        }
        return a
    }
    return try NetworkSpec.hidden(NetworkSpec.defaultHidden).architecture(inputs: inputs, outputs: outputs, bias: bias)
}
