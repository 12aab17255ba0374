#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LinFlowNumerics

/// A one-line progress indicator on stderr, shown only when stderr is a terminal (never in a
/// sweep task's log) and the run has lasted more than a second, redrawn at most five times a second.
public final class Progress {
    private let enabled: Bool
    private let start = DispatchTime.now()
    private var lastDraw: UInt64 = 0
    private var drawn = false
    private let label: String

    public init(label: String) {
        enabled = StandardError.isTerminal
        self.label = label
    }

    public var elapsedSeconds: Double { seconds(since: start) }

    public func update(fraction: Double, detail: @autoclosure () -> String) {
        guard enabled else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        guard now - start.uptimeNanoseconds > 1_000_000_000, now - lastDraw > 200_000_000 else { return }
        lastDraw = now
        drawn = true
        let pct = Int((fraction * 100).rounded(.down))
        StandardError.write("\r\u{1B}[K\(label): \(detail()) (\(pct)%)")
    }

    public func finish() {
        guard drawn else { return }
        StandardError.write("\r\u{1B}[K")
    }
}
