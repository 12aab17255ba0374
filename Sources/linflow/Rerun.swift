import ArgumentParser
import LinFlowKit

extension Linflow {
    struct Rerun: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Repeat a run from its record (OUT.json), after checking that its input files are unchanged.",
            discussion: """
                Runs the recorded command line again with the output replaced by --out (standard \
                output without it), and refuses when the SHA-256 of a recorded input (the --data \
                file, the --init file) no longer matches. The same linflow, GSL and BLAS kernels \
                give the same bytes. --plot options are left out. See docs/cli.md, "Records and \
                rerun".

                Example: linflow rerun run.csv.json -o again.csv
                """)

        @Argument(help: ArgumentHelp("The run record written beside an output (OUT.csv.json).", valueName: "record"))
        var record: String

        @Option(name: [.short, .long], help: ArgumentHelp("Where the repeated run writes (default: stdout).", valueName: "file"))
        var out: String?

        func run() throws {
            var plan: RerunPlan?
            try runReportingErrors { plan = try RerunPlan(recordPath: record, output: out) }
            guard let plan else { return }
            for note in plan.notes { printToStandardError(note) }
            // The repeat's record then matches the original's but for its output.
            RunRecord.arguments = plan.arguments
            var command = try Linflow.parseAsRoot(plan.arguments)
            try command.run()
        }
    }
}
