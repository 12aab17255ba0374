import ArgumentParser
import LinFlowNumerics
import LinFlowIO
import LinFlowPlot
import LinFlowRuns
import LinFlowSweep

extension Linflow {
    struct Compare: RunCommandOptions {
        static let configuration = CommandConfiguration(
            abstract: "Run gradient descent beside the gradient flow and the modified flow, and write how far apart they are.",
            discussion: """
                From the same initial weights: descent W ← W − η∇L, the flow dθ/dt = −∇L and \
                the modified flow dθ/dt = −∇L − (η/2)H∇L of backward error analysis, which \
                descent follows to O(η²) while it leaves the flow at O(η). Row k (t = kη) has \
                the columns t, loss_gd, loss_flow, loss_modified, gap_flow, gap_flow_W21, …, \
                gap_modified, gap_modified_W21, … (Frobenius distances of the end-to-end maps \
                and of each layer). The largest gaps and where they occur go to stderr. \
                --plot FILE.png draws losses and gaps (the CSV must then go to --out). See \
                docs/descent.md.
                """)

        @OptionGroup var dataOptions: DataOptions
        @OptionGroup var network: NetworkOptions
        @OptionGroup var start: StartOptions
        @OptionGroup var descent: DescentOptions
        @OptionGroup var integration: IntegrationOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var storage: FormatOptions
        @OptionGroup var plotting: PlotOptions

        var request: RunRequest {
            var r = RunRequest(command: .compare, arguments: Invocation.arguments)
            (r.data, r.network, r.start) = (dataOptions.choice, network.choice, start.choice)
            (r.descent, r.integration, r.output) = (descent.choice, integration.choice, output.out)
            r.storage = TrajectoryStorage(format: storage.format)
            return r
        }

        func validate() throws { try validateRequest(defaultPlotKind: .compare) }

        func run() throws {
            try runReportingErrors {
                try plotting.drawing(output.out, kind: .compare) {
                    let summary = try Comparison(RunSetup(request)).run(notice: printToStandardError)
                    printToStandardError(summary.text)
                }
            }
        }
    }
}
