import Foundation
import LinFlowNumerics
import LinFlowIO

/// The gnuplot program on this machine, run on a script file.
public struct Gnuplot: Sendable {
    public let executable: String

    public static let installHint = "install it with 'apt-get install gnuplot-nox'"

    public init(executable: String) { self.executable = executable }

    /// The first `gnuplot` on `PATH`, or nil.
    public static func locate(path: String? = ProcessInfo.processInfo.environment["PATH"]) -> Gnuplot? {
        for dir in (path ?? "/usr/bin:/bin").split(separator: ":") where !dir.isEmpty {
            let candidate = "\(dir)/gnuplot"
            if FileManager.default.isExecutableFile(atPath: candidate) { return Gnuplot(executable: candidate) }
        }
        return nil
    }

    /// Runs `script` and returns gnuplot's warnings, each as one line. A failure, or a warning
    /// that stopped gnuplot, becomes one ``LinflowError`` line about `picture`.
    public func run(script: String, picture: String) throws -> [String] {
        let scriptURL = FileManager.default.temporaryDirectory
            .appendingPathComponent("linflow-plot-\(UUID().uuidString).gp")
        do {
            try script.write(to: scriptURL, atomically: false, encoding: .utf8)
        } catch {
            throw LinflowError.cannotCreate("\(scriptURL.path): cannot write the gnuplot script: \(error.localizedDescription)")
        }
        defer { try? FileManager.default.removeItem(at: scriptURL) }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = [scriptURL.path]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        let stderr = Pipe()
        process.standardError = stderr
        do {
            try process.run()
        } catch {
            throw LinflowError.unavailable("cannot run \(executable): \(error.localizedDescription); \(Self.installHint)")
        }
        let errorText = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()

        let messages = Self.messages(errorText)
        let warnings = messages.filter { $0.hasPrefix("warning:") }
        let errors = messages.filter { !$0.hasPrefix("warning:") }
        if process.terminationReason == .uncaughtSignal {
            throw LinflowError.cannotCreate("\(picture): gnuplot was stopped by signal \(process.terminationStatus)")
        }
        guard process.terminationStatus == 0 else {
            let reason = errors.last ?? warnings.last ?? "exit status \(process.terminationStatus)"
            if errorText.contains("unknown or ambiguous terminal type") {
                throw LinflowError.unavailable("\(executable) lacks the terminal for \(picture) (pngcairo, svg or pdfcairo); \(Self.installHint)")
            }
            let context = warnings.isEmpty || errors.isEmpty ? "" : " (\(warnings[0]))"
            throw LinflowError.cannotCreate("\(picture): gnuplot failed: \(reason)\(context)")
        }
        return warnings
    }

    /// gnuplot's messages without the script line it echoes, the caret under it, or the
    /// `"FILE" line N:` in front.
    static func messages(_ stderr: String) -> [String] {
        var out: [String] = []
        for raw in stderr.split(whereSeparator: \.isNewline) {
            var line = raw.trimmingCharacters(in: .whitespaces)
            guard let range = line.range(of: #"^("[^"]*" )?line [0-9]+: "#, options: .regularExpression) else { continue }
            line.removeSubrange(range)
            if !line.isEmpty && !out.contains(line) { out.append(line) }
        }
        if out.isEmpty, let last = stderr.split(whereSeparator: \.isNewline).last {
            // Not a script error (a crash, a message from a library): keep gnuplot's last word.
            let text = last.trimmingCharacters(in: .whitespaces)
            if !text.isEmpty && !text.allSatisfy({ $0 == "^" }) { out.append(text) }
        }
        return out
    }
}
