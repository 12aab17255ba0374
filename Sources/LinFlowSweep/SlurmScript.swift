import Foundation
import LinFlowNumerics
import LinFlowIO

/// `DIR/sweep.sbatch`: a Slurm job array over the unfinished tasks. With one task per element
/// (the default) element I runs task I, `$SLURM_ARRAY_TASK_ID`, in a process of its own; with
/// ``tasksPerJob`` K > 1 element I runs the I-th chunk of K unfinished tasks in its own process,
/// where their data are read once (``TaskCommandLine/arrayElement``).
///
/// Elements are requeueable (`--requeue`): one that is preempted or requeued starts again from
/// scratch in a new attempt directory, and since a task becomes finished only by the rename of
/// its attempt, a half-done element leaves nothing behind that a later one could mistake for a
/// result. Each element gets one CPU unless `--sbatch-option=--cpus-per-task=N` says otherwise,
/// and OpenBLAS as many threads as it has CPUs.
public struct SlurmScript: Sendable {
    public var directory: String
    /// How the elements start linflow.
    public var commandLine: TaskCommandLine
    /// The directory the elements start in (relative paths in the plan are relative to it).
    public var workingDirectory: String
    public var ids: [Int]
    /// At most this many elements at once (`%K`).
    public var arrayLimit: Int?
    /// Extra `#SBATCH` lines, e.g. `--partition=short` or `--time=00:10:00`.
    public var options: [String] = []
    /// Tasks per array element.
    public var tasksPerJob = 1

    public init(directory: String, commandLine: TaskCommandLine, workingDirectory: String, ids: [Int],
                arrayLimit: Int? = nil, options: [String] = [], tasksPerJob: Int = 1) throws {
        (self.directory, self.commandLine, self.workingDirectory) = (directory, commandLine, workingDirectory)
        (self.ids, self.arrayLimit, self.options, self.tasksPerJob) = (ids, arrayLimit, options, tasksPerJob)
        if let arrayLimit, arrayLimit < 1 { throw LinflowError.usage("\(Setting.arrayLimit) must be at least 1, got \(arrayLimit)") }
        if tasksPerJob < 1 { throw LinflowError.usage("\(Setting.tasksPerJob) must be at least 1, got \(tasksPerJob)") }
        for o in options where !o.hasPrefix("-") || o.contains(where: \.isNewline) {
            throw LinflowError.usage("\(Setting.sbatchOption) takes one sbatch option such as --partition=short, got '\(o)'")  // sbatch's option
        }
    }

    /// `0-3,7,9-11`: the ids as Slurm's --array wants them.
    public static func arraySpec(_ ids: [Int]) -> String {
        var parts: [String] = []
        var i = 0
        let s = ids.sorted()
        while i < s.count {
            var j = i
            while j + 1 < s.count && s[j + 1] == s[j] + 1 { j += 1 }
            parts.append(i == j ? "\(s[i])" : "\(s[i])-\(s[j])")
            i = j + 1
        }
        return parts.joined(separator: ",")
    }

    /// The elements' tasks: the unfinished ids in order, K at a time.
    public var chunks: [[Int]] {
        let s = ids.sorted()
        return stride(from: 0, to: s.count, by: tasksPerJob).map { Array(s[$0..<min($0 + tasksPerJob, s.count)]) }
    }

    public var text: String {
        let dir = SweepDirectory(directory)
        let chunked = tasksPerJob > 1
        let array = chunked ? Self.arraySpec(Array(chunks.indices)) : Self.arraySpec(ids)
        var lines = [
            "#!/bin/bash",
            chunked ? "# Written by linflow sweep slurm: one array element per \(tasksPerJob) unfinished tasks of \(directory), run in the element's process."
                    : "# Written by linflow sweep slurm: one array element per unfinished task of \(directory).",
            "# Submit with: sbatch \(shellQuote(dir.sbatchPath))   (or: " + (["linflow"] + commandLine.resubmit(directory)).map(shellQuote).joined(separator: " ") + ")",
            "#SBATCH --job-name=linflow-sweep",  // sbatch's option
            "#SBATCH --array=\(array)\(arrayLimit.map { "%\($0)" } ?? "")",  // sbatch's option
            "#SBATCH --output=\(dir.slurmLogsPath)/%A_%a.out",  // sbatch's option
            "#SBATCH --chdir=\(workingDirectory)",  // sbatch's option
            "#SBATCH --requeue",  // sbatch's option
            "#SBATCH --ntasks=1",  // sbatch's option
        ]
        if !options.contains(where: { $0.hasPrefix("--cpus-per-task") || $0.hasPrefix("-c") }) {  // sbatch's option
            lines.append("#SBATCH --cpus-per-task=1")  // sbatch's option
        }
        lines += options.map { "#SBATCH \($0)" }
        lines += [
            "",
            "# One BLAS thread per CPU Slurm gave the element.",
            "export OPENBLAS_NUM_THREADS=\"${SLURM_CPUS_PER_TASK:-1}\"",
        ]
        let element = ([commandLine.executable] + commandLine.arrayElement(directory, !chunked)).map(shellQuote).joined(separator: " ")
        if chunked {
            lines += [
                "# Element I runs the tasks of chunk I.",
                "chunks=(" + chunks.map { $0.map(String.init).joined(separator: ",") }.joined(separator: " ") + ")",
                "exec \(element) \"${chunks[$SLURM_ARRAY_TASK_ID]}\"",
            ]
        } else {
            lines.append("exec \(element) \"$SLURM_ARRAY_TASK_ID\"")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension SlurmScript {
    /// Runs `sbatch --parsable SCRIPT` and returns the job id it prints.
    public static func submit(_ script: String) throws -> String {
        guard let sbatch = ProcessInfo.processInfo.environment["PATH"].flatMap({ path in
            path.split(separator: ":").map { "\($0)/sbatch" }.first { FileManager.default.isExecutableFile(atPath: $0) }
        }) else {
            throw LinflowError.unavailable("sbatch is not on PATH, so \(script) was written but not submitted; submit it where Slurm runs (sbatch \(script))")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: sbatch)
        p.arguments = ["--parsable", script]  // sbatch's option
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        do { try p.run() } catch {
            throw LinflowError.unavailable("cannot run \(sbatch): \(error.localizedDescription)")
        }
        let errText = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let outText = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            let reason = errText.split(whereSeparator: \.isNewline).last.map(String.init) ?? "exit status \(p.terminationStatus)"
            throw LinflowError.unavailable("sbatch refused \(script): \(reason)")
        }
        // sbatch's option --parsable prints "JOBID" or "JOBID;CLUSTER".
        let id = outText.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ";").first.map(String.init) ?? ""
        guard !id.isEmpty else { throw LinflowError.unavailable("sbatch printed no job id for \(script)") }
        return id
    }
}
