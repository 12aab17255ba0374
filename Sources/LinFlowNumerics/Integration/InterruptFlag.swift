#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Turns SIGINT and SIGTERM into a flag that long runs poll between rows, so that Ctrl-C stops
/// a run cleanly: the rows so far are kept as OUT.partial and the temporary file is not left behind.
public final class InterruptFlag: Sendable {
    public static let shared = InterruptFlag()

    public var isSet: Bool { interruptRequested.load(ordering: .relaxed) }

    public func arm() {
        interruptRequested.store(false, ordering: .relaxed)
        signal(SIGINT, linflowSignalHandler)
        signal(SIGTERM, linflowSignalHandler)
        // A parent may have started us with these signals blocked (some process launchers
        // and test runners do); then Ctrl-C would never arrive. Unblock them for this run.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }

    public func disarm() {
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}

private let interruptRequested = Atomic<Bool>(false)

private func linflowSignalHandler(_ sig: Int32) {
    // A second signal while the first is being handled ends the process at once.
    if interruptRequested.load(ordering: .relaxed) { _exit(128 + sig) }
    interruptRequested.store(true, ordering: .relaxed)
}
