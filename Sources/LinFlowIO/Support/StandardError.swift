#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LinFlowNumerics

/// Where a run's messages go: the process's stderr, or — for a sweep task run in this process —
/// the task's own log file, bound for the duration of the task on the thread that runs it
/// (a task-local value, so tasks on several threads each write their own log, as a task run
/// as its own process writes its stderr there).
public enum StandardError {
    /// The log of the task this thread runs, if any.
    @TaskLocal public static var log: TaskLog?

    /// Writes `text` as it stands (no newline added) to the task's log, else to stderr.
    public static func write(_ text: String) {
        if let log { log.write(text) } else { FileHandle.standardError.write(Data(text.utf8)) }
    }

    /// Whether the messages reach a terminal (progress lines are drawn only there).
    public static var isTerminal: Bool { log == nil && isatty(STDERR_FILENO) != 0 }
}

/// A task's log file, appended to by whole writes (one task writes it, from one thread).
public final class TaskLog: Sendable {
    private let descriptor: Int32

    /// Creates (or truncates) the file at `path`.
    public init(path: String) throws {
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw LinflowError.cannotCreate("\(path): \(String(cString: strerror(errno)))")
        }
    }

    public func write(_ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return }
            bytes = bytes.dropFirst(n)
        }
    }

    deinit { close(descriptor) }
}
