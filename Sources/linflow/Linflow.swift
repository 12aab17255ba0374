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
        Foundation.exit(execute(Invocation.arguments, helpOrVersion: { exit(withError: $0) }))
    }

    /// Parses and runs `arguments` as `linflow ARGUMENTS…` and returns the exit status: what a
    /// process does, and what a sweep's task run in-process does on its thread (with
    /// ``Invocation/arguments`` and ``StandardError/log`` bound to the task's). Every error is
    /// one line on ``StandardError``; `helpOrVersion` shows what `--help` or `--version` asked for.
    static func execute(_ arguments: [String], helpOrVersion: (Error) -> Int32) -> Int32 {
        do {
            var command = try parsing { try parseCommand(arguments) }
            try refuseRepeatedOptions(arguments)
            try command.run()
            return 0
        } catch let code as ExitCode {
            // Already reported by runReportingErrors.
            return code.rawValue
        } catch {
            let code = exitCode(for: error)
            if code == .success { return helpOrVersion(error) }
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
            return code.rawValue
        }
    }
}

extension Linflow {
    /// `parseAsRoot(arguments)`, with a shortcut for a leaf command's own words (`descend …`,
    /// every task of a sweep): that command parsed as the root of its words gives the same
    /// command, and skips what the whole tree costs ArgumentParser on top of it (it reflects a
    /// subcommand's every option group once more to see whether the subcommand takes the rest
    /// of the line, a quarter of the parse). Anything that could mean something to the root
    /// (help, version, ArgumentParser's own flags) and every failure go through the whole tree,
    /// so messages and help are those of `linflow COMMAND`.
    static func parseCommand(_ arguments: [String]) throws -> ParsableCommand {
        if let name = arguments.first, let leaf = leafCommands[name],
           !arguments.contains(where: { word in
               rootWords.contains(word) || word.hasPrefix("--experimental") || word.hasPrefix("--generate-completion")
           }),
           let command = try? leaf.parseAsRoot(Array(arguments.dropFirst())) {
            return command
        }
        return try parseAsRoot(arguments)
    }

    /// The subcommands without subcommands of their own, by name.
    private static let leafCommands: [String: ParsableCommand.Type] = Dictionary(uniqueKeysWithValues:
        configuration.subcommands.filter { $0.configuration.subcommands.isEmpty }.map { ($0._commandName, $0) })
    private static let rootWords: Set<String> = ["-h", "-help", "--help", "help", "--version"]
}

/// ArgumentParser's parse, one at a time: tasks run in-process parse on several threads, and the
/// parser's thread safety is not documented (parsing is a negligible part of a task).
func parsing<T>(_ body: () throws -> T) rethrows -> T {
    parseLock.lock()
    defer { parseLock.unlock() }
    return try body()
}
private let parseLock = NSLock()

/// The options a command line may give more than once; any other given twice is refused
/// (ArgumentParser would silently keep the last value).
let repeatableOptions: Set<String> = ["--grid", "--zip", "--sbatch-option", "--columns", "--label", "--vline", "--then"]

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

/// The command line a run records: the process's own, for `linflow rerun` the recorded one it
/// repeats, and for a sweep's task run in-process the words its own process would have been
/// given. Task-local, so that tasks on several threads each record their own.
enum Invocation {
    @TaskLocal static var arguments = Array(CommandLine.arguments.dropFirst())
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
        StandardError.write("linflow: error: \(rendered(error))\n")
        throw ExitCode(error.exitCode)
    } catch let error as GSLError {
        StandardError.write("linflow: error: \(error.description)\n")
        throw ExitCode(3)
    }
}

/// Prints library text (summaries, notes, warnings) with its settings shown as options, on
/// stderr or, in a sweep's task run in-process, into the task's log.
func printToStandardError(_ text: String) {
    StandardError.write(rendered(text) + "\n")
}
