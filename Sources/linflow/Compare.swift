import ArgumentParser
import LinFlowKit

extension Linflow {
    struct Compare: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run gradient descent beside the gradient flow and the modified flow, and write how far apart they are.",
            discussion: """
                From the same initial weights: descent W ← W − η∇L, the flow
                dθ/dt = −∇L and the modified flow dθ/dt = −∇L − (η/2)H∇L of
                backward error analysis, which descent follows to O(η²) while
                it leaves the flow at O(η). Row k (t = kη) has the columns t,
                loss_gd, loss_flow, loss_modified, gap_flow, gap_flow_W21, …,
                gap_modified, gap_modified_W21, … (Frobenius distances of the
                end-to-end maps and of each layer). The largest gaps and where
                they occur go to stderr. --plot FILE.png draws losses and
                gaps (the CSV must then go to --out). See docs/descent.md.
                """)

        @OptionGroup var dataOptions: DataOptions
        @OptionGroup var model: ModelOptions
        @OptionGroup var descent: DescentOptions
        @OptionGroup var plotting: PlotOptions

        @OptionGroup var integration: IntegrationOptions

        @Option(name: [.short, .long], help: ArgumentHelp("Output CSV, or HDF5 if it ends in .h5 (default: CSV on stdout). Written only when complete.", valueName: "file"))
        var out: String?

        @OptionGroup var storage: FormatOptions

        func run() throws {
            var cfg = ComparisonConfiguration()
            cfg.problem = ProblemSetup(dataOptions, model)
            cfg.schedule = descent.schedule
            cfg.method = integration.method
            cfg.relativeTolerance = integration.rtol ?? cfg.relativeTolerance
            cfg.absoluteTolerance = integration.atol ?? cfg.absoluteTolerance
            cfg.errorNorm = integration.errorNorm
            cfg.output = out
            cfg.format = storage.format
            try runReportingErrors {
                try plotting.drawing(out, kind: .compare) {
                    let summary = try Comparison(cfg).run(notice: printToStandardError)
                    printToStandardError(summary.text)
                }
            }
        }
    }
}
