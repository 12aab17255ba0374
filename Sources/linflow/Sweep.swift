import ArgumentParser
import Foundation
import LinFlowNumerics
import LinFlowIO
import LinFlowPlot
import LinFlowRuns
import LinFlowSweep

extension Linflow {
    struct Sweep: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run grids of simulate, descend, compare or analytic runs on all cores or as a Slurm job array, and collect them.",
            discussion: """
                A sweep lives in a directory of plain files: plan.json (written by `sweep plan`), \
                tasks/ID/ per finished task (out.csv, out.csv.json, log, outcome.json). `sweep run` \
                runs what is unfinished, `sweep slurm` writes (and submits) a job array doing the \
                same, `sweep status` counts, and `sweep collect` writes one CSV row per task for \
                `linflow plot --kind heatmap`. See docs/sweeps.md.

                Example: linflow sweep run phase && linflow sweep collect phase -o summary.csv
                """,
            subcommands: [Plan.self, Run.self, Slurm.self, Status.self, Collect.self])
    }
}

/// Checks a task's options exactly as `linflow COMMAND ARGS…` would: ArgumentParser's parse and
/// every `validate()`. The error is the one line linflow would print, without its prefix.
func validateTask(command: String, arguments: [String]) throws {
    let error: Error
    do {
        _ = try Linflow.parseCommand([command] + arguments)
        return
    } catch let e {
        error = e
    }
    if Linflow.exitCode(for: error) == .success {
        throw LinflowError.usage("the options ask for help or the version, not a run")
    }
    throw LinflowError.usage(oneLineMessage(for: error, command: command))
}

/// This executable, which the runner starts for every task (so tasks run the same linflow).
func linflowExecutable() -> String {
    (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
}

/// This executable's command lines for a sweep's tasks and Slurm array elements, and how it
/// runs a task in-process: the task's words parsed and run as `linflow WORDS…` would run them
/// (``Linflow/execute(_:helpOrVersion:)``), recording those words, writing its messages to the
/// task's log, and taking its data from the sweep's `cache` (read once per distinct input).
func taskCommandLine(cache: DataCache = DataCache()) -> TaskCommandLine {
    TaskCommandLine(executable: linflowExecutable(),
                    task: { command, arguments, output in [command] + arguments + ["-o", output] },
                    arrayElement: { directory, isolated in ["sweep", "run", directory] + (isolated ? ["--isolate"] : []) + ["--task"] },
                    resubmit: { directory in ["sweep", "slurm", directory, "--submit"] },
                    inProcess: { words, log in
                        DataCache.$current.withValue(cache) {
                            Invocation.$arguments.withValue(words) {
                                StandardError.$log.withValue(log) {
                                    Linflow.execute(words, helpOrVersion: { error in
                                        StandardError.write(Linflow.fullMessage(for: error) + "\n")
                                        return 0
                                    })
                                }
                            }
                        }
                    })
}

/// The CPUs this process may use: Slurm's allocation inside a job, else the online CPUs.
func availableCores() -> Int {
    if let s = ProcessInfo.processInfo.environment["SLURM_CPUS_PER_TASK"], let n = Int(s), n > 0 { return n }
    return max(1, ProcessInfo.processInfo.activeProcessorCount)
}
