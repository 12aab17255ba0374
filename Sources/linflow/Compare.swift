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
                and of each layer). The largest gaps and where they occur go to stderr. See \
                docs/descent.md.

                Example: linflow compare --lr 0.2 -o cmp.csv --plot cmp.png
                """)

        @OptionGroup(title: "Data") var dataOptions: DataOptions
        @OptionGroup(title: "Data") var heldOut: HeldOutOptions
        @OptionGroup(title: "Network and start") var network: NetworkOptions
        @OptionGroup(title: "Network and start") var start: StartOptions<Self>
        @OptionGroup(title: "Descent") var descent: DescentOptions
        @OptionGroup(title: "Descent") var dynamics: DynamicsOptions
        @OptionGroup(title: "Integration of the flows") var integration: IntegrationOptions<Self>
        @OptionGroup(title: "Output") var output: OutputOptions
        @OptionGroup(title: "Output") var storage: FormatOptions
        @OptionGroup(title: "Plot") var plotting: PlotOptions<Self>
        /// Refused with its reason (``RunRequest/validate()``), rather than as an unknown option.
        @Option(name: .customLong("then"), parsing: .singleValue, help: .hidden, transform: parsed(TaskSequenceChoice.Switch.parse))
        var then: [TaskSequenceChoice.Switch] = []

        static let runCommand = RunCommand.compare
        static let plotKinds: [PlotKind] = [.compare, .loss]

        var request: RunRequest {
            var r = RunRequest(command: .compare, arguments: Invocation.arguments)
            r.dynamics = dynamics.choice
            r.heldOut = heldOut.choice
            r.tasks = then.isEmpty ? nil : TaskSequenceChoice(switches: then)
            (r.data, r.network, r.start) = (dataOptions.choice, network.choice, start.choice)
            (r.descent, r.integration, r.output) = (descent.choice, integration.choice, output.out)
            r.storage = TrajectoryStorage(format: storage.format)
            return r
        }

        func validate() throws { try validateRequest() }

        func run() throws {
            try runReportingErrors {
                try plotting.drawing(output.out) {
                    let summary = try Comparison(RunSetup(request)).run(notice: printToStandardError)
                    printToStandardError(summary.text)
                }
            }
        }
    }
}
