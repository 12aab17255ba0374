import ArgumentParser
import LinFlowNumerics
import LinFlowIO
import LinFlowPlot
import LinFlowRuns
import LinFlowSweep

extension Linflow.Sweep {
    struct Plan: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "plan",
            abstract: "Write DIR/plan.json: the tasks of a grid over a command's options.",
            discussion: """
                Values: V1,V2,… literally, START:END:N (N linear) or START:END:Nlog (N \
                log-spaced), mixed freely. --zip lr=0.1,0.2,seed=1,2 moves options together. \
                Every task's options are checked as the command would check them before anything \
                is written. The same plan again is a no-op; a different one is refused.

                Example: linflow sweep plan phase --grid lr=0.1:2.5:13 --grid init-scale=1e-3:1:7log \
                -- descend --steps 400
                """)

        @Argument(help: ArgumentHelp("The sweep's directory (created).", valueName: "dir"))
        var directory: String

        @Option(name: .long, help: ArgumentHelp("An axis: an option and its values, e.g. lr=0.05:0.5:10 or init-scale=1e-3:1:7log.", valueName: "name=values"))
        var grid: [String] = []

        @Option(name: .long, help: ArgumentHelp("Options that move together: NAME=V1,V2,…,NAME=V1,V2,… (lists of equal length).", valueName: "name=values,…"))
        var zip: [String] = []

        @Argument(parsing: .postTerminator, help: ArgumentHelp("After '--': the command (simulate, descend, compare, analytic) and the options all tasks share.", valueName: "command"))
        var command: [String] = []

        func run() throws {
            try runReportingErrors {
                guard let name = command.first else {
                    throw LinflowError.usage("give the command after '--', e.g. -- descend --steps 400")
                }
                let axes = try grid.map(GridValues.grid) + zip.map(GridValues.zip)
                let plan = try SweepPlan(command: name, baseArguments: Array(command.dropFirst()), axes: axes,
                                         options: .linflow, validate: validateTask)
                let wrote = try plan.write(to: directory)
                let shape = axes.map { "\($0.values.count)" }.joined(separator: " × ")
                printToStandardError(wrote
                    ? "linflow: \(plan.tasks.count) tasks (\(shape)) of \(name) → \(SweepDirectory(directory).planPath)"
                    : "linflow: \(SweepDirectory(directory).planPath) already holds this plan (\(plan.tasks.count) tasks); nothing to do")
            }
        }
    }
}

extension SweptOptions {
    /// linflow's own options: a name is a setting's option without its dashes (`out`), or a
    /// short name (`o`, `h`).
    static let linflow = SweptOptions(
        setting: { name in
            shortNames.first { $0.value == name }?.key ?? Setting.allCases.first { $0.option == "--" + name }
        },
        names: { setting in [String(setting.option.dropFirst(2))] + (shortNames[setting].map { [$0] } ?? []) },
        mentions: { arguments, name in
            // `--name`, `--name=…`, or for a one-letter name `-n`, `-nVALUE`.
            let flag = name.count == 1 ? "-" + name : "--" + name
            return arguments.contains { $0 == flag || $0.hasPrefix(flag + "=") || (name.count == 1 && $0.hasPrefix(flag) && !$0.hasPrefix("--")) }
        })

    /// The settings whose options also have a one-letter name.
    private static let shortNames: [Setting: String] = [.output: "o", .help: "h"]
}
