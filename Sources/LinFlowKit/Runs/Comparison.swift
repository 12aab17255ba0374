import Foundation

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

    public var text: String {
        let dest = output.map { "→ \($0)" } ?? "→ stdout"
        let l = finalLosses
        return [
            "linflow: \(architecture.description) network on \(dataDescription): descent η = \(fmt(learningRate)), \(firstStep == 0 ? "" : "from step \(firstStep) ")\(steps) steps to t = \(fmt(Double(firstStep + steps) * learningRate)), beside the flow and the modified flow (\(method.rawValue)): \(rows) rows \(dest)",
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
    public let setup: RunSetup

    public init(_ setup: RunSetup) { self.setup = setup }

    /// `notice` receives the stability warning, before the first step.
    public func run(notice: (String) -> Void = { _ in }) throws -> ComparisonSummary {
        let request = setup.request
        let integration = request.integration ?? IntegrationChoice()
        let tolerances = integration.tolerances(for: .compare)
        let loop = try DescentLoop(setup, (request.descent ?? DescentChoice()).schedule)
        let flowModel = setup.flow, eta = loop.learningRate, architecture = setup.architecture
        if let w = stabilityWarning(learningRate: eta, sharpness: SharpnessEstimator(flow: flowModel).estimate(at: setup.start)) {
            notice(w)
        }
        func integrator(_ system: ODESystem) throws -> ODEIntegrator {
            try ODEIntegrator(system: system, initialState: setup.start.flat, startTime: setup.startTime,
                              method: integration.method,
                              relativeTolerance: tolerances.relative, absoluteTolerance: tolerances.absolute,
                              errorNorm: integration.errorNorm, maxSteps: integration.maxSteps)
        }
        let flow = try integrator(flowModel)
        let modified = try integrator(ModifiedFlow(flow: flowModel, learningRate: eta))
        flow.announceStiffness("flow")
        modified.announceStiffness("modified flow")
        func advance(_ i: ODEIntegrator, _ name: String, to t: Double) throws -> Weights {
            do {
                try i.advance(to: t)
            } catch .interrupted(let at) {
                throw LinflowError.interrupted("interrupted at t = \(fmt(at))")
            } catch {
                throw LinflowError.numerical("GSL could not integrate the \(name) to t = \(fmt(t)): \(reason(error))")
            }
            return Weights(architecture: architecture, flat: i.state)
        }

        let layout = ComparisonLayout(architecture: architecture)
        let out = try request.storage.open(request.output, blocks: layout.blocks, rows: loop.rowsAfterStart + 1,
                                           fewerRows: "--every")
        var summary = ComparisonSummary(
            architecture: architecture, dataDescription: setup.data.description, learningRate: eta,
            steps: loop.steps, rows: 0, output: out.path, method: integration.method,
            finalLosses: (loop.initialLoss, loop.initialLoss, loop.initialLoss), wallSeconds: 0)
        let descent = GradientDescent(gradientSource: flowModel, initial: setup.start, learningRate: eta)
        var diverged = false
        let provenance = { (status: String) in
            let l = summary.finalLosses
            return setup.record(status: status, settings: [
                "lr": eta, "steps": loop.steps, "every": loop.every, "first_step": loop.firstStep,
                "method": integration.method.rawValue, "rtol": tolerances.relative, "atol": tolerances.absolute,
                "error_norm": integration.errorNorm.rawValue,
                "max_steps": integration.maxSteps.map { $0 as Any } ?? NSNull(),
                "stiffness": integration.method == .auto
                    ? ["flow": flow.stiffnessSwitch?.record as Any, "modified_flow": modified.stiffnessSwitch?.record as Any] as Any
                    : NSNull(),
            ], result: [
                "rows": summary.rows, "diverged": diverged,
                "final_loss": l.descent, "final_loss_gd": l.descent, "final_loss_flow": l.flow, "final_loss_modified": l.modified,
                "max_gap_flow": summary.flowGap.value, "max_gap_modified": summary.modifiedGap.value,
            ])
        }
        try loop.run(descent, to: out, label: "linflow compare",
                     rowsWritten: { summary.rows }, provenance: provenance, diverged: { diverged = true }) { k, t, gd, loss in
            let wf = try advance(flow, "flow", to: t), wm = try advance(modified, "modified flow", to: t)
            let losses = (loss, flowModel.loss(at: wf), flowModel.loss(at: wm))
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
        summary.firstStep = loop.firstStep
        summary.wallSeconds = loop.elapsedSeconds
        return summary
    }
}
