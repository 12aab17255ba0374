import ArgumentParser
import LinFlowKit

extension Linflow {
    struct Simulate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Integrate gradient flow and write the weight trajectory as CSV.",
            discussion: """
                Rows are written at exactly t = 0, T/M, …, T (T = --t-end, M = --samples) with
                columns t,loss,W21_r_c…,W32_r_c…, then sv_1…sv_r (singular values of the
                end-to-end map) and imbalance (‖W32ᵀW32 − W21W21ᵀ‖_F, conserved by the flow).
                With --bias each layer's b columns (b21_1…) follow its W columns; with --modes the
                columns mode_1…mode_r come last. A summary goes to stderr. --plot FILE.png draws
                the CSV (which must then go to --out) once the run has finished; see docs/plotting.md.
                """)

        @OptionGroup var dataOptions: DataOptions
        @OptionGroup var model: ModelOptions
        @OptionGroup var plotting: PlotOptions

        @OptionGroup var integration: IntegrationOptions

        @Option(name: .customLong("t-end"), help: ArgumentHelp("End time T (default: the dataset's suggested horizon, 80 for hierarchy).", valueName: "T"))
        var tEnd: Double?

        @Option(name: .long, help: ArgumentHelp("Number of intervals M: M+1 rows at t = 0, T/M, …, T.", valueName: "M"))
        var samples: Int = 200

        @Option(name: .customLong("max-steps"), help: "Stop with an error after this many GSL steps.")
        var maxSteps: Int?

        @Option(name: .long, help: ArgumentHelp("Diagnostic columns: all (sv_* and imbalance), sv, or none.", valueName: "all|sv|none"))
        var diagnostics: String = "all"

        @Option(name: [.short, .long], help: ArgumentHelp("Output CSV (default: stdout). Written only when complete.", valueName: "file"))
        var out: String?

        func validate() throws {
            if let tEnd, !(tEnd > 0 && tEnd.isFinite) { throw ValidationError("--t-end must be a positive number, got \(tEnd)") }
            if samples < 1 { throw ValidationError("--samples must be at least 1, got \(samples)") }
            if let maxSteps, maxSteps < 1 { throw ValidationError("--max-steps must be positive, got \(maxSteps)") }
            if !["all", "sv", "none"].contains(diagnostics) { throw ValidationError("--diagnostics must be all, sv or none, got '\(diagnostics)'") }
        }

        func run() throws {
            var cfg = SimulationConfiguration()
            cfg.data = dataOptions.source
            cfg.network = model.network
            cfg.bias = model.bias
            cfg.modes = model.modes
            cfg.initialization = model.initialization
            cfg.method = integration.method
            cfg.relativeTolerance = integration.rtol ?? cfg.relativeTolerance
            cfg.absoluteTolerance = integration.atol ?? cfg.absoluteTolerance
            cfg.tEnd = tEnd
            cfg.samples = samples
            cfg.maxSteps = maxSteps
            cfg.output = out
            cfg.diagnostics = diagnostics == "all" ? .all : diagnostics == "sv" ? .singularValues : []
            try runReportingErrors {
                try plotting.drawing(out) {
                    let summary = try Simulation(cfg).run()
                    printToStandardError(summary.text)
                }
            }
        }
    }
}
