import Foundation
import LinFlowNumerics
import LinFlowIO
import LinFlowPlot

/// `linflow rerun OUT.json [-o NEW]`: the command line a run record holds, ready to run again,
/// once every input file it names has been found unchanged.
///
/// The record holds the arguments as given, the version of linflow, GSL and the BLAS kernels,
/// and the SHA-256 of the data file and of the `--init` file; with the same inputs, linflow
/// version and kernels the arguments give the same bytes (docs/reliability.md). Relative paths
/// are read from the current directory, as when the run was made.
public struct RerunPlan {
    /// The recorded command line, word by word (its first word the command).
    public let recordedArguments: [String]
    /// Lines for stderr: what differs from the recorded run's circumstances.
    public let notes: [String]

    /// The commands whose records can be rerun.
    public static let commands: Set<String> = ["simulate", "descend", "compare", "analytic"]

    public init(recordPath: String) throws {
        guard let bytes = FileManager.default.contents(atPath: recordPath) else {
            throw LinflowError.noInput("\(recordPath): cannot read the run record")
        }
        guard let record = try? JSONSerialization.jsonObject(with: bytes) as? [String: Any],
              let recorded = record["arguments"] as? [String], let command = recorded.first,
              Self.commands.contains(command) else {
            throw LinflowError.data("\(recordPath): not a run record of simulate, descend, compare or analytic (no arguments)")
        }
        var notes: [String] = []
        for input in record["inputs"] as? [[String: Any]] ?? [] {
            guard let path = input["path"] as? String, let sha = input["sha256"] as? String else { continue }
            let role = input["role"] as? String ?? "input"
            guard let now = FileIdentity(readingFile: path)?.sha256 else {
                throw LinflowError.noInput("\(path): the \(role) file of \(recordPath) cannot be read (rerun from the directory the run was made in)")
            }
            guard now == sha else {
                throw LinflowError.data("\(path): the \(role) file has changed since \(recordPath) was written (SHA-256 \(now.prefix(12))…, recorded \(sha.prefix(12))…)")
            }
        }
        if let v = record["linflow_version"] as? String, v != LinflowVersion.string {
            notes.append("linflow: note: \(recordPath) was written by linflow \(v), this is \(LinflowVersion.string): defaults or numerics may differ")
        }
        recordedArguments = recorded
        self.notes = notes
    }
}
