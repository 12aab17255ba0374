import ArgumentParser
import LinFlowNumerics
import LinFlowIO
import LinFlowPlot
import LinFlowRuns
import LinFlowSweep

extension Linflow.Sweep {
    struct Collect: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "collect",
            abstract: "Write one CSV row per task: its grid values, status and final figures.",
            discussion: """
                Columns: task, the swept options (lr, init-scale, …), status, final_loss, loss_floor, \
                distance_to_ls, imbalance_drift, and where they exist final_excess_loss, diverged, max_sharpness, \
                final_loss_gd/flow/modified and half_time_1…r. Unfinished tasks have empty cells. \
                The same results give the same bytes (no times or hosts). See docs/sweeps.md.

                Example: linflow sweep collect phase -o summary.csv
                """)

        @Argument(help: ArgumentHelp("The sweep's directory.", valueName: "dir"))
        var directory: String

        @Option(name: [.short, .long], help: ArgumentHelp("Output CSV (default: stdout). Written only when complete.", valueName: "file"))
        var out: String?

        func validate() throws {
            // The sweep's own files are its record; the table goes elsewhere.
            let dir = SweepDirectory(directory)
            var files = FilePlan()
            files.reads(dir.planPath, as: "the plan \(dir.planPath)")
            files.writes(out, as: "--out \(out ?? "")")
            do { try files.check() } catch { throw ValidationError(rendered(error)) }
            if let out, out != "-", FilePlan.isInside(out, directory: dir.tasksPath) {
                throw ValidationError("--out \(out) is inside the sweep's task directories; name a file outside \(dir.tasksPath)")
            }
        }

        func run() throws {
            try runReportingErrors {
                let plan = try SweepPlan.read(directory: directory)
                let dir = SweepDirectory(directory)
                let file = try OutputFile(path: out)
                try file.write(try SweepCollector(plan: plan, directory: dir).csv())
                try file.commit()
                let status = SweepStatus(plan, directory: dir)
                printToStandardError("linflow: \(plan.tasks.count) rows (\(status.complete + status.diverged) finished, \(status.failed.count) failed, \(status.missing.count) missing) → \(out ?? "stdout")")
            }
        }
    }
}
