import ArgumentParser
import LinFlowNumerics
import LinFlowIO
import LinFlowPlot
import LinFlowRuns
import LinFlowSweep

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

        func validate() throws {
            var files = FilePlan()
            files.reads(record, as: "the record \(record)")
            files.writesTrajectory(out, as: "--out \(out ?? "")")
            do { try files.check() } catch { throw ValidationError(rendered(error)) }
        }

        func run() throws {
            var plan: RerunPlan?
            try runReportingErrors { plan = try RerunPlan(recordPath: record) }
            guard let plan else { return }
            for note in plan.notes { printToStandardError(note) }
            let (arguments, dropped) = Self.replacingOutput(in: plan.recordedArguments, with: out)
            if !dropped.isEmpty {
                printToStandardError("linflow: note: rerun leaves out \(dropped.joined(separator: ", ")) (pictures and representations are not part of the record)")
            }
            // The repeat's record then matches the original's but for its output.
            try Invocation.$arguments.withValue(arguments) {
                var command = try parsing { try Linflow.parseAsRoot(arguments) }
                try command.run()
            }
        }

    /// `arguments` without their output and plot options, plus `-o output` if given.
    static func replacingOutput(in arguments: [String], with output: String?) -> ([String], [String]) {
        // --representations, like a picture, is derived from the output, not part of it.
        let valued: Set<String> = ["-o", "--out", "--plot", "--plot-kind", "--plot-script", "--representations"]
        var kept: [String] = [], dropped: [String] = [], i = 0
        while i < arguments.count {
            let a = arguments[i]
            let name = a.split(separator: "=", maxSplits: 1).first.map(String.init) ?? a
            let attachedShort = a.hasPrefix("-o") && !a.hasPrefix("--") && a.count > 2
            if valued.contains(name) || attachedShort {
                if name.hasPrefix("--plot") || name == "--representations" { dropped.append(name) }
                // "--out X" takes the next word; "--out=X" and "-oX" do not.
                i += a.contains("=") || attachedShort ? 1 : 2
                continue
            }
            kept.append(a)
            i += 1
        }
        if let output { kept += ["-o", output] }
        return (kept, dropped)
    }

    }
}
