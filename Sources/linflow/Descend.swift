import ArgumentParser
import LinFlowKit

/// `--lr`, `--steps`, `--every`: the steps of a descent, shared by `descend` and `compare`.
struct DescentOptions: ParsableArguments {
    @Option(name: .customLong("lr"), parsing: .unconditional, help: ArgumentHelp(
        "Learning rate η (default \(DescentChoice.defaultLearningRate)); step k is written at t = kη, the time axis of simulate.",
        valueName: "η"))
    var learningRate: Double?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp(
        "Number of steps K of this run (default: ⌈H/η⌉ with H the horizon simulate uses by default, e.g. 80 for hierarchy).",
        valueName: "K"))
    var steps: Int?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp(
        "Write every E-th step (counted from step 0 of the time axis); the first and the last step are always written (default: max(1, K/200)).",
        valueName: "E"))
    var every: Int?

    var choice: DescentChoice { DescentChoice(learningRate: learningRate, steps: steps, every: every) }
}

/// `--batch-size`, `--shuffle-seed`, `--momentum`, `--[no-]sharpness`: descend's own.
struct DescentVariantOptions: ParsableArguments {
    @Option(name: .customLong("batch-size"), parsing: .unconditional, help: ArgumentHelp(
        "Minibatch SGD with batches of B samples, reshuffled every epoch (the samples are held in memory). Default: full batch.",
        valueName: "B"))
    var batchSize: Int?

    @Option(name: .customLong("shuffle-seed"), parsing: .unconditional, help: ArgumentHelp(
        "Seed of the per-epoch shuffling of --batch-size (default: --seed).", valueName: "S"))
    var shuffleSeed: UInt64?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp(
        "Heavy-ball momentum β in [0, 1): θ ← θ + β(θ − θ_prev) − η∇L (default 0).", valueName: "β"))
    var momentum: Double?

    @Flag(inversion: .prefixedNo, help: "Estimate the sharpness at every written row (the sharpness column); --no-sharpness estimates it once, for the warning, and drops the column (much faster on large networks).")
    var sharpness = true

    /// `schedule`'s choice with these variants.
    func choice(_ schedule: DescentOptions) -> DescentChoice {
        var c = schedule.choice
        (c.batchSize, c.shuffleSeed, c.momentum, c.trackSharpness) = (batchSize, shuffleSeed, momentum, sharpness)
        return c
    }
}

extension Linflow {
    struct Descend: RunCommandOptions {
        static let configuration = CommandConfiguration(
            abstract: "Run gradient descent (full-batch or minibatch, optionally with momentum) and write its trajectory as CSV.",
            discussion: """
                W ← W − η∇L(W) with L = 1/(2N) Σ‖y − ŷ‖². Row k is step k at t = kη, in the \
                layout of simulate (t, loss, excess_loss, W21_r_c…, W32_r_c…, sv_…, imbalance, mode_…) plus \
                a last column sharpness, the largest eigenvalue of the Hessian of L there. From \
                --init FILE the steps continue that file's time axis (k0 = t0/η), and momentum \
                resumes its velocity when the file ends with two consecutive steps. A warning \
                goes to stderr when η > 2/sharpness at the start; a diverging run stops with \
                exit status 3 and keeps its rows in OUT.partial. --plot FILE.png draws the loss \
                (which must then go to --out) once the run has finished. See docs/descent.md.
                """)

        @OptionGroup var dataOptions: DataOptions
        @OptionGroup var network: NetworkOptions
        @OptionGroup var start: StartOptions
        @OptionGroup var descent: DescentOptions
        @OptionGroup var variants: DescentVariantOptions
        @OptionGroup var columns: ColumnOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var storage: StorageOptions
        @OptionGroup var plotting: PlotOptions
        @OptionGroup var representations: RepresentationOptions

        var request: RunRequest {
            var r = RunRequest(command: .descend)
            (r.data, r.network, r.start) = (dataOptions.choice, network.choice, start.choice)
            (r.descent, r.columns, r.output) = (variants.choice(descent), columns.choice, output.out)
            r.storage = storage.choice
            return r
        }

        func validate() throws { try validateRequest() }

        func run() throws {
            try runReportingErrors {
                try representations.writing(output.out, data: dataOptions.choice.source) {
                    try plotting.drawing(output.out) {
                        let summary = try LinFlowKit.Descent(RunSetup(request)).run(notice: printToStandardError)
                        printToStandardError(summary.text)
                    }
                }
            }
        }
    }
}
