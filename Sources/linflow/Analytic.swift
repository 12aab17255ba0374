import ArgumentParser
import LinFlowKit

extension ClosedFormKind: ExpressibleByArgument {}

extension Linflow {
    struct Analytic: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the exact closed-form trajectory in simulate's CSV layout, with predicted learning times.",
            discussion: """
                Needs whitened inputs, Σ11 = c·I (the default hierarchy dataset has c = 1/8), and a start \
                the closed forms cover: --init aligned (the default here; any depth, Saxe et al.) or, for \
                two layers, --init balanced or any zero-balanced file (Braun et al.). Rows are at the same \
                times as simulate's with the same --t-end and --samples, so the two CSVs overlay.

                Unless --no-check, the flow is also integrated numerically (rk8pd, rtol 1e-12): stderr \
                then shows, per mode, the time to reach half of s_α/c on the closed form and on the \
                numerical flow, and the largest deviation between them. --plot FILE.png draws the mode \
                strengths (the CSV must then go to --out). See docs/theory-closed-forms.md.
                """)

        @OptionGroup var dataOptions: DataOptions
        @OptionGroup var model: ModelOptions
        @OptionGroup var plotting: PlotOptions

        @Option(name: .long, help: "Closed form: auto, modes (aligned balanced starts, any depth) or riccati (zero-balanced, two layers).")
        var form: ClosedFormKind = .auto

        @OptionGroup var sampling: SamplingOptions

        @OptionGroup var diagnosticsOptions: DiagnosticsOptions

        @Flag(inversion: .prefixedNo, help: "Integrate the flow numerically beside the closed form to measure learning times and deviations.")
        var check = true

        @Option(name: [.short, .long], help: ArgumentHelp("Output CSV, or HDF5 if it ends in .h5 (default: CSV on stdout). Written only when complete.", valueName: "file"))
        var out: String?

        @OptionGroup var storage: StorageOptions

        func run() throws {
            try runReportingErrors {
                var cfg = AnalyticConfiguration()
                cfg.data = dataOptions.source
                cfg.network = model.network
                cfg.bias = model.bias
                cfg.modes = model.modes
                cfg.initialization = model.initialization(defaultKind: "aligned")
                cfg.form = form
                cfg.tEnd = sampling.tEnd
                cfg.samples = sampling.samples
                cfg.diagnostics = diagnosticsOptions.value
                cfg.check = check
                cfg.output = out
                cfg.storage = storage.value
                try plotting.drawing(out, kind: .modes) {
                    printToStandardError(try LinFlowKit.Analytic(cfg).run().text)
                }
            }
        }
    }
}
