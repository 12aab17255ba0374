import ArgumentParser
import LinFlowNumerics
import LinFlowIO
import LinFlowPlot
import LinFlowRuns
import LinFlowSweep

extension TrajectoryFormat: ExpressibleByArgument {}

/// `--format csv|hdf5` (every command that writes a trajectory; by default the extension of
/// --out decides: .h5 or .hdf5 is HDF5).
struct FormatOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "csv or hdf5 (default: hdf5 if --out ends in .h5 or .hdf5, else csv). HDF5 needs --out; see docs/output.md.",
        valueName: "csv|hdf5"))
    var format: TrajectoryFormat?
}

/// `--format` and `--weights all|none|W21,…` (simulate, descend, analytic: the commands whose
/// rows hold weights).
struct StorageOptions: ParsableArguments {
    @OptionGroup var formatOptions: FormatOptions

    @Option(name: .long, help: ArgumentHelp(
        "Weight blocks written: all, none, or a list such as W32 or W21,b21 (t, loss, diagnostics and modes are always written).",
        valueName: "all|none|blocks"))
    var weights: String = "all"

    func validate() throws {
        do { _ = try WeightSelection(argument: weights) } catch { throw ValidationError(rendered(error)) }
    }

    /// Valid after `validate()`.
    var choice: TrajectoryStorage {
        TrajectoryStorage(format: formatOptions.format, weights: (try? WeightSelection(argument: weights)) ?? .all)
    }
}
