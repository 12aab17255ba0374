import ArgumentParser
import Foundation
import LinFlowNumerics
import LinFlowIO
import LinFlowPlot
import LinFlowRuns
import LinFlowSweep

@main
struct Linflow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "linflow",
        abstract: "Simulate the gradient-flow learning dynamics of deep linear networks.",
        discussion: """
            linflow forms Σ11 = E[x xᵀ] and Σ31 = E[y xᵀ] from a dataset, integrates \
            dW_l/dt = −∂L/∂W_l with GSL's Runge–Kutta–Fehlberg 4(5) stepper, and writes the \
            weight trajectory as CSV. Without --data it runs on Saxe et al.'s hierarchical \
            dataset. See docs/cli.md for every option and docs/theory.md for the conventions; \
            `man ./docs/man/linflow.1` has every command's help on one page.

            Example: linflow simulate -o run.csv --plot loss.png
            """,
        version: LinflowVersion.string,
        subcommands: [Simulate.self, Descend.self, Compare.self, Analytic.self, Theory.self, Rerun.self, Stats.self, Datasets.self, Plot.self, Sweep.self, Export.self],
        defaultSubcommand: nil
    )

    /// ArgumentParser prints usage errors over several lines; linflow promises one line per error
    /// (docs/cli.md), so parse errors are reported here and help and version go through as usual.
    static func main() {
        // Before anything can call BLAS (see BLASCore).
        BLASCore.selectForThisCPU()
        let arguments = Invocation.arguments
        do {
            var command = try parseAsRoot(arguments)
            try refuseRepeatedOptions(arguments)
            try command.run()
        } catch let code as ExitCode {
            // Already reported by runReportingErrors.
            Foundation.exit(code.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .success { exit(withError: error) }
            // The (sub)subcommand the arguments name, e.g. "sweep run".
            var path: [String] = []
            var current: ParsableCommand.Type = Linflow.self
            for name in arguments {
                guard let next = current.configuration.subcommands.first(where: { $0._commandName == name }) else { break }
                path.append(name)
                current = next
            }
            let first = oneLineMessage(for: error, command: path.first)
            let hint = "see '\((["linflow"] + path).joined(separator: " ")) --help'"
            printToStandardError("linflow: error: \(first) (\(hint))")
            Foundation.exit(code.rawValue)
        }
    }
}

/// The options a command line may give more than once; any other given twice is refused
/// (ArgumentParser would silently keep the last value).
let repeatableOptions: Set<String> = ["--grid", "--zip", "--sbatch-option", "--columns", "--label", "--vline"]

/// Refuses an option given twice, before parsing. Words after `--` belong to a sweep's command
/// and are checked when that command is (`sweep plan` validates each task).
func refuseRepeatedOptions(_ arguments: [String]) throws {
    var seen: [String: String] = [:]
    var skipValue = false
    for word in arguments.prefix(while: { $0 != "--" }) {
        if skipValue { skipValue = false; continue }
        guard word.hasPrefix("-"), word.count > 1, Double(word) == nil else { continue }  // -1 is a value
        var name = String(word.split(separator: "=", maxSplits: 1)[0])
        if name == "-o" || (name.hasPrefix("-o") && !name.hasPrefix("--")) { name = "--out" }
        if repeatableOptions.contains(name) {
            skipValue = !word.contains("=")  // its value may itself look like an option
            continue
        }
        guard name != "-h", name != "--help" else { continue }
        if let first = seen[name] {
            let forms = first == word || !word.contains("=") && first == name ? "" : " ('\(first)' and '\(word)')"
            throw ValidationError("\(name) is given twice\(forms); give it once")
        }
        seen[name] = word
    }
}

/// The command line this process runs, recorded with every run: the process's own, or for
/// `linflow rerun` the recorded one it repeats.
enum Invocation {
    nonisolated(unsafe) static var arguments = Array(CommandLine.arguments.dropFirst())
}

/// ArgumentParser's message for `error` folded into one line (e.g. a list of allowed values),
/// with an unknown option's suggestion taken from `command`'s own options.
func oneLineMessage(for error: Error, command: String?) -> String {
    var text = error is LinflowError ? rendered(error) : Linflow.message(for: error)
    // A value the library's parser refused (``parsed(_:)``): its own line names the option and
    // the value already, so ArgumentParser's "The value 'v' is invalid for '--name <v>': " goes.
    if text.hasPrefix("The value '"), let colon = text.range(of: ">': "),
       let name = text[..<colon.lowerBound].range(of: "for '")?.upperBound {
        let option = text[name...].prefix { $0 != " " }
        let reason = text[colon.upperBound...]
        if reason.hasPrefix(option) { text = String(reason) }
    }
    return OptionSuggestion.rewrite(text.split(separator: "\n")
        .map { $0.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "- ", with: "") }
        .joined(separator: " "), command: command)
}

/// Runs a library call and turns its errors into one line on stderr and a documented exit code.
func runReportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as LinflowError {
        FileHandle.standardError.write("linflow: error: \(rendered(error))\n".data(using: .utf8)!)
        throw ExitCode(error.exitCode)
    } catch let error as GSLError {
        FileHandle.standardError.write("linflow: error: \(error.description)\n".data(using: .utf8)!)
        throw ExitCode(3)
    }
}

/// Prints library text (summaries, notes, warnings) with its settings shown as options.
func printToStandardError(_ text: String) {
    FileHandle.standardError.write((rendered(text) + "\n").data(using: .utf8)!)
}
