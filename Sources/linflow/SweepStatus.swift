import ArgumentParser
import LinFlowNumerics
import LinFlowIO
import LinFlowPlot
import LinFlowRuns
import LinFlowSweep

extension Linflow.Sweep {
    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "status",
            abstract: "Count the sweep's finished, failed and missing tasks, with the failures' reasons.",
            discussion: "Example: linflow sweep status phase")

        @Argument(help: ArgumentHelp("The sweep's directory.", valueName: "dir"))
        var directory: String

        func run() throws {
            try runReportingErrors {
                let plan = try SweepPlan.read(directory: directory)
                print(rendered(SweepStatus(plan, directory: SweepDirectory(directory)).text))
            }
        }
    }
}
