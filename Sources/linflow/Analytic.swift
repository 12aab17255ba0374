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

        @Option(name: .customLong("t-end"), help: ArgumentHelp("End time T (default: the dataset's suggested horizon, 80 for hierarchy).", valueName: "T"))
        var tEnd: Double?

        @Option(name: .long, help: ArgumentHelp("Number of intervals M: M+1 rows at t = 0, T/M, …, T.", valueName: "M"))
        var samples: Int = 200

        @Option(name: .long, help: ArgumentHelp("Diagnostic columns: all (sv_* and imbalance), sv, or none.", valueName: "all|sv|none"))
        var diagnostics: String = "all"

        @Flag(inversion: .prefixedNo, help: "Integrate the flow numerically beside the closed form to measure learning times and deviations.")
        var check = true

        @Option(name: [.short, .long], help: ArgumentHelp("Output CSV (default: stdout). Written only when complete.", valueName: "file"))
        var out: String?

        func validate() throws {
            if let tEnd, !(tEnd > 0 && tEnd.isFinite) { throw ValidationError("--t-end must be a positive number, got \(tEnd)") }
            if samples < 1 { throw ValidationError("--samples must be at least 1, got \(samples)") }
            do { _ = try TrajectoryLayout.Diagnostics(argument: diagnostics) } catch { throw ValidationError("\(error)") }
        }

        func run() throws {
            try runReportingErrors {
                var cfg = AnalyticConfiguration()
                cfg.data = dataOptions.source
                cfg.network = model.network
                cfg.bias = model.bias
                cfg.modes = model.modes
                cfg.initialization = model.initialization(defaultKind: "aligned")
                cfg.form = form
                cfg.tEnd = tEnd
                cfg.samples = samples
                cfg.diagnostics = try TrajectoryLayout.Diagnostics(argument: diagnostics)
                cfg.check = check
                cfg.output = out
                try plotting.drawing(out, kind: .modes) {
                    printToStandardError(try LinFlowKit.Analytic(cfg).run().text)
                }
            }
        }
    }
}
