#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LinFlowNumerics
import LinFlowIO

/// Runs the unfinished tasks of a sweep, `jobs` at a time, each as a child process of the
/// linflow executable with the task's arguments writing TMP/out.csv (``TaskCommandLine``), its stdout and stderr in
/// `TMP/log`. When the command ends, the attempt directory TMP becomes `tasks/ID` (finished) or
/// `tasks/ID.failed` (see ``SweepDirectory``).
///
/// Outcomes: exit 0 is `complete`. A descent that diverges (exit 3 from `descend` or `compare`
/// with the rows kept in out.csv.partial and the reason in its record) is a result, not a
/// failure — in a phase diagram, where descent diverges is the point — so the task is finished
/// with status `diverged`. Anything else is `failed`, with the last `linflow: error:` line of its
/// log as the reason, and runs again next time.
///
/// Each child gets `OPENBLAS_NUM_THREADS = threads`, chosen by the caller so that
/// jobs × threads ≤ cores. SIGINT or SIGTERM stops launching, forwards SIGTERM to the running
/// children, discards their attempts (they rerun later) and ends with exit status 130.
public struct SweepRunner {
    public let plan: SweepPlan
    public let directory: SweepDirectory
    public let commandLine: TaskCommandLine
    public var jobs = 1
    public var threads = 1
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
        if ids == nil {
            report("linflow: \(plan.tasks.count) tasks, \(summary.skipped) already finished; running \(queue.count), \(jobs) at a time with \(threads) BLAS thread\(threads == 1 ? "" : "s") each")
        } else if summary.skipped > 0, let t = wanted.first {
            report("task \(t.id) (\(plan.describe(t))): already finished")
        }
        guard !queue.isEmpty else { return summary }
        queue.reverse()

        let interrupt = InterruptFlag.shared
        interrupt.arm()
        defer { interrupt.disarm() }
        var running: [pid_t: Attempt] = [:]
        var forwarded = false
        var startFailure: Error?
        let total = queue.count
        var done = 0
        while !queue.isEmpty || !running.isEmpty {
            if (interrupt.isSet || startFailure != nil) && !forwarded {
                forwarded = true
                queue.removeAll()
                for pid in running.keys { kill(pid, SIGTERM) }
            }
            while !interrupt.isSet && startFailure == nil && running.count < jobs, let task = queue.popLast() {
                do {
                    let attempt = try Attempt.start(task, plan: plan, directory: directory, commandLine: commandLine, threads: threads)
                    running[attempt.pid] = attempt
                } catch {
                    // Stop the others as for an interrupt, then report this.
                    startFailure = error
                }
            }
            // Our own children only (not waitpid(-1): the process may have others, e.g. a test
            // runner's), polled so that a signal is noticed within 20 ms.
            var status: Int32 = 0
            guard let pid = running.keys.sorted().first(where: { pid in
                let r = waitpid(pid, &status, WNOHANG)
                // Reaped by someone else (ECHILD): its outcome is lost; a failure, retried next time.
                if r < 0 && errno == ECHILD { status = 255 << 8 }
                return r == pid || (r < 0 && errno == ECHILD)
            }) else {
                usleep(20_000)
                continue
            }
            guard let attempt = running.removeValue(forKey: pid) else { continue }
            let outcome = attempt.finish(waitStatus: status, interrupted: interrupt.isSet || startFailure != nil)
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
            if ids == nil {
                report("  [\(done)/\(total) done, \(running.count) running, \(queue.count) waiting, \(summary.failed.count) failed]")
            }
        }
        if let startFailure { throw startFailure }
        if interrupt.isSet { summary.interrupted = true }
        return summary
    }
}

/// One attempt at a task: its child process and temporary directory.
struct Attempt {
    let task: SweepTask
    let pid: pid_t
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

    nonisolated(unsafe) static var counter = 0

    static func start(_ task: SweepTask, plan: SweepPlan, directory: SweepDirectory, commandLine: TaskCommandLine,
                      threads: Int) throws -> Attempt {
        removeDeadAttempts(of: task.id, in: directory)
        counter += 1
        let temporary = "\(directory.tasksPath)/\(task.id).tmp-\(host)-\(getpid())-\(counter)"
        do {
            try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: true)
        } catch {
            throw LinflowError.cannotCreate("\(temporary): \(error.localizedDescription)")
        }
        let executable = commandLine.executable
        let argv = [executable] + commandLine.task(plan.command, task.arguments, temporary + "/out.csv")
        var env = ProcessInfo.processInfo.environment
        env["OPENBLAS_NUM_THREADS"] = String(threads)
        let envp = env.keys.sorted().map { "\($0)=\(env[$0]!)" }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, temporary + "/log", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // The runner blocks nothing, but it may itself have been started with signals blocked.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))

        var pid: pid_t = 0
        let result = withCStrings(argv) { cargv in
            withCStrings(envp) { cenv in posix_spawn(&pid, executable, &actions, &attributes, cargv, cenv) }
        }
        guard result == 0 else {
            try? FileManager.default.removeItem(atPath: temporary)
            throw LinflowError.unavailable("cannot run \(executable): \(String(cString: strerror(result)))")
        }
        return Attempt(task: task, pid: pid, temporary: temporary, directory: directory, command: plan.command)
    }

    /// Attempts of task `id` on this host whose process no longer exists (killed outright).
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
        if interrupted && (!exited || code == 130 || code == 143) {
            try? fm.removeItem(atPath: temporary)
            return nil
        }
        let reason = lastError()
        var outcome: SweepOutcome
        if exited && code == 0 && fm.fileExists(atPath: temporary + "/out.csv") {
            outcome = SweepOutcome(status: "complete", exitStatus: 0, output: "out.csv", reason: nil)
        } else if exited && code == 3 && ["descend", "compare"].contains(command),
                  let failure = partialFailure(), failure.hasPrefix("descent diverged") {
            outcome = SweepOutcome(status: "diverged", exitStatus: 3, output: "out.csv.partial", reason: failure)
        } else {
            let why = reason ?? (exited ? "exit status \(code)" : "killed by signal \(signal)")
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

/// Runs `body` with a NULL-terminated C array of the strings.
func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
    let pointers = strings.map { strdup($0) } + [nil]
    defer { pointers.forEach { free($0) } }
    return body(pointers)
}
