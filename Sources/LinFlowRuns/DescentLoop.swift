import Foundation
import LinFlowNumerics
import LinFlowIO
import LinFlowPlot

/// The steps of a descent and which of them are written: K steps of size η, rows at
/// k = 0, E, 2E, … and always at k = K, each at t = kη.
public struct DescentSchedule: Sendable, Equatable {
    public var learningRate: Double
    /// nil: ⌈T/η⌉ with T the horizon `simulate` would use, so both cover the same time.
    public var steps: Int?
    /// nil: max(1, K/200), about as many rows as `simulate` writes by default.
    public var every: Int?

    public init(learningRate: Double, steps: Int? = nil, every: Int? = nil) {
        self.learningRate = learningRate
        self.steps = steps
        self.every = every
    }

    public func validate() throws {
        guard learningRate > 0, learningRate.isFinite else {
            throw LinflowError.usage("\(Setting.learningRate) must be a positive number, got \(learningRate)")
        }
        if let steps, steps < 1 { throw LinflowError.usage("\(Setting.steps) must be at least 1, got \(steps)") }
        if let every, every < 1 { throw LinflowError.usage("\(Setting.every) must be at least 1, got \(every)") }
    }

    /// (K, E) once the horizon is known.
    func resolved(horizon: Double) -> (steps: Int, every: Int) {
        let k = steps ?? max(1, Int((horizon / learningRate).rounded(.up)))
        return (k, every ?? max(1, k / 200))
    }
}

/// Where a descent's step numbers and times start: step 0 at t = 0, or, resuming from a file
/// whose last row is at t0, step k0 = t0/η. When t0 is exactly k0·η (a file written by a descent
/// with the same η) the steps keep their numbers and times, t = kη, so that the resumed rows
/// are the uninterrupted run's to the bit; otherwise t = t0 + (k − k0)η.
struct StepClock: Sendable {
    let learningRate: Double
    let firstStep: Int
    let startTime: Double
    /// Whether t = kη holds for every step (the start is on the descent's own grid).
    let onGrid: Bool

    init(learningRate: Double, startTime: Double) {
        self.learningRate = learningRate
        self.startTime = startTime
        let k0 = (startTime / learningRate).rounded()
        onGrid = k0.magnitude < 1e15 && k0 * learningRate == startTime
        firstStep = onGrid ? Int(k0) : 0
    }

    func time(ofStep k: Int) -> Double {
        onGrid ? Double(k) * learningRate : startTime + Double(k - firstStep) * learningRate
    }
}

/// The loop shared by `descend` and `compare`: steps a descent K times from the resolved start,
/// checks every step for divergence (``DivergenceCheck``) and hands the written steps, the start
/// included, to a recorder, all inside ``writingRows(to:rowsWritten:_:)``. Steps are numbered
/// on the ``StepClock``, so a resumed run writes the rows an uninterrupted one would.
struct DescentLoop {
    let setup: RunSetup
    let schedule: DescentSchedule
    let clock: StepClock
    /// Steps of this run, and the row rule's E.
    let steps: Int
    let every: Int
    let initialLoss: Double
    private let clockStart = DispatchTime.now()

    /// The schedule is the request's (``DescentChoice/schedule``), which ``RunSetup`` has validated.
    init(_ setup: RunSetup) {
        self.setup = setup
        let schedule = (setup.request.descent ?? DescentChoice()).schedule
        self.schedule = schedule
        clock = StepClock(learningRate: schedule.learningRate, startTime: setup.startTime)
        (steps, every) = schedule.resolved(horizon: setup.horizon)
        initialLoss = setup.flow.loss(at: setup.start)
    }

    var firstStep: Int { clock.firstStep }
    var lastStep: Int { clock.firstStep + steps }

    var learningRate: Double { schedule.learningRate }

    /// Whether step k is written: every `every`-th step, and the last.
    static func writesRow(afterStep k: Int, every: Int, lastStep: Int) -> Bool { k % every == 0 || k == lastStep }

    /// How many rows follow the start's.
    var rowsAfterStart: Int {
        (firstStep + 1...lastStep).lazy.filter { Self.writesRow(afterStep: $0, every: every, lastStep: lastStep) }.count
    }

    /// Seconds since the data were read, the set-up included.
    var elapsedSeconds: Double { setup.dataSeconds + setup.setupSeconds + seconds(since: clockStart) }

    var setupSeconds: Double { setup.dataSeconds + setup.setupSeconds }

