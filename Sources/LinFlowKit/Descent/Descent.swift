/// Everything `linflow descend` needs to know.
public struct DescentConfiguration: Sendable {
    public var problem = ProblemSetup()
    public var schedule = DescentSchedule(learningRate: 0.1)
    /// nil: full-batch descent on the correlations; B: minibatches of B samples (SGD).
    public var batchSize: Int?
    /// Seeds the per-epoch shuffling of minibatch descent.
    public var shuffleSeed: UInt64 = 1
    /// Heavy-ball β in [0, 1); 0 is plain descent.
    public var momentum = 0.0
    /// nil or "-": standard output.
    public var output: String?
    /// CSV or HDF5, and which weight blocks (`--format`, `--weights`).
    public var storage = TrajectoryStorage()
    public var diagnostics: TrajectoryLayout.Diagnostics = .all
    /// Estimate the sharpness at every written row (the `sharpness` column). Off: estimated once,
    /// at the start, for the stability warning only; no column. Each estimate costs tens of
    /// Hessian-vector products, which dominates descent on large networks.
    public var trackSharpness = true

    public init() {}

    public func validate() throws {
        try schedule.validate()
        if let batchSize, batchSize < 1 { throw LinflowError.usage("--batch-size must be at least 1, got \(batchSize)") }
        guard momentum >= 0, momentum < 1 else {
            throw LinflowError.usage("--momentum must be at least 0 and below 1, got \(momentum)")
        }
    }
}

/// The `descend` CSV: the ``TrajectoryLayout`` of `simulate` with one more column, `sharpness`
/// (λ_max of the Hessian of the full-data loss at that row).
public struct DescentLayout: Sendable {
    public let trajectory: TrajectoryLayout
    /// Whether the `sharpness` column is written (`--no-sharpness` drops it).
    public var sharpness = true

    public var blocks: [ColumnBlock] { trajectory.blocks + (sharpness ? [ColumnBlock("sharpness")] : []) }
    public var columns: [String] { blocks.columnNames }

    public func values(time: Double, loss: Double, weights: Weights, sharpness value: Double?) throws -> [Double] {
        try trajectory.values(time: time, loss: loss, weights: weights, trailing: sharpness ? value.map { [$0] } ?? [] : [])
    }
}

/// The loss at the start and at the end of a run, beside its floor.
public struct LossChange: Sendable {
    public var initial: Double
    public var final: Double
    public var floor: Double
    /// ‖W − W*‖_F at the end, W* the least-squares map.
    public var distanceToLeastSquares: Double

    public var text: String {
        "loss \(fmt(initial)) → \(fmt(final)); floor \(fmt(floor)); ‖W − W*‖_F = \(fmt(distanceToLeastSquares))"
    }
}

/// What a finished descent reports.
public struct DescentSummary: Sendable {
    public var architecture: Architecture
    public var dataDescription: String
    public var sampleCount: Int
    public var learningRate: Double
    public var steps: Int
    public var batchSize: Int?
    public var epochs: Int
    public var momentum: Double
    public var rows: Int
    public var output: String?
    public var loss: LossChange
    public var initialSharpness: Double
    /// The largest sharpness over the written rows, and the time of its row.
    public var largestSharpness: (value: Double, time: Double)
    public var gradientEvaluations: Int
    public var hessianProducts: Int
    /// Of ``wallSeconds``: the sharpness estimates (Hessian-vector products and Lanczos).
    public var sharpnessSeconds = 0.0
    /// False with `--no-sharpness`: only the start's sharpness is known.
    public var sharpnessTracked = true
    public var wallSeconds: Double
    /// Of ``wallSeconds``: reading the data and the set-up before the first step.
    public var setupSeconds = 0.0

    public var text: String {
        let dest = output.map { "→ \($0)" } ?? "→ stdout"
        let tEnd = Double(steps) * learningRate
        var method = "gradient descent, η = \(fmt(learningRate))"
        if let batchSize { method += ", minibatches of \(batchSize) (\(epochs) epoch\(epochs == 1 ? "" : "s"))" }
        if momentum > 0 { method += ", momentum β = \(fmt(momentum))" }
        let top = largestSharpness
        var lines = [
            "linflow: \(architecture.description) network on \(dataDescription) (N = \(sampleCount)), \(method): \(steps) steps to t = \(fmt(tEnd)), \(rows) rows \(dest)",
            "  " + loss.text,
            sharpnessTracked
                ? "  sharpness λ_max \(fmt(initialSharpness)) at the start, largest \(fmt(top.value)) at t = \(fmt(top.time)); 2/λ_max = \(fmt(2 / top.value))"
                : "  sharpness λ_max \(fmt(initialSharpness)) at the start (to 1e-4; not tracked along the run: --no-sharpness)",
            "  \(gradientEvaluations) gradient evaluations, \(hessianProducts) Hessian-vector products (\(String(format: "%.3f", sharpnessSeconds)) s), \(String(format: "%.3f", wallSeconds)) s (data and set-up \(String(format: "%.3f", setupSeconds)) s)",
        ]
        if learningRate > 2 / top.value, learningRate <= 2 / initialSharpness {
            lines.append("  note: the sharpness grew past 2/η = \(fmt(2 / learningRate)) along the run: descent reached the edge of stability")
        }
        return lines.joined(separator: "\n")
    }
}

