import ArgumentParser
import Foundation
import LinFlowKit

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
        subcommands: [Simulate.self, Stats.self, Datasets.self],
        defaultSubcommand: nil
    )
}

/// Runs a library call and turns its errors into one line on stderr and a documented exit code.
func runReportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as LinflowError {
        FileHandle.standardError.write("linflow: error: \(error.description)\n".data(using: .utf8)!)
        throw ExitCode(error.exitCode)
    } catch let error as GSLError {
        FileHandle.standardError.write("linflow: error: \(error.description)\n".data(using: .utf8)!)
        throw ExitCode(3)
    }
}

func printToStandardError(_ text: String) {
    FileHandle.standardError.write((text + "\n").data(using: .utf8)!)
}
