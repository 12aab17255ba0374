import Foundation

/// The `descend` CSV: the ``TrajectoryLayout`` of `simulate` with one more column, `sharpness`
/// (λ_max of the Hessian of the full-data loss at that row).
public struct DescentLayout: Sendable {
    public let trajectory: TrajectoryLayout
    /// Whether the `sharpness` column is written (`--no-sharpness` drops it).
    public var sharpness = true

    public var blocks: [ColumnBlock] { trajectory.blocks + (sharpness ? [ColumnBlock("sharpness")] : []) }
    public var columns: [String] { blocks.columnNames }

    public func values(time: Double, loss: Double, weights: Weights, imbalance: Double?, sharpness value: Double?) throws -> [Double] {
        try trajectory.values(time: time, loss: loss, weights: weights, imbalance: imbalance,
                              trailing: sharpness ? value.map { [$0] } ?? [] : [])
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
    /// Step numbers of the first and the last row (k0 > 0 when resuming from a file).
    public var firstStep = 0
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
        let tEnd = Double(firstStep + steps) * learningRate
        let from = firstStep == 0 ? "" : "from step \(firstStep) "
        var method = "gradient descent, η = \(fmt(learningRate))"
        if let batchSize { method += ", minibatches of \(batchSize) (\(epochs) epoch\(epochs == 1 ? "" : "s"))" }
        if momentum > 0 { method += ", momentum β = \(fmt(momentum))" }
        let top = largestSharpness
        var lines = [
            "linflow: \(architecture.description) network on \(dataDescription) (N = \(sampleCount)), \(method): \(from)\(steps) steps to t = \(fmt(tEnd)), \(rows) rows \(dest)",
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

/// Runs gradient descent (full-batch or minibatch, with optional momentum) from the resolved
/// start and streams its trajectory to CSV, row k at t = kη.
public struct Descent {
    public let setup: RunSetup

    public init(_ setup: RunSetup) { self.setup = setup }

    /// `notice` receives the stability warning and other notes, before the first step.
    public func run(notice: (String) -> Void = { _ in }) throws -> DescentSummary {
        let choice = setup.request.descent ?? DescentChoice()
        let loop = try DescentLoop(setup, choice.schedule)
        let momentum = choice.momentum ?? 0
        let shuffleSeed = choice.shuffleSeed ?? setup.request.start.seed ?? StartChoice.defaultSeed

        // Minibatches need the samples; their gradients come from a second flow whose
        // correlations are those of the batch. Losses and sharpness use the full data.
        var batches: (samples: SampleSet, sampler: MinibatchSampler)?
        var gradientSource = setup.flow
        if let b = choice.batchSize {
            let samples = try SampleSet.load(setup.request.data.source)
            guard b <= samples.count else {
                throw LinflowError.usage("--batch-size \(b) exceeds the \(samples.count) samples of the data")
            }
            batches = (samples, MinibatchSampler(sampleCount: samples.count, batchSize: b, seed: shuffleSeed))
            gradientSource = try GradientFlow(architecture: setup.architecture, correlations: setup.data.correlations)
        }

        // Heavy ball carries a velocity θ_k − θ_{k−1}: a file gives it when its last two rows
        // are consecutive steps of this η.
        var previous: Weights?
        if momentum > 0, let r = setup.resume {
            if let p = r.previous, loop.clock.time(ofStep: loop.firstStep - 1) == p.time, loop.clock.onGrid {
                previous = p.weights
            } else {
                notice("linflow: note: \(r.path) does not end with two consecutive steps of η = \(fmt(loop.learningRate)) (write them with --every 1), so the momentum's velocity restarts at zero")
            }
        }

        // Without the column the estimate only decides the stability warning, for which 1e-4
        // (relative) is ample and costs a fraction of the products (784-1000-10: 348 at 1e-7).
        let sharpness = SharpnessEstimator(flow: setup.flow, tolerance: choice.trackSharpness ? 1e-7 : 1e-4)
        let initialSharpness = sharpness.estimate(at: setup.start)
        if let w = stabilityWarning(learningRate: loop.learningRate, sharpness: initialSharpness) { notice(w) }
        if choice.trackSharpness {
            // Each written row repeats an estimate like this one; on large networks that can
            // dwarf the descent itself (784-1000-10: ~1.4 s per row), so say so before starting.
            let rowsAhead = loop.rowsAfterStart
            let projected = Double(rowsAhead) * sharpness.seconds
            if projected > 30 {
                notice("linflow: note: the sharpness column will take about \(Int(projected.rounded())) s (\(rowsAhead) more rows at \(String(format: "%.2f", sharpness.seconds)) s each); --no-sharpness or a larger --every makes it cheaper")
            }
        }

        let descent = GradientDescent(gradientSource: gradientSource, initial: setup.start,
                                      learningRate: loop.learningRate, momentum: momentum, previous: previous)
        let layout = DescentLayout(trajectory: try setup.trajectoryLayout(), sharpness: choice.trackSharpness)
        let out = try setup.request.storage.open(setup.request.output, blocks: layout.blocks, rows: loop.rowsAfterStart + 1,
                                                 fewerRows: "--every")
        var figures = TrajectoryFigures(), top = (value: initialSharpness, time: setup.startTime), diverged = false
        var last = setup.start
        let ls = setup.flow.leastSquares
        let provenance = { (status: String) in
            var result = figures.record(final: last, leastSquares: ls)
            result["diverged"] = diverged
            result["initial_sharpness"] = initialSharpness
            if choice.trackSharpness { result["max_sharpness"] = top.value }
            return setup.record(status: status, settings: [
                "lr": loop.learningRate, "steps": loop.steps, "every": loop.every, "first_step": loop.firstStep,
                "batch_size": choice.batchSize.map { $0 as Any } ?? NSNull(),
                "shuffle_seed": choice.batchSize == nil ? NSNull() : shuffleSeed as Any,
                "momentum": momentum, "momentum_resumed": previous != nil, "sharpness": choice.trackSharpness,
            ], result: result)
        }
        try loop.run(descent, to: out, label: "linflow descend", rowsWritten: { figures.rows },
                     provenance: provenance, diverged: { diverged = true },
                     beforeStep: batches.map { batches in {
                         try gradientSource.setGradientCorrelations(batches.samples.correlations(of: batches.sampler.next()))
                     } }) { k, t, weights, loss in
            var s: Double?
            if choice.trackSharpness {
                let v = k == loop.firstStep ? initialSharpness : sharpness.estimate(at: weights)
                if v > top.value { top = (v, t) }
                s = v
            }
            let imbalance = layout.trajectory.imbalance(of: weights)
            try out.write(row: try layout.values(time: t, loss: loss, weights: weights, imbalance: imbalance, sharpness: s))
            figures.add(loss: loss, imbalance: imbalance)
            last = weights
        }
        var summary = DescentSummary(
            architecture: setup.architecture, dataDescription: setup.data.description,
            sampleCount: setup.data.correlations.sampleCount, learningRate: loop.learningRate,
            firstStep: loop.firstStep, steps: loop.steps,
            batchSize: choice.batchSize, epochs: batches?.sampler.epoch ?? 0, momentum: momentum,
            rows: figures.rows, output: out.path,
            loss: LossChange(initial: loop.initialLoss, final: figures.finalLoss, floor: ls.lossFloor,
                             distanceToLeastSquares: (descent.weights.effectiveMap - ls.map).frobeniusNorm),
            initialSharpness: initialSharpness, largestSharpness: top,
            gradientEvaluations: gradientSource.evaluations, hessianProducts: sharpness.products,
            wallSeconds: loop.elapsedSeconds)
        summary.setupSeconds = loop.setupSeconds
        summary.sharpnessSeconds = sharpness.seconds
        summary.sharpnessTracked = choice.trackSharpness
        return summary
    }
}