/// Runs gradient descent (full-batch or minibatch, with optional momentum) from the configured
/// start and streams its trajectory to CSV, row k at t = kη.
public struct Descent {
    public let configuration: DescentConfiguration

    public init(_ configuration: DescentConfiguration) { self.configuration = configuration }

    /// `notice` receives the stability warning, before the first step.
    public func run(notice: (String) -> Void = { _ in }) throws -> DescentSummary {
        let cfg = configuration
        try cfg.validate()
        let loop = try DescentLoop(cfg.problem, cfg.schedule)
        let p = loop.problem

        // Minibatches need the samples; their gradients come from a second flow whose
        // correlations are those of the batch. Losses and sharpness use the full data.
        var batches: (samples: SampleSet, sampler: MinibatchSampler)?
        var gradientSource = p.flow
        if let b = cfg.batchSize {
            let samples = try SampleSet.load(cfg.problem.data)
            guard b <= samples.count else {
                throw LinflowError.usage("--batch-size \(b) exceeds the \(samples.count) samples of the data")
            }
            batches = (samples, MinibatchSampler(sampleCount: samples.count, batchSize: b, seed: cfg.shuffleSeed))
            gradientSource = try GradientFlow(architecture: p.architecture, correlations: p.data.correlations)
        }

        // Without the column the estimate only decides the stability warning, for which 1e-4
        // (relative) is ample and costs a fraction of the products (784-1000-10: 348 at 1e-7).
        let sharpness = SharpnessEstimator(flow: p.flow, tolerance: cfg.trackSharpness ? 1e-7 : 1e-4)
        let initialSharpness = sharpness.estimate(at: p.start)
        if let w = stabilityWarning(learningRate: loop.learningRate, sharpness: initialSharpness) { notice(w) }
        if cfg.trackSharpness {
            // Each written row repeats an estimate like this one; on large networks that can
            // dwarf the descent itself (784-1000-10: ~1.4 s per row), so say so before starting.
            let rowsAhead = loop.rowsAfterStart
            let projected = Double(rowsAhead) * sharpness.seconds
            if projected > 30 {
                notice("linflow: note: the sharpness column will take about \(Int(projected.rounded())) s (\(rowsAhead) more rows at \(String(format: "%.2f", sharpness.seconds)) s each); --no-sharpness or a larger --every makes it cheaper")
            }
        }

        let descent = GradientDescent(gradientSource: gradientSource, initial: p.start,
                                      learningRate: loop.learningRate, momentum: cfg.momentum)
        let layout = DescentLayout(trajectory: try TrajectoryLayout(architecture: p.architecture, diagnostics: cfg.diagnostics,
                                                                    weights: cfg.storage.weights),
                                   sharpness: cfg.trackSharpness)
        let out = try cfg.storage.open(cfg.output, blocks: layout.blocks, rows: loop.rowsAfterStart + 1, fewerRows: "--every")
        var rows = 0, finalLoss = loop.initialLoss, top = (value: initialSharpness, time: 0.0)
        let provenance = { (status: String) in
            p.record(command: "descend", status: status, rows: rows, settings: [
                "lr": loop.learningRate, "steps": loop.steps, "every": loop.every,
                "batch_size": cfg.batchSize ?? 0, "shuffle_seed": cfg.shuffleSeed, "momentum": cfg.momentum,
            ])
        }
        try loop.run(descent, to: out, label: "linflow descend", rowsWritten: { rows },
                     provenance: provenance,
                     beforeStep: batches.map { batches in {
                         try gradientSource.setGradientCorrelations(batches.samples.correlations(of: batches.sampler.next()))
                     } }) { k, t, weights, loss in
            var s: Double?
            if cfg.trackSharpness {
                let v = k == 0 ? initialSharpness : sharpness.estimate(at: weights)
                if v > top.value { top = (v, t) }
                s = v
            }
            try out.write(row: try layout.values(time: t, loss: loss, weights: weights, sharpness: s))
            rows += 1
            finalLoss = loss
        }
        let ls = p.flow.leastSquares
        var summary = DescentSummary(
            architecture: p.architecture, dataDescription: p.data.description,
            sampleCount: p.data.correlations.sampleCount, learningRate: loop.learningRate, steps: loop.steps,
            batchSize: cfg.batchSize, epochs: batches?.sampler.epoch ?? 0, momentum: cfg.momentum,
            rows: rows, output: out.path,
            loss: LossChange(initial: loop.initialLoss, final: finalLoss, floor: ls.lossFloor,
                             distanceToLeastSquares: (descent.weights.endToEnd - ls.map).frobeniusNorm),
            initialSharpness: initialSharpness, largestSharpness: top,
            gradientEvaluations: gradientSource.evaluations, hessianProducts: sharpness.products,
            wallSeconds: loop.elapsedSeconds)
        summary.setupSeconds = loop.setupSeconds
        summary.sharpnessSeconds = sharpness.seconds
        summary.sharpnessTracked = cfg.trackSharpness
        return summary
    }
}
