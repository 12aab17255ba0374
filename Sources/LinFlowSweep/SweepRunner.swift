#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LinFlowNumerics
import LinFlowIO

/// Runs the unfinished tasks of a sweep, `jobs` at a time: each on a thread of this process
/// through the executable's ``TaskCommandLine/inProcess`` (the default), or with ``isolate`` (or
/// without that closure) as a child process of the linflow executable. Either way a task runs
/// its words (``TaskCommandLine/task``) writing TMP/out.csv, its messages in `TMP/log`, and when
/// the command ends the attempt directory TMP becomes `tasks/ID` (finished) or `tasks/ID.failed`
/// (see ``SweepDirectory``); the files are the same bytes either way.
///
/// Outcomes: exit 0 is `complete`. A descent that diverges (exit 3 from `descend` or `compare`
/// with the rows kept in out.csv.partial and the reason in its record) is a result, not a
/// failure — in a phase diagram, where descent diverges is the point — so the task is finished
/// with status `diverged`. Anything else is `failed`, with the last `linflow: error:` line of its
/// log as the reason, and runs again next time.
///
/// Each task gets `threads` BLAS threads (a child through `OPENBLAS_NUM_THREADS`, in-process
/// OpenBLAS's count for the process), chosen by the caller so that jobs × threads ≤ cores.
/// SIGINT or SIGTERM stops launching, stops the running tasks (SIGTERM to children; the
/// process's interrupt flag, which in-process tasks poll between rows), discards their attempts
/// (they rerun later) and ends with exit status 130.
public struct SweepRunner {
    public let plan: SweepPlan
    public let directory: SweepDirectory
    public let commandLine: TaskCommandLine
    public var jobs = 1
    public var threads = 1
    /// Each task in a process of its own even when ``TaskCommandLine/inProcess`` is given.
    public var isolate = false
    /// Receives one line per finished task and a progress line.
    public var report: (String) -> Void = { _ in }

    public init(plan: SweepPlan, directory: SweepDirectory, commandLine: TaskCommandLine) {
        (self.plan, self.directory, self.commandLine) = (plan, directory, commandLine)
    }

    /// What a run did.
    public struct Summary: Sendable {
        public var skipped = 0
        public var complete = 0
        public var diverged = 0
        public var failed: [(id: Int, reason: String)] = []
        public var interrupted = false
    }

    /// BLAS threads per task when `jobs` tasks run at once on `cores` cores.
    public static func threads(jobs: Int, cores: Int) -> Int { max(1, cores / max(1, jobs)) }

    /// Runs the given tasks (all of the plan's by default) that are not finished yet.
    public func run(only ids: [Int]? = nil) throws -> Summary {
        guard jobs >= 1 else { throw LinflowError.usage("\(Setting.jobs) must be at least 1, got \(jobs)") }
        let wanted = try ids.map { ids in
            try ids.map { id in
                guard let t = plan.tasks.first(where: { $0.id == id }) else {
                    throw LinflowError.usage("\(Setting.task) \(id): the plan has tasks 0…\(plan.tasks.count - 1)")
                }
                return t
            }
        } ?? plan.tasks
        var summary = Summary()
        var queue: [SweepTask] = []
        for task in wanted {
            if directory.state(of: task.id).isFinished { summary.skipped += 1 } else { queue.append(task) }
        }
        // A whole run, or a chunk of tasks (a Slurm element's): counts and progress lines.
        let several = ids == nil || wanted.count > 1
        if several {
            let how = commandLine.inProcess != nil && !isolate ? "in this process" : "each in its own process"
            report("linflow: \(wanted.count) tasks, \(summary.skipped) already finished; running \(queue.count), \(jobs) at a time \(how) with \(threads) BLAS thread\(threads == 1 ? "" : "s") each")
        } else if summary.skipped > 0, let t = wanted.first {
            report("task \(t.id) (\(plan.describe(t))): already finished")
        }
        guard !queue.isEmpty else { return summary }
        queue.reverse()

        let interrupt = InterruptFlag.shared
        interrupt.arm()
        defer { interrupt.disarm() }
        var execution: TaskExecution
        if let inProcess = commandLine.inProcess, !isolate {
            execution = ThreadExecution(run: inProcess, commandLine: commandLine, plan: plan, threads: threads)
        } else {
            execution = ProcessExecution(commandLine: commandLine, plan: plan, threads: threads)
        }
        var forwarded = false
        var startFailure: Error?
        let total = queue.count
        var done = 0
        func startQueued() {
            while !interrupt.isSet && startFailure == nil && execution.running < jobs, let task = queue.popLast() {
                do {
                    try execution.start(try Attempt.prepare(task, plan: plan, directory: directory))
                } catch {
                    // Stop the others as for an interrupt, then report this.
                    startFailure = error
                }
            }
        }
        while !queue.isEmpty || execution.running > 0 {
            if (interrupt.isSet || startFailure != nil) && !forwarded {
                forwarded = true
                queue.removeAll()
                execution.stopAll()
            }
            startQueued()
            // Short waits, so that a signal is noticed within 20 ms.
            guard let (attempt, status) = execution.nextFinished(waitingAtMost: 0.02) else { continue }
            let stopping = interrupt.isSet || startFailure != nil
            // The next task starts before this one is finished: finishing waits for its files
            // to reach the disk, which the next task's computation need not wait for.
            startQueued()
            let outcome = attempt.finish(waitStatus: status, interrupted: stopping)
            let what = "task \(attempt.task.id) (\(plan.describe(attempt.task)))"
            let seconds = String(format: "%.2f", Double(DispatchTime.now().uptimeNanoseconds - attempt.started.uptimeNanoseconds) / 1e9)
            switch outcome {
            case nil:
                summary.interrupted = true
                report("\(what): interrupted; it runs again next time")
            case let o? where o.status == "failed":
                summary.failed.append((attempt.task.id, o.reason ?? "failed"))
                report("\(what): failed: \(o.reason ?? "") (log: \(directory.failedPath(attempt.task.id))/log)")
            case let o? where o.byAnotherRunner:
                // Two runners on one sweep both ran it; the first to finish keeps its result.
                summary.skipped += 1
                report("\(what): finished meanwhile by another runner (\(o.status)); this attempt is discarded")
            case let o?:
                if o.status == "diverged" { summary.diverged += 1 } else { summary.complete += 1 }
                report("\(what): \(o.status) in \(seconds) s")
            }
            done += 1
            if several {
                report("  [\(done)/\(total) done, \(execution.running) running, \(queue.count) waiting, \(summary.failed.count) failed]")
            }
        }
        if let startFailure { throw startFailure }
        if interrupt.isSet { summary.interrupted = true }
        return summary
    }
}