    /// `beforeStep` runs before each step (e.g. to load a minibatch); `record(k, t, θ_k, L(θ_k))`
    /// writes a row (the only place a ``Weights`` is built).
    ///
    /// Full batch (no `beforeStep`): the gradient evaluation at θ_k also gives L(θ_k)
    /// (``GradientFlow/lossAtLastEvaluation``), so a step costs one evaluation and no allocation;
    /// θ_K gets one more evaluation for its loss. Row 0 keeps ``initialLoss`` (from
    /// ``GradientFlow/loss(at:)``); later losses may differ from it in the last bits.
    /// Minibatches: the loss is that of the full data, from ``GradientFlow/loss(at:)``.
    ///
    /// `atStep(k)` runs before the gradient at θ_k is taken, the one step k + 1 follows (a
    /// sequence of tasks changes the descent's source there, ``GradientDescent/train(on:)``);
    /// `lossFlow` gives the flow whose loss a minibatch run's rows report (default the data's).
    func run(_ descent: GradientDescent, to out: TrajectorySink, label: String,
             rowsWritten: () -> Int, provenance: (_ status: String) -> RunRecord, diverged: () -> Void = {},
             beforeStep: (() throws -> Void)? = nil, atStep: ((_ step: Int) throws -> Void)? = nil,
             lossFlow: (() -> GradientFlow)? = nil,
             record: (_ step: Int, _ time: Double, _ weights: Weights, _ loss: Double) throws -> Void) throws {
        let divergence = DivergenceCheck(initialLoss: initialLoss)
        let progress = Progress(label: label)
        let flow = descent.gradientSource
        let fullBatch = beforeStep == nil
        if fullBatch { flow.recordsLoss = true }
        defer { if fullBatch { flow.recordsLoss = false } }
        let lossFlow = lossFlow ?? { [dataFlow = setup.flow] in dataFlow }
        // Locals, not `self`: the loop below ran a value-witness copy of this struct per step.
        let (firstStep, lastStep, every, clock, start, initialLoss) = (firstStep, lastStep, every, clock, setup.start, initialLoss)
        try writingRows(to: out, rowsWritten: rowsWritten, provenance: provenance) {
            defer { progress.finish() }
            try record(firstStep, clock.time(ofStep: firstStep), start, initialLoss)
            // Full batch: the gradient at θ_{k−1}, evaluated one step ahead.
            try atStep?(firstStep)
            var finiteGradient = fullBatch ? descent.evaluateGradient() : true
            for k in firstStep + 1...lastStep {
                let finite: Bool, loss: Double
                if fullBatch {
                    finite = descent.step(finiteGradient: finiteGradient)
                    // The gradient at θ_k (for step k + 1) and L(θ_k).
                    if finite {
                        try atStep?(k)
                        finiteGradient = descent.evaluateGradient()
                    }
                    loss = finite ? descent.gradientSource.lossAtLastEvaluation : .nan
                } else {
                    try beforeStep?()
                    finite = descent.advance()
                    if finite { try atStep?(k) }
                    loss = finite ? lossFlow().loss(at: descent.weights) : .nan
                }
                let t = clock.time(ofStep: k)
                if let why = divergence.failure(step: k, time: t, loss: loss, finiteWeights: finite) {
                    diverged()
                    throw LinflowError.numerical(why)
                }
                if Self.writesRow(afterStep: k, every: every, lastStep: lastStep) { try record(k, t, descent.weights, loss) }
                if InterruptFlag.shared.isSet { throw LinflowError.interrupted("interrupted at step \(k) (t = \(fmt(t)))") }
                progress.update(fraction: Double(k - firstStep) / Double(lastStep - firstStep),
                                detail: "step \(k) of \(lastStep), loss \(fmt(loss))")
            }
        }
    }
}

/// The warning printed before a run whose step is beyond the stability edge of the start: η
/// above 2/λ_max of the operator the step subtracts η times — the loss's Hessian H, or with
/// weight decay or layer rates R(H + γD) (``SharpnessEstimator/ofStep``), whose top eigenvalue
/// the `sharpness` column (always H's) does not give.
func stabilityWarning(learningRate eta: Double, at start: Weights, flow: GradientFlow, sharpness: Double, stepSharpness: Double? = nil) -> String? {
    guard !flow.terms.isPlain else {
        guard sharpness > 0, eta > 2 / sharpness else { return nil }
        return "linflow: warning: \(Setting.learningRate) \(fmt(eta)) exceeds 2/sharpness = \(fmt(2 / sharpness)) at the start (sharpness λ_max = \(fmt(sharpness))): descent is unstable there and may oscillate or diverge"
    }
    let edge = stepSharpness ?? SharpnessEstimator(flow: flow, tolerance: 1e-4, ofStep: true).estimate(at: start)
    guard edge > 0, eta > 2 / edge else { return nil }
    return "linflow: warning: \(Setting.learningRate) \(fmt(eta)) exceeds 2/λ_max = \(fmt(2 / edge)) at the start (λ_max = \(fmt(edge)) of R(H + γ), the loss's Hessian with \(Setting.weightDecay) and \(Setting.layerRates); the sharpness alone is \(fmt(sharpness))): descent is unstable there and may oscillate or diverge"
}
