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
    /// The arguments to run: the record's, with the output replaced and `--plot…` and
    /// `--representations` dropped.
    public let arguments: [String]
    /// Lines for stderr: what differs from the recorded run's circumstances.
    public let notes: [String]

    /// The commands whose records can be rerun.
    public static let commands: Set<String> = ["simulate", "descend", "compare", "analytic"]

    public init(recordPath: String, output: String?) throws {
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
        let (args, dropped) = Self.replacingOutput(in: recorded, with: output)
        if !dropped.isEmpty {
            notes.append("linflow: note: rerun leaves out \(dropped.joined(separator: ", ")) (pictures and representations are not part of the record)")
        }
        arguments = args
        self.notes = notes
    }

    /// `arguments` without their output and plot options, plus `-o output` if given.
    static func replacingOutput(in arguments: [String], with output: String?) -> ([String], [String]) {
        // --representations, like a picture, is derived from the output, not part of it.
        let valued: Set<String> = ["-o", "--out", "--plot", "--plot-kind", "--plot-script", "--representations"]
        var kept: [String] = [], dropped: [String] = [], i = 0
        while i < arguments.count {
            let a = arguments[i]
            let name = a.split(separator: "=", maxSplits: 1).first.map(String.init) ?? a
            let attachedShort = a.hasPrefix("-o") && !a.hasPrefix("--") && a.count > 2
            if valued.contains(name) || attachedShort {
                if name.hasPrefix("--plot") || name == "--representations" { dropped.append(name) }
                // "--out X" takes the next word; "--out=X" and "-oX" do not.
                i += a.contains("=") || attachedShort ? 1 : 2
                continue
            }
            kept.append(a)
            i += 1
        }
        if let output { kept += ["-o", output] }
        return (kept, dropped)
    }
}
