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
        "Output format (default: hdf5 if --out ends in .h5 or .hdf5, else csv); hdf5 needs --out.",
        valueName: "format"))
    var format: TrajectoryFormat?
}

/// `--format` and `--weights all|none|W21,…` (simulate, descend, analytic: the commands whose
/// rows hold weights).
struct StorageOptions: ParsableArguments {
    @OptionGroup var formatOptions: FormatOptions

    @Option(name: .long, help: ArgumentHelp(
        "Weight blocks written: all (the default), none, or a list such as W21,b21.",
        valueName: "all|none|blocks"), transform: parsed(WeightSelection.init(argument:)))
    var weights: WeightSelection?

    var choice: TrajectoryStorage {
        var c = TrajectoryStorage(format: formatOptions.format)
        if let weights { c.weights = weights }  // else the library's default, all blocks
        return c
    }
}
