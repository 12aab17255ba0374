#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization
import LinFlowNumerics
import LinFlowIO

/// One attempt at a task: its temporary directory `DIR/tasks/ID.tmp-HOST-PID-N`, where the
/// task writes `out.csv`, its record and its `log`, until ``finish(waitStatus:interrupted:)``
/// records the outcome and renames it into place. `PID` is the runner's: an attempt whose
/// runner is gone (killed outright) is removed by the next attempt of the task on this host,
/// whether the task ran as a child process or on one of the runner's threads.
struct Attempt: Sendable {
    let task: SweepTask
    let temporary: String
    let directory: SweepDirectory
    let command: String
    let started = DispatchTime.now()

    static let host: String = {
        var name = [CChar](repeating: 0, count: 256)
        gethostname(&name, name.count - 1)
        let h = String(cString: name).split(separator: ".").first.map(String.init) ?? "host"
        return h.isEmpty ? "host" : h.replacingOccurrences(of: "-", with: "_")
    }()

    private static let counter = Atomic(0)

    /// The words after the executable that run this attempt's task, writing into its directory.
    func words(_ commandLine: TaskCommandLine, plan: SweepPlan) -> [String] {
        commandLine.task(plan.command, task.arguments, output)
    }

    var output: String { temporary + "/out.csv" }
    var log: String { temporary + "/log" }

    /// Makes the attempt's empty directory (after removing the task's dead attempts).
    static func prepare(_ task: SweepTask, plan: SweepPlan, directory: SweepDirectory) throws -> Attempt {
        removeDeadAttempts(of: task.id, in: directory)
        let n = counter.add(1, ordering: .relaxed).newValue
        let temporary = "\(directory.tasksPath)/\(task.id).tmp-\(host)-\(getpid())-\(n)"
        // mkdir(2) when tasks/ exists (every attempt but a sweep's first), else FileManager,
        // which also makes tasks/ and words the failure.
        do {
            if mkdir(temporary, 0o777) != 0 {
                try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: true)
            }
        } catch {
            throw LinflowError.cannotCreate("\(temporary): \(error.localizedDescription)")
        }
        // Its files are flushed together when it is finished (finish(waitStatus:interrupted:)).
        SyncedDirectories.add(temporary)
        return Attempt(task: task, temporary: temporary, directory: directory, command: plan.command)
    }

    /// Attempts of task `id` on this host whose runner's process no longer exists (killed outright).
    static func removeDeadAttempts(of id: Int, in directory: SweepDirectory) {
        let prefix = "\(id).tmp-\(host)-"
        for name in directory.temporaryDirectories() where name.hasPrefix(prefix) {
            let fields = name.dropFirst(prefix.count).split(separator: "-")
            guard let pid = fields.first.flatMap({ pid_t($0) }), kill(pid, 0) != 0, errno == ESRCH else { continue }
            try? FileManager.default.removeItem(atPath: "\(directory.tasksPath)/\(name)")
        }
    }

    /// Records the outcome and moves the attempt into place; nil when it was interrupted
    /// (then its directory is removed and the task stays unfinished).
    func finish(waitStatus status: Int32, interrupted: Bool) -> SweepOutcome? {
        let exited = (status & 0x7f) == 0
        let code = exited ? (status >> 8) & 0xff : 0
        let signal = exited ? 0 : status & 0x7f
        let fm = FileManager.default
        defer { SyncedDirectories.remove(temporary) }
        if interrupted && (!exited || code == 130 || code == 143) {
            try? fm.removeItem(atPath: temporary)
            return nil
        }
        var outcome: SweepOutcome
        if exited && code == 0 && fm.fileExists(atPath: temporary + "/out.csv") {
            outcome = SweepOutcome(status: "complete", exitStatus: 0, output: "out.csv", reason: nil)
        } else if exited && code == 3 && ["descend", "compare"].contains(command),
                  let failure = partialFailure(), failure.hasPrefix("descent diverged") {
            outcome = SweepOutcome(status: "diverged", exitStatus: 3, output: "out.csv.partial", reason: failure)
        } else {
            let why = lastError() ?? (exited ? "exit status \(code)" : "killed by signal \(signal)")
            outcome = SweepOutcome(status: "failed", exitStatus: exited ? code : 128 + signal, output: nil, reason: why)
            let failed = directory.failedPath(task.id)
            try? fm.removeItem(atPath: failed)
            do {
                try outcome.write(into: temporary)
                try renameDirectory(temporary, failed)
            } catch {
                outcome.reason = why + " (and \(error))"
            }
            return outcome
        }
        do {
            try outcome.write(into: temporary)
            // Every file of the attempt on disk before the rename that makes it the task's
            // result, so that a crash of the machine never leaves a task directory with a
            // truncated file (docs/reliability.md); a failed attempt, which runs again, is not.
            try SyncedDirectories.sync(temporary)
            // A task directory without a readable outcome (emptied, cut short by a full disk,
            // edited by hand) is no result: it would block every later attempt, so it goes.
            let finished = directory.taskPath(task.id)
            if fm.fileExists(atPath: finished) && SweepOutcome.read(finished) == nil {
                try? fm.removeItem(atPath: finished)
            }
            try renameDirectory(temporary, finished)
            try? fm.removeItem(atPath: directory.failedPath(task.id))
        } catch {
            // Another run finished the task first (rename onto a non-empty directory fails):
            // its result stands.
            try? fm.removeItem(atPath: temporary)
            if var theirs = SweepOutcome.read(directory.taskPath(task.id)) {
                theirs.byAnotherRunner = true
                return theirs
            }
            return SweepOutcome(status: "failed", exitStatus: code, output: nil, reason: "\(error)")
        }
        return outcome
    }

    /// The last `linflow: error:` line of the log, without the prefix.
    func lastError() -> String? {
        guard let text = try? String(contentsOfFile: temporary + "/log", encoding: .utf8) else { return nil }
        let prefix = "linflow: error: "
        return text.split(whereSeparator: \.isNewline).last { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
    }

    /// The failure in the record beside the kept rows, if the command kept any.
    func partialFailure() -> String? {
        guard let d = FileManager.default.contents(atPath: temporary + "/out.csv.partial.json"),
              let json = try? JSONSerialization.jsonObject(with: d) as? [String: Any] else { return nil }
        return json["failure"] as? String
    }
}

func renameDirectory(_ from: String, _ to: String) throws {
    if rename(from, to) != 0 {
        throw LinflowError.cannotCreate("\(to): cannot move the finished task into place: \(String(cString: strerror(errno)))")
    }
}

