/// Everything `linflow compare` needs to know.
public struct ComparisonConfiguration: Sendable {
    public var problem = ProblemSetup()
    public var schedule = DescentSchedule(learningRate: 0.1)
    public var method: StepperMethod = .rkf45
    /// Tight by default, so that the integration error stays well below the O(η²) gap that the
    /// comparison with the modified flow is meant to show.
    public var relativeTolerance = 1e-10
    public var absoluteTolerance = 1e-12
    public var errorNorm: ErrorNorm = .max
    /// nil or "-": standard output.
    public var output: String?
    /// CSV or HDF5 (`--format`; by default by the extension of ``output``). The table holds no
    /// weights, so there is no weight selection.
    public var format: TrajectoryFormat?

    public init() {}

    public func validate() throws {
        try schedule.validate()
        guard relativeTolerance > 0, relativeTolerance.isFinite else {
            throw LinflowError.usage("--rtol must be positive, got \(relativeTolerance)")
        }
        guard absoluteTolerance > 0, absoluteTolerance.isFinite else {
            throw LinflowError.usage("--atol must be positive, got \(absoluteTolerance)")
        }
        try errorNorm.check(with: method)
    }
}

/// The `compare` CSV, one row per written step k at t = kη:
///
///     t,loss_gd,loss_flow,loss_modified,gap_flow,gap_flow_W21,…,gap_modified,gap_modified_W21,…
///
/// `gap_flow` = ‖W_gd − W_flow‖_F of the end-to-end maps W = W_L⋯W_1, `gap_flow_W21` =
/// ‖W21_gd − W21_flow‖_F for each layer; `gap_modified*` likewise against the modified flow.
public struct ComparisonLayout: Sendable {
    public let architecture: Architecture

    public var layerNames: [String] { (1...architecture.depth).map { architecture.name(ofLayer: $0) } }

    public var columns: [String] {
        ["t", "loss_gd", "loss_flow", "loss_modified"]
            + ["flow", "modified"].flatMap { f in ["gap_\(f)"] + layerNames.map { "gap_\(f)_\($0)" } }
    }

    /// Every column is a scalar dataset in HDF5.
    public var blocks: [ColumnBlock] { columns.map { ColumnBlock($0) } }

    /// ‖W_a − W_b‖_F of the end-to-end maps, then of each layer.
    public func distances(_ a: Weights, _ b: Weights) -> [Double] {
        [(a.endToEnd - b.endToEnd).frobeniusNorm] + zip(a.layers, b.layers).map { ($0 - $1).frobeniusNorm }
    }
}

/// Why an integration failed, in words.
func reason(_ f: IntegrationFailure) -> String {
    switch f {
    case .nonFinite(let t): return "the weights became infinite or NaN near t = \(fmt(t))"
    case .tooManySteps(let t, _): return "too many steps at t = \(fmt(t))"
    case .stepSizeUnderflow(let t): return "the step size fell below what double precision resolves at t = \(fmt(t))"
    case .gsl(let t, _, let r): return "\(r) at t = \(fmt(t))"
    case .interrupted(let t): return "interrupted at t = \(fmt(t))"
    }
}

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
    public var rows: Int
    public var output: String?
    public var method: StepperMethod
    /// Losses at the last step: descent, flow, modified flow.
    public var finalLosses: (descent: Double, flow: Double, modified: Double)
    /// Largest end-to-end and per-layer gaps to the flow and to the modified flow.
    public var flowGap = LargestGap(), flowLayerGap = LargestGap()
    public var modifiedGap = LargestGap(), modifiedLayerGap = LargestGap()
    public var wallSeconds: Double

    public var text: String {
        let dest = output.map { "→ \($0)" } ?? "→ stdout"
        let l = finalLosses
        return [
            "linflow: \(architecture.description) network on \(dataDescription): descent η = \(fmt(learningRate)), \(steps) steps to t = \(fmt(Double(steps) * learningRate)), beside the flow and the modified flow (\(method.rawValue)): \(rows) rows \(dest)",
            "  final loss: descent \(fmt(l.descent)), flow \(fmt(l.flow)), modified flow \(fmt(l.modified))",
            "  largest gap to the flow ‖W_gd − W_flow‖_F = \(flowGap.text); per layer: \(flowLayerGap.layer ?? "-") \(flowLayerGap.text)",
            "  largest gap to the modified flow ‖W_gd − W_mod‖_F = \(modifiedGap.text); per layer: \(modifiedLayerGap.layer ?? "-") \(modifiedLayerGap.text)",
            "  \(String(format: "%.3f", wallSeconds)) s",
        ].joined(separator: "\n")
    }
}

