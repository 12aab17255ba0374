import Foundation

/// How numbers and durations appear in summaries and messages.
public func fmt(_ x: Double) -> String { String(format: "%.6g", x) }

/// Wall-clock seconds since `start`.
public func seconds(since start: DispatchTime) -> Double {
    Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
}
