import Foundation

/// What `descend` and `compare` share with `simulate`: the data, the network and its start.
public struct ProblemSetup: Sendable {
    public var data: DataSource = .builtin(DataSource.defaultDataset)
    /// nil: as in ``SimulationConfiguration/network``.
    public var network: NetworkSpec?
    public var initialization: Initialization = .gaussian(seed: 1, scale: 1e-3)

    public init() {}
}

/// A loaded problem: correlations, architecture, initial weights and the flow (which owns the
/// loss, its gradient and Hessian-vector products).
struct Problem {
    let data: LoadedData
    let architecture: Architecture
    let start: Weights
    let flow: GradientFlow

    let setup: ProblemSetup

    init(_ setup: ProblemSetup) throws {
        self.setup = setup
        data = try setup.data.correlations()
        var cfg = SimulationConfiguration()
        cfg.network = setup.network
        cfg.initialization = setup.initialization
        let c = data.correlations
        architecture = try resolveArchitecture(cfg, inputs: c.inputs, outputs: c.outputs)
        start = try setup.initialization.weights(for: architecture)
        flow = try GradientFlow(architecture: architecture, correlations: c)
    }

    /// The provenance entries every command shares: data, network, initialisation.
    func record(command: String, status: String, rows: Int, settings: [String: Any]) -> RunRecord {
        RunRecord(command: command, settings: [
            "data": data.record,
            "network": ["sizes": architecture.sizes, "bias": architecture.bias],
            "initialization": setup.initialization.record,
            "settings": settings,
            "result": ["status": status, "rows": rows],
        ])
    }

    /// The horizon that `simulate` would use by default.
    var defaultHorizon: Double { data.suggestedHorizon ?? SimulationConfiguration.defaultHorizon }
}

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
            throw LinflowError.usage("--lr must be a positive number, got \(learningRate)")
        }
        if let steps, steps < 1 { throw LinflowError.usage("--steps must be at least 1, got \(steps)") }
        if let every, every < 1 { throw LinflowError.usage("--every must be at least 1, got \(every)") }
    }

    /// (K, E) once the horizon is known.
    func resolved(horizon: Double) -> (steps: Int, every: Int) {
        let k = steps ?? max(1, Int((horizon / learningRate).rounded(.up)))
        return (k, every ?? max(1, k / 200))
    }

    /// t = kη, computed from k so that rows lie exactly on the time axis.
    func time(ofStep k: Int) -> Double { Double(k) * learningRate }
}

/// The loop shared by `descend` and `compare`: loads the problem, then steps a descent K times,
/// checks every step for divergence (``DivergenceCheck``) and hands the written steps, step 0
/// included, to a recorder, all inside ``writingRows(to:rowsWritten:_:)``.
struct DescentLoop {
    let problem: Problem
    let schedule: DescentSchedule
    let steps: Int
    let every: Int
    let initialLoss: Double
    private let clockStart = DispatchTime.now()
    /// Reading the data and building the problem, before the first step.
    let setupSeconds: Double

    init(_ setup: ProblemSetup, _ schedule: DescentSchedule) throws {
        try schedule.validate()
        problem = try Problem(setup)
        self.schedule = schedule
        (steps, every) = schedule.resolved(horizon: problem.defaultHorizon)
        initialLoss = problem.flow.loss(at: problem.start)
        setupSeconds = seconds(since: clockStart)
    }

    var learningRate: Double { schedule.learningRate }

    /// Whether step k (1…steps) is written: every `every`-th step, and the last.
    static func writesRow(afterStep k: Int, every: Int, steps: Int) -> Bool { k % every == 0 || k == steps }

    /// How many rows follow row 0 (θ_0).
    var rowsAfterStart: Int { (1...steps).lazy.filter { Self.writesRow(afterStep: $0, every: every, steps: steps) }.count }

    var elapsedSeconds: Double { seconds(since: clockStart) }

    /// `beforeStep` runs before each step (e.g. to load a minibatch); `record(k, t, θ_k, L(θ_k))`
    /// writes a row (the only place a ``Weights`` is built).
    ///
    /// Full batch (no `beforeStep`): the gradient evaluation at θ_k also gives L(θ_k)
    /// (``GradientFlow/lossAtLastEvaluation``), so a step costs one evaluation and no allocation;
    /// θ_K gets one more evaluation for its loss. Row 0 keeps ``initialLoss`` (from
    /// ``GradientFlow/loss(at:)``); later losses may differ from it in the last bits.
    /// Minibatches: the loss is that of the full data, from ``GradientFlow/loss(at:)``.
    func run(_ descent: GradientDescent, to out: TrajectorySink, label: String,
             rowsWritten: () -> Int, provenance: (_ status: String) -> RunRecord, beforeStep: (() throws -> Void)? = nil,
             record: (_ step: Int, _ time: Double, _ weights: Weights, _ loss: Double) throws -> Void) throws {
        let divergence = DivergenceCheck(initialLoss: initialLoss)
        let progress = Progress(label: label)
        let flow = descent.gradientSource
        let fullBatch = beforeStep == nil
        if fullBatch { flow.recordsLoss = true }
        defer { if fullBatch { flow.recordsLoss = false } }
        // Locals, not `self`: the loop below ran a value-witness copy of this struct per step.
        let (steps, every, schedule, start, initialLoss, dataFlow) = (steps, every, schedule, problem.start, initialLoss, problem.flow)
        try writingRows(to: out, rowsWritten: rowsWritten, provenance: provenance) {
            defer { progress.finish() }
            try record(0, 0, start, initialLoss)
            // Full batch: the gradient at θ_{k−1}, evaluated one step ahead.
            var finiteGradient = fullBatch ? descent.evaluateGradient() : true
            for k in 1...steps {
                let finite: Bool, loss: Double
                if fullBatch {
                    finite = descent.step(finiteGradient: finiteGradient)
                    // The gradient at θ_k (for step k + 1) and L(θ_k).
                    if finite { finiteGradient = descent.evaluateGradient() }
                    loss = finite ? flow.lossAtLastEvaluation : .nan
                } else {
                    try beforeStep?()
                    finite = descent.advance()
                    loss = finite ? dataFlow.loss(at: descent.weights) : .nan
                }
                let t = schedule.time(ofStep: k)
                if let why = divergence.failure(step: k, time: t, loss: loss, finiteWeights: finite) {
                    throw LinflowError.numerical(why)
                }
                if Self.writesRow(afterStep: k, every: every, steps: steps) { try record(k, t, descent.weights, loss) }
                if InterruptFlag.shared.isSet { throw LinflowError.interrupted("interrupted at step \(k) (t = \(fmt(t)))") }
                progress.update(fraction: Double(k) / Double(steps), detail: "step \(k) of \(steps), loss \(fmt(loss))")
            }
        }
    }
}

/// The warning printed before a run whose step is beyond the stability edge of the start.
func stabilityWarning(learningRate eta: Double, sharpness: Double) -> String? {
    guard sharpness > 0, eta > 2 / sharpness else { return nil }
    return "linflow: warning: --lr \(fmt(eta)) exceeds 2/sharpness = \(fmt(2 / sharpness)) at the start (sharpness λ_max = \(fmt(sharpness))): descent is unstable there and may oscillate or diverge"
}
