import Foundation
import LinFlowNumerics
import LinFlowIO
import LinFlowPlot

/// Runs gradient descent (full-batch or minibatch, with optional momentum) from the resolved
/// start and streams its trajectory to CSV, row k at t = kη.
public struct Descent {
    public let setup: RunSetup

    public init(_ setup: RunSetup) { self.setup = setup }

    /// `notice` receives the stability warning and other notes, before the first step.
    public func run(notice: @escaping (String) -> Void) throws -> DescentSummary {
        let choice = setup.request.descent ?? DescentChoice()
        let loop = DescentLoop(setup)
        let momentum = choice.momentum ?? 0
        let shuffleSeed = choice.shuffleSeed ?? setup.request.start.seed ?? StartChoice.defaultSeed

        // Minibatches need the samples; their gradients come from a second flow whose
        // correlations are those of the batch. Losses and sharpness use the full data.
        // With a sequence of tasks each task's minibatches come from its own file, drawn by a
        // sampler started afresh with the same seed at its switch.
        let tasks = setup.tasks
        var batches: (samples: SampleSet, sampler: MinibatchSampler)?
        var taskSamples: [SampleSet] = []
        var gradientSource = setup.flow
        if let b = choice.batchSize {
            for (i, task) in tasks.enumerated() {
                var source = setup.request.data
                if i > 0 { source.file = setup.request.tasks!.switches[i - 1].file }
                let samples = try SampleSet.load(source.source, holdingOut: i == 0 ? setup.request.heldOut.split : nil)
                guard b <= samples.count else {
                    let of = i == 0 ? "the data" : "task \(i + 1) (\(task.data.description))"
                    throw LinflowError.usage("\(Setting.batchSize) \(b) exceeds the \(samples.count) samples of \(of)")
                }
                taskSamples.append(samples)
            }
            batches = (taskSamples[0], MinibatchSampler(sampleCount: taskSamples[0].count, batchSize: b, seed: shuffleSeed))
            gradientSource = try GradientFlow(architecture: setup.architecture, correlations: setup.data.correlations,
                                              terms: setup.flow.terms)
        }
        // Every switch must move a step: T at most the time of the last step's start.
        if tasks.count > 1, let last = tasks.last, !(last.start <= loop.clock.time(ofStep: loop.lastStep - 1)) {
            throw LinflowError.usage("\(Setting.taskSequence) \(last.data.description)@\(fmt(last.start)): the switch is not before the descent's last step, which starts at t = \(fmt(loop.clock.time(ofStep: loop.lastStep - 1))) (\(Setting.steps) × \(Setting.learningRate))")
        }
        // The step from θ_k (at t_k = kη) trains on the task of t_k: the last whose switch T ≤ t_k.
        var current = 0
        let atStep: ((Int) throws -> Void)? = tasks.count > 1 ? { k in
            let i = setup.task(at: loop.clock.time(ofStep: k))
            guard i != current else { return }
            current = i
            if var b = batches {
                b.samples = taskSamples[i]
                b.sampler = MinibatchSampler(sampleCount: taskSamples[i].count, batchSize: b.sampler.batchSize, seed: shuffleSeed)
                batches = b
            } else {
                tasks[i].flow.recordsLoss = true
            }
        } : nil
        defer { if batches == nil { for task in tasks.dropFirst() { task.flow.recordsLoss = false } } }

        // Heavy ball carries a velocity θ_k − θ_{k−1}: a file gives it when its last two rows
        // are consecutive steps of this η.
        var previous: Weights?
        if momentum > 0, let r = setup.resume {
            if let p = r.previous, loop.clock.time(ofStep: loop.firstStep - 1) == p.time, loop.clock.onGrid {
                previous = p.weights
            } else {
                notice("linflow: note: \(r.path) does not end with two consecutive steps of η = \(fmt(loop.learningRate)) (write them with \(Setting.every) 1), so the momentum's velocity restarts at zero")
            }
        }

        // Without the column the estimate only decides the stability warning, for which 1e-4
        // (relative) is ample and costs a fraction of the products (784-1000-10: 348 at 1e-7).
        // The column's estimators reuse an estimate while a bound on the Hessian's change keeps
        // it within the tolerance (``SharpnessEstimator``'s `reusing`).
        let sharpness = SharpnessEstimator(flow: setup.flow, tolerance: choice.trackSharpness ? 1e-7 : 1e-4,
                                           reusing: choice.trackSharpness)
        // A sequence of tasks: the column is the Hessian of the loss of the task being trained.
        let taskSharpness = [sharpness] + setup.tasks.dropFirst().map { SharpnessEstimator(flow: $0.flow, tolerance: 1e-7, reusing: true) }
        let initialSharpness = sharpness.estimate(at: setup.start)
        // With decay or rates the step's stability is that of R(H + γD), not of H: tracked along
        // the run beside the column (which stays H's), for the edge-of-stability note.
        let stepSharpness = choice.trackSharpness && !setup.flow.terms.isPlain
            ? setup.tasks.map { SharpnessEstimator(flow: $0.flow, tolerance: 1e-7, ofStep: true) } : nil
        let initialStep = stepSharpness?[0].estimate(at: setup.start)
        var stepEdge = initialStep.map { (initial: $0, largest: $0) }
        if let w = stabilityWarning(learningRate: loop.learningRate, at: setup.start, flow: setup.flow, sharpness: initialSharpness,
                                    stepSharpness: initialStep) { notice(w) }
        if choice.trackSharpness {
            // Each written row repeats an estimate like this one; on large networks that can
            // dwarf the descent itself (784-1000-10: ~1.4 s per row), so say so before starting.
            let rowsAhead = loop.rowsAfterStart
            let projected = Double(rowsAhead) * (sharpness.seconds + (stepSharpness?[0].seconds ?? 0))
            if projected > 30 {
                notice("linflow: note: the sharpness column will take about \(Int(projected.rounded())) s (\(rowsAhead) more rows at \(String(format: "%.2f", sharpness.seconds)) s each); \(Setting.skipSharpness) or a larger \(Setting.every) makes it cheaper")
            }
        }

        let descent = GradientDescent(gradientSource: gradientSource, initial: setup.start,
                                      learningRate: loop.learningRate, momentum: momentum, previous: previous)
        let layout = DescentLayout(trajectory: try setup.trajectoryLayout(), sharpness: choice.trackSharpness)
        let out = try setup.request.storage.open(setup.request.output, blocks: layout.blocks, rows: loop.rowsAfterStart + 1,
                                                 fewerRows: .every, notice: notice)
        var figures = TrajectoryFigures(test: setup.test.map { _ in TestLossFigures() }), top = (value: initialSharpness, time: setup.startTime), diverged = false
        var last = setup.start
        // The floor and W* reported are those of the task trained last, as simulate's.
        let ls = tasks.last!.flow.leastSquares
        let provenance = { (status: String) in
            var result = figures.record(final: last, leastSquares: ls)
            result["diverged"] = diverged
            result["initial_sharpness"] = initialSharpness
            if choice.trackSharpness {
                result["max_sharpness"] = top.value
                result["sharpness_reused"] = taskSharpness.reduce(0) { $0 + $1.reused }
            }
            return setup.record(status: status, settings: [
                "lr": loop.learningRate, "steps": loop.steps, "every": loop.every, "first_step": loop.firstStep,
                "batch_size": choice.batchSize.map { $0 as Any } ?? NSNull(),
                "shuffle_seed": choice.batchSize == nil ? NSNull() : shuffleSeed as Any,
                "momentum": momentum, "momentum_resumed": previous != nil, "sharpness": choice.trackSharpness,
            ], result: result)
        }
        try loop.run(descent, to: out, label: "linflow descend", rowsWritten: { figures.rows },
                     provenance: provenance, diverged: { diverged = true },
                     beforeStep: batches.map { _ in {
                         try gradientSource.setGradientCorrelations(batches!.samples.correlations(of: batches!.sampler.next()))
                     } }, atStep: atStep.map { atStep in { k in
                         try atStep(k)
                         if batches == nil { descent.train(on: tasks[current].flow) }
                     } }, lossFlow: { tasks[current].flow }) { k, t, weights, loss in
            var s: Double?
            if choice.trackSharpness {
                let v = k == loop.firstStep ? initialSharpness : taskSharpness[current].estimate(at: weights)
                if v > top.value { top = (v, t) }
                s = v
                if k != loop.firstStep, let e = stepSharpness?[current].estimate(at: weights), e > stepEdge!.largest { stepEdge!.largest = e }
            }
            let imbalance = layout.trajectory.imbalance(of: weights)
            // The step's loss (read off the gradient, or NaN on divergence) decides divergence;
            // the row gets L* + excess, never below the floor, like every command's.
            let (loss, excess) = loss.isNaN ? (loss, loss) : tasks[current].flow.lossAndExcess(at: weights)
            let test = setup.testLoss(at: weights, task: current)
            let taskLosses = setup.taskLosses(at: weights)
            try out.write(row: try layout.values(time: t, loss: loss, excess: excess, testLoss: test, weights: weights,
                                                 imbalance: imbalance, taskLosses: taskLosses, sharpness: s))
            figures.add(loss: loss, imbalance: imbalance)
            if let test { figures.test?.add(test, time: t) }
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
            gradientEvaluations: gradientSource.evaluations + tasks.dropFirst().reduce(0) { $0 + $1.flow.evaluations },
            hessianProducts: (taskSharpness + (stepSharpness ?? [])).reduce(0) { $0 + $1.products },
            wallSeconds: loop.elapsedSeconds)
        summary.stepEdge = stepEdge
        summary.test = figures.test.map { (setup.testDescription!, $0) }
        summary.setupSeconds = loop.setupSeconds
        summary.sharpnessSeconds = (taskSharpness + (stepSharpness ?? [])).reduce(0) { $0 + $1.seconds }
        summary.sharpnessTracked = choice.trackSharpness
        summary.sharpnessReused = taskSharpness.reduce(0) { $0 + $1.reused }
        return summary
    }
}
