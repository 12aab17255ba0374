import ArgumentParser
import LinFlowKit

/// `--lr`, `--steps`, `--every`: the steps of a descent, shared by `descend` and `compare`.
struct DescentOptions: ParsableArguments {
    @Option(name: .customLong("lr"), help: ArgumentHelp("Learning rate η; step k is written at t = kη, the time axis of simulate.", valueName: "η"))
    var learningRate: Double = 0.1

    @Option(name: .long, help: ArgumentHelp("Number of steps K (default: ⌈T/η⌉ with T the horizon simulate uses by default, 80 for hierarchy).", valueName: "K"))
    var steps: Int?

    @Option(name: .long, help: ArgumentHelp("Write every E-th step; step 0 and the last are always written (default: max(1, K/200)).", valueName: "E"))
    var every: Int?

    func validate() throws {
        if !(learningRate > 0 && learningRate.isFinite) { throw ValidationError("--lr must be a positive number, got \(learningRate)") }
        if let steps, steps < 1 { throw ValidationError("--steps must be at least 1, got \(steps)") }
        if let every, every < 1 { throw ValidationError("--every must be at least 1, got \(every)") }
    }

    var schedule: DescentSchedule { DescentSchedule(learningRate: learningRate, steps: steps, every: every) }
}

extension ProblemSetup {
    init(_ data: DataOptions, _ model: ModelOptions) {
        self.init()
        self.data = data.source
        network = model.network
        initialization = model.initialization
    }
}

extension Linflow {
    struct Descend: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run gradient descent (full-batch or minibatch, optionally with momentum) and write its trajectory as CSV.",
            discussion: """
                W ← W − η∇L(W) with L = 1/(2N) Σ‖y − ŷ‖². Row k is step k at
                t = kη, in the layout of simulate (t, loss, W21_r_c…, W32_r_c…,
                sv_…, imbalance) plus a last column sharpness, the largest
                eigenvalue of the Hessian of L there. A warning goes to stderr
                when η > 2/sharpness at the start; a diverging run stops with
                exit status 3 and keeps its rows in OUT.partial.
                --plot FILE.png draws the loss (which must then go to --out)
                once the run has finished. See docs/descent.md.
                """)

        @OptionGroup var dataOptions: DataOptions
        @OptionGroup var model: ModelOptions
        @OptionGroup var descent: DescentOptions
        @OptionGroup var plotting: PlotOptions

        @Option(name: .customLong("batch-size"), help: ArgumentHelp("Minibatch SGD with batches of B samples, reshuffled every epoch (the samples are held in memory). Default: full batch.", valueName: "B"))
        var batchSize: Int?

        @Option(name: .customLong("shuffle-seed"), help: ArgumentHelp("Seed of the per-epoch shuffling of --batch-size (default: --seed).", valueName: "S"))
        var shuffleSeed: UInt64?

        @Option(name: .long, help: ArgumentHelp("Heavy-ball momentum β in [0, 1): θ ← θ + β(θ − θ_prev) − η∇L.", valueName: "β"))
        var momentum: Double = 0

        @OptionGroup var diagnosticsOptions: DiagnosticsOptions

        @Flag(inversion: .prefixedNo, help: "Estimate the sharpness at every written row (the sharpness column); --no-sharpness estimates it once, for the warning, and drops the column (much faster on large networks).")
        var sharpness = true

        @Option(name: [.short, .long], help: ArgumentHelp("Output CSV, or HDF5 if it ends in .h5 (default: CSV on stdout). Written only when complete.", valueName: "file"))
        var out: String?

        @OptionGroup var storage: StorageOptions

        func validate() throws {
            if let batchSize, batchSize < 1 { throw ValidationError("--batch-size must be at least 1, got \(batchSize)") }
            if !(momentum >= 0 && momentum < 1) { throw ValidationError("--momentum must be at least 0 and below 1, got \(momentum)") }
        }

        func run() throws {
            var cfg = DescentConfiguration()
            cfg.problem = ProblemSetup(dataOptions, model)
            cfg.schedule = descent.schedule
            cfg.batchSize = batchSize
            cfg.shuffleSeed = shuffleSeed ?? model.seed
            cfg.momentum = momentum
            cfg.output = out
            cfg.storage = storage.value
            cfg.diagnostics = diagnosticsOptions.value
            cfg.trackSharpness = sharpness
            try runReportingErrors {
                try plotting.drawing(out) {
                    let summary = try Descent(cfg).run(notice: printToStandardError)
                    printToStandardError(summary.text)
                }
            }
        }
    }
}
