#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LinFlowNumerics
import LinFlowIO

/// The files of a sweep, all plain so that a person can inspect, move or merge them:
///
///     DIR/plan.json                the plan (``SweepPlan``)
///     DIR/tasks/ID/                a finished task: out.csv (or out.csv.partial if descent
///                                  diverged), its record out.csv.json, log, outcome.json
///     DIR/tasks/ID.failed/         the last failed attempt: log, outcome.json with the reason
///     DIR/tasks/ID.tmp-HOST-PID-N/ an attempt in progress (or one killed outright)
///     DIR/sweep.sbatch, DIR/slurm/ the Slurm job array and its elements' logs
///
/// A task is complete exactly when `tasks/ID` exists: an attempt works in its own temporary
/// directory and renames it to `tasks/ID` only after the command has finished, so a kill at
/// any moment leaves either a complete task or none.
public struct SweepDirectory: Sendable {
    public let path: String

    public init(_ path: String) { self.path = path }

    public var planPath: String { path + "/plan.json" }
    public var tasksPath: String { path + "/tasks" }
    public var sbatchPath: String { path + "/sweep.sbatch" }
    public var slurmLogsPath: String { path + "/slurm" }

    public func taskPath(_ id: Int) -> String { "\(tasksPath)/\(id)" }
    public func failedPath(_ id: Int) -> String { "\(tasksPath)/\(id).failed" }

    public func state(of id: Int) -> SweepTaskState {
        if let outcome = SweepOutcome.read(taskPath(id)) { return .finished(outcome) }
        if let outcome = SweepOutcome.read(failedPath(id)) { return .failed(outcome.reason ?? "failed") }
        return .missing
    }

    /// Temporary attempt directories: in progress, or left by an attempt killed outright.
    public func temporaryDirectories() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: tasksPath)) ?? []
        return names.filter { $0.contains(".tmp-") }.sorted()
    }
}

public enum SweepTaskState: Equatable, Sendable {
    /// Finished: exit 0 (`complete`), or a descent that diverged (`diverged`).
    case finished(SweepOutcome)
    /// The last attempt failed, for this one-line reason; the task runs again.
    case failed(String)
    /// Never finished (or in progress).
    case missing

    public var isFinished: Bool { if case .finished = self { return true } else { return false } }
}

/// `outcome.json` of an attempt: how the command ended. No times or host names, so a sweep
/// run here and one run through Slurm leave the same files.
public struct SweepOutcome: Codable, Equatable, Sendable {
    /// `complete`, `diverged` or `failed`.
    public var status: String
    public var exitStatus: Int32
    /// The CSV the task wrote, relative to its directory: out.csv, or out.csv.partial.
    public var output: String?
    /// For `failed` and `diverged`: the last `linflow: error:` line of the log.
    public var reason: String?
    /// Not written: this runner found the task finished by another when its own attempt ended.
    public var byAnotherRunner = false

    enum CodingKeys: String, CodingKey {
        case status, output, reason
        case exitStatus = "exit_status"
    }

    public init(status: String, exitStatus: Int32, output: String?, reason: String?) {
        (self.status, self.exitStatus, self.output, self.reason) = (status, exitStatus, output, reason)
    }

    static func read(_ directory: String) -> SweepOutcome? {
        guard let d = FileManager.default.contents(atPath: directory + "/outcome.json") else { return nil }
        return try? JSONDecoder().decode(SweepOutcome.self, from: d)
    }

    func write(into directory: String) throws {
        let file = try OutputFile(path: directory + "/outcome.json")
        try file.write(bytes: try json())
        try file.commit()
    }

    /// The file's bytes: JSONEncoder's pretty-printed JSON with sorted keys and a final newline
    /// (``foundationJSON()``). Without a character that needs escaping, ``PrettyJSON`` writes
    /// the same layout without the encoder's machinery, a few percent of a small task.
    func json() throws -> [UInt8] {
        let strings = [status, output ?? "", reason ?? ""]
        let plain = strings.allSatisfy { $0.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0 != "\"" && $0 != "\\" } }
        var fields: [String: Any] = ["status": status, "exit_status": Int(exitStatus)]
        if let output { fields["output"] = output }
        if let reason { fields["reason"] = reason }
        guard plain, var bytes = PrettyJSON.encode(fields) else { return try foundationJSON() }
        bytes.append(0x0A)
        return bytes
    }

    /// The file's bytes as JSONEncoder writes them.
    func foundationJSON() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(self)) + [0x0A]
    }
}

/// The counts `linflow sweep status` prints.
public struct SweepStatus: Sendable {
    public var total = 0
    public var complete = 0
    public var diverged = 0
    public var failed: [(id: Int, reason: String)] = []
    public var missing: [Int] = []
    public var temporary: [String] = []

    public init(_ plan: SweepPlan, directory: SweepDirectory) {
        total = plan.tasks.count
        for task in plan.tasks {
            switch directory.state(of: task.id) {
            case .finished(let o): if o.status == "diverged" { diverged += 1 } else { complete += 1 }
            case .failed(let reason): failed.append((task.id, reason))
            case .missing: missing.append(task.id)
            }
        }
        temporary = directory.temporaryDirectories()
    }

    public var text: String {
        var lines = ["\(total) tasks: \(complete + diverged) complete (\(diverged) of them diverged), \(failed.count) failed, \(missing.count) missing"]
        for f in failed { lines.append("  task \(f.id) failed: \(f.reason)") }
        if !missing.isEmpty { lines.append("  missing: \(SlurmScript.arraySpec(missing))") }
        if !temporary.isEmpty {
            lines.append("  \(temporary.count) attempt\(temporary.count == 1 ? "" : "s") running or killed outright (tasks/\(temporary[0])\(temporary.count > 1 ? ", …" : "")); a later run of the task removes a dead one on this host")
        }
        return lines.joined(separator: "\n")
    }
}