/// Runs gradient descent, the gradient flow and the modified flow (``ModifiedFlow``) from the
/// same initial weights and writes their losses and distances at every written step.
public struct Comparison {
    public let configuration: ComparisonConfiguration

    public init(_ configuration: ComparisonConfiguration) { self.configuration = configuration }

    /// `notice` receives the stability warning, before the first step.
    public func run(notice: (String) -> Void = { _ in }) throws -> ComparisonSummary {
        let cfg = configuration
        try cfg.validate()
        let loop = try DescentLoop(cfg.problem, cfg.schedule)
        let p = loop.problem, eta = loop.learningRate
        if let w = stabilityWarning(learningRate: eta, sharpness: SharpnessEstimator(flow: p.flow).estimate(at: p.start)) {
            notice(w)
        }
        func integrator(_ system: ODESystem) throws -> ODEIntegrator {
            try ODEIntegrator(system: system, initialState: p.start.flat, method: cfg.method,
                              relativeTolerance: cfg.relativeTolerance, absoluteTolerance: cfg.absoluteTolerance,
                              errorNorm: cfg.errorNorm)
        }
        let flow = try integrator(p.flow)
        let modified = try integrator(ModifiedFlow(flow: p.flow, learningRate: eta))
        func advance(_ i: ODEIntegrator, _ name: String, to t: Double) throws -> Weights {
            do {
                try i.advance(to: t)
            } catch .interrupted(let at) {
                throw LinflowError.interrupted("interrupted at t = \(fmt(at))")
            } catch {
                throw LinflowError.numerical("GSL could not integrate the \(name) to t = \(fmt(t)): \(reason(error))")
            }
            return Weights(architecture: p.architecture, flat: i.state)
        }

        let layout = ComparisonLayout(architecture: p.architecture)
        let out = try TrajectoryStorage(format: cfg.format).open(cfg.output, blocks: layout.blocks, rows: loop.rowsAfterStart + 1,
                                                                 fewerRows: "--every")
        var summary = ComparisonSummary(
            architecture: p.architecture, dataDescription: p.data.description, learningRate: eta,
            steps: loop.steps, rows: 0, output: out.path, method: cfg.method,
            finalLosses: (loop.initialLoss, loop.initialLoss, loop.initialLoss), wallSeconds: 0)
        let descent = GradientDescent(gradientSource: p.flow, initial: p.start, learningRate: eta)
        let provenance = { (status: String) in
            p.record(command: "compare", status: status, rows: summary.rows, settings: [
                "lr": eta, "steps": loop.steps, "every": loop.every, "method": cfg.method.rawValue,
                "rtol": cfg.relativeTolerance, "atol": cfg.absoluteTolerance, "error_norm": cfg.errorNorm.rawValue,
            ])
        }
        try loop.run(descent, to: out, label: "linflow compare",
                     rowsWritten: { summary.rows }, provenance: provenance) { k, t, gd, loss in
            let wf = try advance(flow, "flow", to: t), wm = try advance(modified, "modified flow", to: t)
            let losses = (loss, p.flow.loss(at: wf), p.flow.loss(at: wm))
            let df = layout.distances(gd, wf), dm = layout.distances(gd, wm)
            try out.write(row: [t, losses.0, losses.1, losses.2] + df + dm)
            summary.rows += 1
            summary.finalLosses = losses
            summary.flowGap.update(df[0], step: k, time: t)
            summary.modifiedGap.update(dm[0], step: k, time: t)
            for (l, name) in layout.layerNames.enumerated() {
                summary.flowLayerGap.update(df[l + 1], step: k, time: t, layer: name)
                summary.modifiedLayerGap.update(dm[l + 1], step: k, time: t, layer: name)
            }
        }
        summary.wallSeconds = loop.elapsedSeconds
        return summary
    }
}
