#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization
import LinFlowNumerics
import LinFlowIO

/// How a ``SweepRunner`` executes its attempts: each as a child process (``ProcessExecution``,
/// `--isolate`) or on a thread of this process (``ThreadExecution``, the default). Both report
/// an attempt's end as the wait status a process would have had, which ``Attempt/finish`` reads.
protocol TaskExecution {
    /// Attempts started and not yet reported finished.
    var running: Int { get }
    /// Starts the task of `attempt` (its directory exists and is empty).
    mutating func start(_ attempt: Attempt) throws
    /// Asks every running attempt to stop as an interrupt would.
    func stopAll()
    /// An attempt that has ended and its wait status, waiting at most `seconds` for one.
    mutating func nextFinished(waitingAtMost seconds: Double) -> (Attempt, Int32)?
}

/// Each attempt is a child process of the linflow executable with the task's words, its stdout
/// and stderr in the attempt's log, and `OPENBLAS_NUM_THREADS = threads`.
struct ProcessExecution: TaskExecution {
    let commandLine: TaskCommandLine
    let plan: SweepPlan
    let threads: Int
    private var children: [pid_t: Attempt] = [:]

    init(commandLine: TaskCommandLine, plan: SweepPlan, threads: Int) {
        (self.commandLine, self.plan, self.threads) = (commandLine, plan, threads)
    }

    var running: Int { children.count }

    mutating func start(_ attempt: Attempt) throws {
        let executable = commandLine.executable
        let argv = [executable] + attempt.words(commandLine, plan: plan)
        var env = ProcessInfo.processInfo.environment
        env["OPENBLAS_NUM_THREADS"] = String(threads)
        let envp = env.keys.sorted().map { "\($0)=\(env[$0]!)" }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, attempt.log, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
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
            try? FileManager.default.removeItem(atPath: attempt.temporary)
            throw LinflowError.unavailable("cannot run \(executable): \(String(cString: strerror(result)))")
        }
        children[pid] = attempt
    }

    func stopAll() {
        for pid in children.keys { kill(pid, SIGTERM) }
    }

    mutating func nextFinished(waitingAtMost seconds: Double) -> (Attempt, Int32)? {
        // Our own children only (not waitpid(-1): the process may have others, e.g. a test
        // runner's), polled so that a signal is noticed within `seconds`.
        var status: Int32 = 0
        guard let pid = children.keys.sorted().first(where: { pid in
            let r = waitpid(pid, &status, WNOHANG)
            // Reaped by someone else (ECHILD): its outcome is lost; a failure, retried next time.
            if r < 0 && errno == ECHILD { status = 255 << 8 }
            return r == pid || (r < 0 && errno == ECHILD)
        }) else {
            usleep(useconds_t(seconds * 1e6))
            return nil
        }
        return children.removeValue(forKey: pid).map { ($0, status) }
    }
}

/// Each attempt runs on a thread of its own in this process, through the executable's
/// ``TaskCommandLine/InProcess``: the same parse and code as the task's own process, its
/// messages in the attempt's log. OpenBLAS gets `threads` threads for the whole process, what
/// each task's own process would get. An interrupt reaches the tasks through the process's
/// ``InterruptFlag``, which their row loops poll, as a child's own flag would be.
final class ThreadExecution: TaskExecution {
    let run: TaskCommandLine.InProcess
    let commandLine: TaskCommandLine
    let plan: SweepPlan
    /// Started and not yet reported finished.
    private var inFlight = 0
    private let finished = Finished()

    /// What the task threads hand back: attempts ended, in the order they ended.
    private final class Finished: Sendable {
        let attempts = Mutex<[(Attempt, Int32)]>([])
        let ended = DispatchSemaphore(value: 0)
    }

    init(run: @escaping TaskCommandLine.InProcess, commandLine: TaskCommandLine, plan: SweepPlan, threads: Int) {
        (self.run, self.commandLine, self.plan) = (run, commandLine, plan)
        BLASCore.setThreads(threads)
    }

    var running: Int { inFlight }

    func start(_ attempt: Attempt) throws {
        let log: TaskLog
        do { log = try TaskLog(path: attempt.log) } catch {
            try? FileManager.default.removeItem(atPath: attempt.temporary)
            throw error
        }
        let words = attempt.words(commandLine, plan: plan)
        let run = self.run
        let thread = Thread { [finished] in
            let code = run(words, log)
            finished.attempts.withLock { $0.append((attempt, code << 8)) }
            finished.ended.signal()
        }
        // As much stack as the main thread has (Foundation gives secondary threads 512 KiB).
        thread.stackSize = 8 << 20
        thread.start()
        inFlight += 1
    }

    func stopAll() { InterruptFlag.shared.request() }

    func nextFinished(waitingAtMost seconds: Double) -> (Attempt, Int32)? {
        guard finished.ended.wait(timeout: .now() + seconds) == .success else { return nil }
        let next = finished.attempts.withLock { $0.removeFirst() }
        inFlight -= 1
        return next
    }
}

/// Runs `body` with a NULL-terminated C array of the strings.
func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
    let pointers = strings.map { strdup($0) } + [nil]
    defer { pointers.forEach { free($0) } }
    return body(pointers)
}
