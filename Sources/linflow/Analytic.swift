import ArgumentParser
import LinFlowNumerics
import LinFlowIO
import LinFlowPlot
import LinFlowRuns
import LinFlowSweep

extension ClosedFormKind: ExpressibleByArgument {}

extension Linflow {
    struct Analytic: RunCommandOptions {
        static let configuration = CommandConfiguration(
            abstract: "Write the exact closed-form trajectory in simulate's CSV layout, with predicted learning times.",
            discussion: """
                Needs whitened inputs, Σ11 = c·I (the default hierarchy dataset has c = 1/8), and a start \
                the closed forms cover: --init aligned (the default here; any depth, Saxe et al.) or, for \
                two layers, --init balanced or any zero-balanced file (Braun et al.), or --init \
                lambda-balanced --lambda λ or any λ-balanced file (Dominé et al.). Rows are at the same \
                times as simulate's with the same --t-end and --samples, so the two CSVs overlay.

                Unless --no-check, the flow is also integrated numerically (rk8pd, rtol 1e-12): stderr \
                then shows, per mode, the time to reach half of s_α/c on the closed form and on the \
                numerical flow, and the largest deviation between them. --plot FILE.png draws the mode \
                strengths (the CSV must then go to --out). See docs/theory-closed-forms.md.
                """)

        @OptionGroup var dataOptions: DataOptions
        @OptionGroup var network: NetworkOptions
        @OptionGroup var start: StartOptions

        @Option(name: .long, help: "Closed form: auto, modes (aligned balanced starts, any depth), riccati (zero-balanced, two layers) or lambda-balanced (W32ᵀW32 − W21W21ᵀ = λI, two layers).")
        var form: ClosedFormKind = .auto

        @Flag(inversion: .prefixedNo, help: "Integrate the flow numerically beside the closed form to measure learning times and deviations.")
        var check = true

        @OptionGroup var sampling: SamplingOptions
        @OptionGroup var columns: ColumnOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var storage: StorageOptions
        @OptionGroup var plotting: PlotOptions
        @OptionGroup var representations: RepresentationOptions
        var representationsFile: String? { representations.file }

        var request: RunRequest {
            var r = RunRequest(command: .analytic, arguments: Invocation.arguments)
            (r.data, r.network, r.start) = (dataOptions.choice, network.choice, start.choice)
            (r.sampling, r.columns, r.output) = (sampling.choice, columns.choice, output.out)
            r.storage = storage.choice
            r.analytic = AnalyticChoice(form: form, check: check)
            return r
        }

        func validate() throws { try validateRequest(defaultPlotKind: .modes) }

        func run() throws {
            try runReportingErrors {
                try representations.writing(output.out, data: dataOptions.choice.source) {
                    try plotting.drawing(output.out, kind: .modes) {
                        printToStandardError(try LinFlowRuns.Analytic(RunSetup(request)).run(notice: printToStandardError).text)
                    }
                }
            }
        }
    }
}
