import ArgumentParser
import LinFlowNumerics
import LinFlowIO
import LinFlowPlot
import LinFlowRuns
import LinFlowSweep

extension ClosedFormKind: ExpressibleByArgument {}

/// `--form`, `--[no-]check`: analytic's own.
struct ClosedFormOptions: ParsableArguments {
    @Option(name: .long, help: "Closed form: modes (aligned balanced starts, any depth), riccati (zero-balanced, two layers) or lambda-balanced (W32ᵀW32 − W21W21ᵀ = λI, two layers); auto picks the one the start fits.")
    var form: ClosedFormKind = .auto

    @Flag(inversion: .prefixedNo, help: "Integrate the flow numerically beside the closed form to measure learning times and deviations.")
    var check = true
}

extension Linflow {
    struct Analytic: RunCommandOptions {
        static let configuration = CommandConfiguration(
            abstract: "Write the exact closed-form trajectory in simulate's CSV layout, with predicted learning times.",
            discussion: """
                Needs whitened inputs, Σ11 = c·I, and a start the closed forms cover: aligned at \
                any depth (Saxe et al.), zero-balanced (Braun et al.) or λ-balanced (Dominé et al.) \
                for two layers. Rows are at simulate's times for the same --t-end and --samples, so \
                the two CSVs overlay. Unless --no-check, the flow is also integrated numerically \
                (rk8pd, rtol 1e-12) and stderr compares, per mode, the times to reach half of s_α/c \
                and the largest deviation. With --then, each task's closed form starts from the \
                state at its switch (the imbalance is conserved, so a balanced start stays one) and \
                the learning times and deviations are given per task. See docs/theory-closed-forms.md.

                Example: linflow analytic --modes -o exact.csv --plot modes.png
                """)

        @OptionGroup(title: "Data") var dataOptions: DataOptions
        @OptionGroup(title: "Data") var heldOut: HeldOutOptions
        @OptionGroup(title: "Data") var taskSequence: TaskSequenceOptions
        @OptionGroup(title: "Network and start") var network: NetworkShapeOptions
        @OptionGroup(title: "Network and start") var start: StartOptions<Self>
        @OptionGroup(title: "Closed form") var closedForm: ClosedFormOptions
        @OptionGroup(title: "Closed form") var sampling: SamplingOptions
        @OptionGroup(title: "Closed form") var dynamics: DynamicsOptions
        @OptionGroup(title: "Output") var columns: ColumnOptions
        @OptionGroup(title: "Output") var output: OutputOptions
        @OptionGroup(title: "Output") var storage: StorageOptions
        @OptionGroup(title: "Output") var representations: RepresentationOptions
        @OptionGroup(title: "Plot") var plotting: PlotOptions<Self>

        static let runCommand = RunCommand.analytic
        static let plotKinds: [PlotKind] = [.modes, .loss, .weights, .product]
        var representationsFile: String? { representations.file }

        var request: RunRequest {
            var r = RunRequest(command: .analytic, arguments: Invocation.arguments)
            r.dynamics = dynamics.choice
            r.heldOut = heldOut.choice
            r.tasks = taskSequence.choice
            (r.data, r.network, r.start) = (dataOptions.choice, network.choice, start.choice)
            (r.sampling, r.columns, r.output) = (sampling.choice, columns.choice, output.out)
            r.storage = storage.choice
            r.analytic = AnalyticChoice(form: closedForm.form, check: closedForm.check)
            return r
        }

        func validate() throws { try validateRequest() }

        func run() throws {
            try runReportingErrors {
                try representations.writing(output.out, data: dataOptions.choice.source) {
                    try plotting.drawing(output.out) {
                        printToStandardError(try LinFlowRuns.Analytic(RunSetup(request)).run(notice: printToStandardError).text)
                    }
                }
            }
        }
    }
}
