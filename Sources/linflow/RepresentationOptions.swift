import ArgumentParser
import LinFlowNumerics
import LinFlowIO
import LinFlowPlot
import LinFlowRuns
import LinFlowSweep

/// `--representations FILE` (simulate, descend, analytic): after the run, the hidden
/// representations of the one-hot items and their RSM at every row of the CSV
/// (``Representations``). A command adopts it by running its work inside
/// `try representations.writing(out, data: …) { … }`.
struct RepresentationOptions: ParsableArguments {
    @Option(name: .customLong("representations"), help: ArgumentHelp(
        "After the run, write each one-hot item's hidden representation (every hidden layer) and their RSM (Pearson correlations) at every row to this CSV (needs --out and one-hot inputs).",
        valueName: "file"))
    var file: String?

    /// Runs `body`, which writes its trajectory CSV to `csv`, then derives the representations
    /// from it. Every refusal (no --out, inputs that are not one-hot) comes before `body` runs.
    func writing(_ csv: String?, data: DataSource, _ body: () throws -> Void) throws {
        guard let file else { return try body() }
        guard let csv, csv != "-" else {
            throw LinflowError.usage("--representations needs --out FILE.csv: they are read back from its rows")
        }
        _ = try Representations.items(of: data)
        try body()
        try Representations.write(trajectory: csv, to: file)
    }
}
