import ArgumentParser
import Foundation
import LinFlowNumerics
import LinFlowIO
import LinFlowPlot
import LinFlowRuns
import LinFlowSweep

extension Linflow.Sweep {
    struct Slurm: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "slurm",
            abstract: "Write DIR/sweep.sbatch, a Slurm job array over the unfinished tasks; --submit runs sbatch.",
            discussion: """
                Element I runs linflow sweep run DIR --isolate --task I, from the directory this \
                command ran in, with one CPU (and one BLAS thread) unless \
                --sbatch-option=--cpus-per-task=N; with --tasks-per-job K, element I runs the I-th \
                K unfinished tasks in its one process (linflow sweep run DIR --task ID,ID,…). \
                Elements are requeueable; cancelled or failed ones are picked up by running this \
                command again, which covers only what is still unfinished. Logs: DIR/slurm/.

                Example: linflow sweep slurm phase --sbatch-option=--partition=short --submit
                """)

        @Argument(help: ArgumentHelp("The sweep's directory.", valueName: "dir"))
        var directory: String

        @Flag(help: "Submit the array with sbatch and print its job id.")
        var submit = false

        @Option(name: .customLong("array-limit"), parsing: .unconditional, help: ArgumentHelp("At most K elements running at once (--array=…%K).", valueName: "K"))
        var arrayLimit: Int?

        @Option(name: .customLong("tasks-per-job"), parsing: .unconditional, help: ArgumentHelp("Tasks per array element, run in the element's process (default 1: each in a process of its own).", valueName: "K"))
        var tasksPerJob: Int?

        @Option(name: .customLong("sbatch-option"), help: ArgumentHelp("An extra #SBATCH line, e.g. --sbatch-option=--partition=short (repeatable).", valueName: "opt"))
        var sbatchOption: [String] = []

        func validate() throws {
            if let arrayLimit, arrayLimit < 1 { throw ValidationError("--array-limit must be at least 1, got \(arrayLimit)") }
            if let tasksPerJob, tasksPerJob < 1 { throw ValidationError("--tasks-per-job must be at least 1, got \(tasksPerJob)") }
        }

        func run() throws {
            try runReportingErrors {
                let plan = try SweepPlan.read(directory: directory)
                let absolute = URL(fileURLWithPath: directory).standardizedFileURL.path
                let dir = SweepDirectory(absolute)
                let unfinished = plan.tasks.map(\.id).filter { !dir.state(of: $0).isFinished }
                guard !unfinished.isEmpty else {
                    printToStandardError("linflow: all \(plan.tasks.count) tasks are finished; nothing to submit")
                    return
                }
                let script = try SlurmScript(directory: absolute, commandLine: taskCommandLine(),
                                             workingDirectory: FileManager.default.currentDirectoryPath, ids: unfinished,
                                             arrayLimit: arrayLimit, options: sbatchOption, tasksPerJob: tasksPerJob ?? 1)
                do {
                    try FileManager.default.createDirectory(atPath: dir.slurmLogsPath, withIntermediateDirectories: true)
                } catch {
                    throw LinflowError.cannotCreate("\(dir.slurmLogsPath): \(error.localizedDescription)")
                }
                let file = try OutputFile(path: dir.sbatchPath)
                try file.write(script.text)
                try file.commit()
                let array = script.tasksPerJob > 1 ? "--array=\(SlurmScript.arraySpec(Array(script.chunks.indices))), \(script.tasksPerJob) tasks each" : "--array=\(SlurmScript.arraySpec(unfinished))"
                printToStandardError("linflow: \(unfinished.count) of \(plan.tasks.count) tasks unfinished → \(dir.sbatchPath) (\(array))")
                if submit { print(try SlurmScript.submit(dir.sbatchPath)) }
            }
        }
    }
}
