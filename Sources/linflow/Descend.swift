import ArgumentParser
import LinFlowNumerics
import LinFlowIO
import LinFlowPlot
import LinFlowRuns
import LinFlowSweep

/// `--lr`, `--steps`, `--every`: the steps of a descent, shared by `descend` and `compare`.
struct DescentOptions: ParsableArguments {
    @Option(name: .customLong("lr"), parsing: .unconditional, help: ArgumentHelp(
        "Learning rate η (default \(DescentChoice.defaultLearningRate)); step k is at t = kη.",
        valueName: "η"))
    var learningRate: Double?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp(
        "Number of steps K (default ⌈H/η⌉, H simulate's default horizon, e.g. 80).",
        valueName: "K"))
    var steps: Int?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp(
        "Write every E-th step, and the first and the last (default max(1, K/200)).",
        valueName: "E"))
    var every: Int?

    var choice: DescentChoice { DescentChoice(learningRate: learningRate, steps: steps, every: every) }
}

/// `--batch-size`, `--shuffle-seed`, `--momentum`, `--[no-]sharpness`: descend's own.
struct DescentVariantOptions: ParsableArguments {
    @Option(name: .customLong("batch-size"), parsing: .unconditional, help: ArgumentHelp(
        "Minibatch SGD with batches of B samples, reshuffled every epoch (default: full batch).",
        valueName: "B"))
    var batchSize: Int?

    @Option(name: .customLong("shuffle-seed"), parsing: .unconditional, help: ArgumentHelp(
        "Seed of the per-epoch shuffling of --batch-size (default: --seed).", valueName: "S"))
    var shuffleSeed: UInt64?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp(
        "Heavy-ball momentum β in [0, 1) (default 0).", valueName: "β"))
    var momentum: Double?

    @Flag(inversion: .prefixedNo, help: "Estimate the sharpness at every written row (column sharpness, Lanczos to 1e-7 relative; a row repeats the last estimate while its residual plus a bound on how far the Hessian moved since stays within that tolerance, never with --bias); --no-sharpness: once, for the warning (faster on large networks).")
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
                exit status 3 and keeps its rows in OUT.partial. See docs/descent.md.

                Example: linflow descend --lr 0.5 --batch-size 4 --momentum 0.9 -o sgd.csv
                """)

        @OptionGroup(title: "Data") var dataOptions: DataOptions
        @OptionGroup(title: "Data") var heldOut: HeldOutOptions
        @OptionGroup(title: "Network and start") var network: NetworkOptions
        @OptionGroup(title: "Network and start") var start: StartOptions<Self>
        @OptionGroup(title: "Descent") var descent: DescentOptions
        @OptionGroup(title: "Descent") var variants: DescentVariantOptions
        @OptionGroup(title: "Descent") var dynamics: DynamicsOptions
        @OptionGroup(title: "Data") var taskSequence: DescentTaskSequenceOptions
        @OptionGroup(title: "Output") var columns: ColumnOptions
        @OptionGroup(title: "Output") var output: OutputOptions
        @OptionGroup(title: "Output") var storage: StorageOptions
        @OptionGroup(title: "Output") var representations: RepresentationOptions
        @OptionGroup(title: "Plot") var plotting: PlotOptions<Self>

        static let runCommand = RunCommand.descend
        static let plotKinds: [PlotKind] = [.loss, .weights, .modes, .product]
        var representationsFile: String? { representations.file }

        var request: RunRequest {
            var r = RunRequest(command: .descend, arguments: Invocation.arguments)
            r.dynamics = dynamics.choice
            r.heldOut = heldOut.choice
            r.tasks = taskSequence.choice
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
                        let summary = try LinFlowRuns.Descent(RunSetup(request)).run(notice: printToStandardError)
                        printToStandardError(summary.text)
                    }
                }
            }
        }
    }
}
