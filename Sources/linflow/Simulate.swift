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

        @OptionGroup var sampling: SamplingOptions

        @Option(name: .customLong("max-steps"), help: "Stop with an error after this many GSL steps.")
        var maxSteps: Int?

        @OptionGroup var diagnosticsOptions: DiagnosticsOptions

        @Option(name: [.short, .long], help: ArgumentHelp("Output CSV, or HDF5 if it ends in .h5 (default: CSV on stdout). Written only when complete.", valueName: "file"))
        var out: String?

        @OptionGroup var storage: StorageOptions

        func validate() throws {
            if let maxSteps, maxSteps < 1 { throw ValidationError("--max-steps must be positive, got \(maxSteps)") }
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
            cfg.errorNorm = integration.errorNorm
            cfg.tEnd = sampling.tEnd
            cfg.samples = sampling.samples
            cfg.maxSteps = maxSteps
            cfg.output = out
            cfg.storage = storage.value
            cfg.diagnostics = diagnosticsOptions.value
            try runReportingErrors {
                try plotting.drawing(out) {
                    let summary = try Simulation(cfg).run()
                    printToStandardError(summary.text)
                }
            }
        }
    }
}
