import ArgumentParser
import LinFlowNumerics
import LinFlowIO
import LinFlowPlot
import LinFlowRuns
import LinFlowSweep

extension Linflow {
    struct Simulate: RunCommandOptions {
        static let configuration = CommandConfiguration(
            abstract: "Integrate gradient flow and write the weight trajectory as CSV.",
            discussion: """
                Rows at t = t0, t0 + (T − t0)/M, …, T (t0 = 0, or the last t of an --init file) \
                with columns t, loss, excess_loss, W21_r_c…, W32_r_c…, sv_1…sv_r (singular values of the \
                end-to-end map) and imbalance (‖W32ᵀW32 − W21W21ᵀ‖_F, conserved by the flow). A \
                summary goes to stderr. See docs/cli.md.

                Example: linflow simulate --hidden 16 --t-end 80 -o run.csv --plot loss.png
                """)

        @OptionGroup(title: "Data") var dataOptions: DataOptions
        @OptionGroup(title: "Data") var heldOut: HeldOutOptions
        @OptionGroup(title: "Network and start") var network: NetworkOptions
        @OptionGroup(title: "Network and start") var start: StartOptions<Self>
        @OptionGroup(title: "Integration") var integration: IntegrationOptions<Self>
        @OptionGroup(title: "Integration") var sampling: SamplingOptions
        @OptionGroup(title: "Output") var columns: ColumnOptions
        @OptionGroup(title: "Output") var output: OutputOptions
        @OptionGroup(title: "Output") var storage: StorageOptions
        @OptionGroup(title: "Output") var representations: RepresentationOptions
        @OptionGroup(title: "Plot") var plotting: PlotOptions<Self>

        static let runCommand = RunCommand.simulate
        static let plotKinds: [PlotKind] = [.loss, .weights, .modes, .product]
        var representationsFile: String? { representations.file }

        var request: RunRequest {
            var r = RunRequest(command: .simulate, arguments: Invocation.arguments)
            r.heldOut = heldOut.choice
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
                        printToStandardError(try Simulation(RunSetup(request)).run(notice: printToStandardError).text)
                    }
                }
            }
        }
    }
}
