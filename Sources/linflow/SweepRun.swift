import ArgumentParser
import LinFlowNumerics
import LinFlowIO
import LinFlowPlot
import LinFlowRuns
import LinFlowSweep

extension Linflow.Sweep {
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run",
            abstract: "Run the sweep's unfinished tasks, N at a time; finished tasks are skipped.",
            discussion: """
                Each task runs its command with its arguments and -o in a temporary directory \
                that becomes DIR/tasks/ID only when the command has finished, so after a crash or \
                a kill a rerun does just what is missing. Tasks run in this process, N threads at \
                once, each data file read once; --isolate runs each as its own linflow process \
                instead. Either way a task writes the same bytes as the command run alone. A \
                descent that diverges is a finished task (status diverged); a task whose command \
                fails is retried next time. BLAS threads are divided among the jobs (cores / N \
                each). SIGINT or SIGTERM stops the running tasks (they rerun later) and exits \
                130. Exit status 1 if a task failed.

                Example: linflow sweep run phase --jobs 2
                """)

        @Argument(help: ArgumentHelp("The sweep's directory.", valueName: "dir"))
        var directory: String

        @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Tasks at once (default: the number of cores).", valueName: "N"))
        var jobs: Int?

        @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Run just these tasks, e.g. 7 or 4,5,6 (what a Slurm array element does).", valueName: "ids"),
                transform: parsed(SweepPlan.parseTaskIDs))
        var task: [Int]?

        @Flag(help: "Run each task as a linflow process of its own (default: on threads of this process).")
        var isolate = false

        func validate() throws {
            if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1, got \(jobs)") }
            if jobs != nil && task != nil { throw ValidationError("--jobs goes with a whole run, not with --task") }
        }

        func run() throws {
            try runReportingErrors {
                let dir = SweepDirectory(directory)
                let plan = try SweepPlan.read(directory: directory)
                var runner = SweepRunner(plan: plan, directory: dir, commandLine: taskCommandLine())
                let cores = availableCores()
                // A chunk of tasks (a Slurm element's) shares the element's CPUs.
                runner.jobs = task.map { max(1, min(cores, $0.count)) } ?? (jobs ?? cores)
                runner.threads = SweepRunner.threads(jobs: runner.jobs, cores: cores)
                runner.isolate = isolate
                runner.report = printToStandardError
                let summary = try runner.run(only: task)
                if summary.interrupted {
                    throw LinflowError.interrupted("interrupted; the unfinished tasks run again with linflow sweep run \(directory)")
                }
                if !summary.failed.isEmpty {
                    printToStandardError("linflow: error: \(summary.failed.count) task\(summary.failed.count == 1 ? "" : "s") failed (first: task \(summary.failed[0].id): \(summary.failed[0].reason)); see linflow sweep status \(directory)")
                    throw ExitCode(1)
                }
            }
        }
    }
}
