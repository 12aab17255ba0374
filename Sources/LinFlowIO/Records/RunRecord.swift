import Foundation
import LinFlowNumerics

/// The commands that run something on a dataset. Each accepts some of the choices of a
/// ``RunRequest`` and no others (docs/cli.md has the table of options × commands).
public enum RunCommand: String, CaseIterable, Sendable {
    case simulate, descend, compare, analytic, stats
}

/// The provenance of an output file, written beside it as `OUT.json` (for `OUT.csv`):
/// linflow's and GSL's versions, the BLAS kernels and threads, the command line, the data file's size and SHA-256, and every
/// setting that determines the numbers. It holds no timestamps or timings, so the same command
/// gives the same record, byte for byte, just as it gives the same CSV.
public struct RunRecord {
    public var entries: [String: Any]

    /// `arguments`: the command line to record, as the user gave it (for `linflow rerun`, the
    /// recorded one it repeats, so that the repeat's record matches the original's).
    public init(command: String, arguments: [String], settings: [String: Any]) {
        entries = settings
        entries["linflow_version"] = LinflowVersion.string
        entries["gsl_version"] = GSL.version
        entries["blas"] = BLASCore.record
        entries["command"] = command
        entries["arguments"] = arguments
    }

    /// JSON has no NaN, infinity or nil: they become null (a diverged run's loss, a mode that
    /// was never learnt).
    static func jsonSafe(_ value: Any) -> Any {
        switch value {
        case let d as Double: return d.isFinite ? d : NSNull()
        case let a as [Any]: return a.map(jsonSafe)
        case let m as [String: Any]: return m.mapValues(jsonSafe)
        // The common leaves as they are (an optional one unwrapped by the cast), without the
        // reflection below, which was a tenth of a small sweep task's time.
        case let s as String: return s
        case let i as Int: return i
        case let b as Bool: return b
        case let u as UInt64: return u
        default:
            let mirror = Mirror(reflecting: value)
            if mirror.displayStyle == .optional {
                guard let wrapped = mirror.children.first?.value else { return NSNull() }
                return jsonSafe(wrapped)
            }
            return value
        }
    }

    /// The sidecar's path for an output file.
    public static func path(for output: String) -> String { output + ".json" }

    /// The record as pretty-printed JSON with sorted keys and a final newline:
    /// ``PrettyJSON``'s bytes, which are Foundation's (``foundationData()``).
    public func data() throws -> Data {
        let safe = Self.jsonSafe(entries)
        guard var bytes = PrettyJSON.encode(safe) else { return try Self.foundationData(safe) }
        bytes.append(0x0A)
        return Data(bytes)
    }

    /// The record as Foundation's JSONSerialization writes it (what ``data()`` falls back to).
    package func foundationData() throws -> Data { try Self.foundationData(Self.jsonSafe(entries)) }

    private static func foundationData(_ safe: Any) throws -> Data {
        var d = try JSONSerialization.data(withJSONObject: safe, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        d.append(0x0A)
        return d
    }

    /// Writes the record beside `output` (atomically); nothing for standard output.
    public func write(beside output: String?) throws {
        guard let output, output != "-" else { return }
        // Only a regular file gets a sidecar (not /dev/stdout or a pipe).
        guard OutputFile.isRegularFile(output) else { return }
        let file = try OutputFile(path: RunRecord.path(for: output))
        try file.write(bytes: try data())
        try file.commit()
    }
}

extension Initialization {
    package var record: [String: Any] {
        switch self {
        case .gaussian(let seed, let scale): return ["kind": "random", "seed": seed, "scale": scale]
        case .orthogonal(let seed, let scale): return ["kind": "orthogonal", "seed": seed, "scale": scale]
        case .balanced(let seed, let scale): return ["kind": "balanced", "seed": seed, "scale": scale]
        case .aligned(let seed, let scale): return ["kind": "aligned", "seed": seed, "scale": scale]
        case .lambdaBalanced(let seed, let scale, let lambda):
            return ["kind": "lambda-balanced", "seed": seed, "scale": scale, "lambda": lambda]
        case .file(let path): return ["kind": "file", "path": path]
        }
    }
}
