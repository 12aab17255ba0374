#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Turns every signal that asks a run to end — SIGINT (Ctrl-C), SIGTERM (kill, Slurm), SIGHUP
/// (the terminal or connection closes), SIGQUIT (the quit key) and SIGXCPU (a CPU-time limit) — into a flag that
/// long runs poll between rows, so that each stops a run the same clean way: the rows so far are
/// kept as OUT.partial and the temporary file is not left behind. (SIGKILL cannot be caught.)
///
/// Arming nests: a sweep that runs its tasks in this process arms the flag for the whole sweep,
/// and each task arms and disarms it again around its rows. Only the outermost `arm()` clears
/// the flag and installs the handlers, and only the matching outermost `disarm()` restores the
/// default actions, so an interrupt that arrives while one task ends is still seen by the
/// sweep and by the tasks running beside it.
public final class InterruptFlag: Sendable {
    public static let shared = InterruptFlag()

    /// The signals that end a run as Ctrl-C does.
    public static let endingSignals: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGXCPU]

    /// How many arms are open (tasks on several threads arm at once).
    private let depth = Mutex(0)

    public var isSet: Bool { interruptRequested.load(ordering: .relaxed) }

    public func arm() {
        depth.withLock { depth in
            depth += 1
            guard depth == 1 else { return }
            interruptRequested.store(false, ordering: .relaxed)
            for s in Self.endingSignals { signal(s, linflowSignalHandler) }
        }
        // A parent may have started us with these signals blocked (some process launchers
        // and test runners do); then Ctrl-C would never arrive. Unblock them for this run
        // (the mask is per thread: each thread that runs rows unblocks its own).
        var set = sigset_t()
        sigemptyset(&set)
        for s in Self.endingSignals { sigaddset(&set, s) }
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }

    /// Sets the flag as an ending signal would: what a sweep does to stop the tasks it runs on
    /// its own threads.
    public func request() { interruptRequested.store(true, ordering: .relaxed) }

    public func disarm() {
        depth.withLock { depth in
            depth = max(0, depth - 1)
            guard depth == 0 else { return }
            for s in Self.endingSignals { signal(s, SIG_DFL) }
        }
    }
}

private let interruptRequested = Atomic<Bool>(false)

private func linflowSignalHandler(_ sig: Int32) {
    // A second signal while the first is being handled ends the process at once.
    if interruptRequested.load(ordering: .relaxed) { _exit(128 + sig) }
    interruptRequested.store(true, ordering: .relaxed)
}
