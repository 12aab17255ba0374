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
            linflow forms Σ11 = E[x xᵀ] and Σ31 = E[y xᵀ] from a dataset, integrates
            dW_l/dt = −∂L/∂W_l with GSL's Runge–Kutta–Fehlberg 4(5) stepper, and writes the
            weight trajectory as CSV. Without --data it runs on Saxe et al.'s hierarchical
            dataset. See docs/cli.md for every option and docs/theory.md for the conventions.
            """,
        version: LinflowVersion.string,
        subcommands: [Simulate.self, Descend.self, Compare.self, Analytic.self, Rerun.self, Stats.self, Datasets.self, Plot.self, Sweep.self, Export.self],
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

/// The command line this process runs, recorded with every run: the process's own, or for
/// `linflow rerun` the recorded one it repeats.
enum Invocation {
    nonisolated(unsafe) static var arguments = Array(CommandLine.arguments.dropFirst())
}

/// ArgumentParser's message for `error` folded into one line (e.g. a list of allowed values),
/// with an unknown option's suggestion taken from `command`'s own options.
func oneLineMessage(for error: Error, command: String?) -> String {
    let text = error is LinflowError ? rendered(error) : Linflow.message(for: error)
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
