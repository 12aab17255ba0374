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
            discussion: """
                With a name, writes that dataset (header, inputs then outputs) to --out or stdout.

                Example: linflow datasets hierarchy -o hierarchy.csv
                """)

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
                // The text is CSV: a name that says otherwise would be misread by the next reader.
                if let out, let dot = out.lastIndex(of: "."), !out[dot...].contains("/"),
                   [".npy", ".npz", ".h5", ".hdf5", ".json"].contains(out[dot...].lowercased()) {
                    throw LinflowError.usage("--out \(out): datasets writes CSV; give the file a .csv name")
                }
                var files = FilePlan()
                files.writes(out, as: "--out \(out ?? "")")
                try files.check()
                let file = try OutputFile(path: out)
                try file.write(d.csv)
                try file.commit()
            }
        }
    }
}
