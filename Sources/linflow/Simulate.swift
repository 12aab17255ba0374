import ArgumentParser
import LinFlowKit

extension Linflow {
    struct Simulate: RunCommandOptions {
        static let configuration = CommandConfiguration(
            abstract: "Integrate gradient flow and write the weight trajectory as CSV.",
            discussion: """
                Rows are written at exactly t = t0, t0 + (T − t0)/M, …, T (T = --t-end, \
                M = --samples; t0 = 0, or the last t of an --init file, so that a resumed run \
                continues the first) with columns t,loss,excess_loss,W21_r_c…,W32_r_c…, then sv_1…sv_r \
                (singular values of the end-to-end map) and imbalance (‖W32ᵀW32 − W21W21ᵀ‖_F, \
                conserved by the flow). With --bias each layer's b columns (b21_1…) follow its W \
                columns; with --modes the columns mode_1…mode_r come last. A summary goes to \
                stderr, the run record to FILE.json. --plot FILE.png draws the CSV (which must \
                then go to --out) once the run has finished; see docs/plotting.md.
                """)

        @OptionGroup var dataOptions: DataOptions
        @OptionGroup var network: NetworkOptions
        @OptionGroup var start: StartOptions
        @OptionGroup var integration: IntegrationOptions
        @OptionGroup var sampling: SamplingOptions
        @OptionGroup var columns: ColumnOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var storage: StorageOptions
        @OptionGroup var plotting: PlotOptions
        @OptionGroup var representations: RepresentationOptions

        var request: RunRequest {
            var r = RunRequest(command: .simulate)
            (r.data, r.network, r.start) = (dataOptions.choice, network.choice, start.choice)
            (r.integration, r.sampling, r.columns) = (integration.choice, sampling.choice, columns.choice)
            r.output = output.out
            r.storage = storage.choice
            return r
        }

        func validate() throws { try validateRequest() }

        func run() throws {
            try runReportingErrors {
                try representations.writing(output.out, data: dataOptions.choice.source) {
                    try plotting.drawing(output.out) {
                        printToStandardError(try Simulation(RunSetup(request)).run().text)
                    }
                }
            }
        }
    }
}
