import ArgumentParser
import LinFlowNumerics
import LinFlowIO
import LinFlowPlot
import LinFlowRuns
import LinFlowSweep

extension Linflow {
    struct Datasets: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the built-in datasets, or write one out as CSV.",
            discussion: "With a name, writes that dataset (header, inputs then outputs) to --out or stdout.")

        @Argument(help: "The dataset to write; omit to list them.")
        var name: String?

        @Option(name: [.short, .long], help: ArgumentHelp("Output CSV (default: stdout).", valueName: "file"))
        var out: String?

        func run() throws {
            try runReportingErrors {
                guard let name else {
                    for d in BuiltinDataset.all {
                        print("\(d.name.padding(toLength: 12, withPad: " ", startingAt: 0)) \(d.inputs) inputs, \(d.outputs) outputs, \(d.rows.count) samples (use --outputs \(d.outputs)): \(d.summary)")
                    }
                    return
                }
                guard let d = BuiltinDataset.named(name) else {
                    throw LinflowError.usage("no built-in dataset named '\(name)' (there are: \(BuiltinDataset.all.map(\.name).joined(separator: ", ")))")
                }
                let file = try OutputFile(path: out)
                try file.write(d.csv)
                try file.commit()
            }
        }
    }
}
