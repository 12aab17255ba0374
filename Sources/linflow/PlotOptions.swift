import ArgumentParser
import Foundation
import LinFlowNumerics
import LinFlowIO
import LinFlowPlot
import LinFlowRuns
import LinFlowSweep

/// `--plot`, `--plot-kind` and `--plot-script`: draw a command's CSV as soon as it is written.
/// A command adopts them with `@OptionGroup var plotting: PlotOptions` and by running its work
/// inside `try plotting.drawing(out) { … }`.
struct PlotOptions: ParsableArguments {
    @Option(name: .customLong("plot"), help: ArgumentHelp("After the run, draw the CSV with gnuplot into this .png, .svg or .pdf (needs --out).", valueName: "picture"))
    var picture: String?

    @Option(name: .customLong("plot-kind"), help: "What --plot draws: loss, weights, modes, product or compare.")
    var kind: PlotKind?

    @Option(name: .customLong("plot-script"), help: ArgumentHelp("Also keep --plot's gnuplot script in this file.", valueName: "file"))
    var script: String?

    func validate() throws {
        if script != nil && picture == nil { throw ValidationError("--plot-script goes with --plot") }
        if kind != nil && picture == nil { throw ValidationError("--plot-kind goes with --plot") }
        if kind == .heatmap { throw ValidationError("--plot-kind heatmap draws a table of many runs: use linflow plot SUMMARY.csv --kind heatmap") }
        guard let picture else { return }
        do {
            _ = try PlotFormat(path: picture)
        } catch let error as LinflowError {
            throw ValidationError("--plot: \(rendered(error))")
        }
    }

    /// Refuses, before the run, a picture that the command's output cannot give: no file to
    /// draw from, or a kind whose columns the command does not write.
    func validate(for request: RunRequest, defaultKind: PlotKind) throws {
        guard picture != nil else { return }
        guard let out = request.output, out != "-" else {
            throw ValidationError("--plot needs --out FILE.csv: gnuplot draws from that file")
        }
        if script != nil, TrajectoryFormat.resolve(request.storage.format, path: out) == .hdf5 {
            throw ValidationError("--plot-script: the script would read \(out), but gnuplot reads CSV only (the picture itself is drawn from HDF5 through a temporary CSV)")
        }
        let kind = self.kind ?? defaultKind
        let command = request.command.rawValue
        let writes: [PlotKind: Bool]
        if request.command == .compare {
            writes = [.loss: true, .compare: true, .weights: false, .modes: false, .product: false]
        } else {
            let columns = request.columns ?? ColumnChoice()
            let sv = columns.diagnostics.contains(.singularValues)
            writes = [.loss: true, .weights: request.storage.weights != .none, .modes: columns.modes || sv, .product: sv, .compare: false]
        }
        guard writes[kind] == true else {
            let why: String
            switch kind {
            case .compare: why = "it draws the output of linflow compare"
            case .modes: why = "\(command) writes no mode_* or sv_* columns here (add --modes, or --diagnostics all or sv)"
            case .product: why = "\(command) writes no sv_* columns here (--diagnostics all or sv writes them)"
            case .weights where request.command != .compare: why = "--weights none leaves the weight columns out"
            default: why = "\(command) writes no such columns"
            }
            throw ValidationError("--plot-kind \(kind.rawValue) does not apply to \(command): \(why)")
        }
    }

    /// Runs `body`, which writes its CSV to `csv`, then draws that file if `--plot` was given.
    /// With `--plot`, a CSV on standard output is refused before `body` runs: gnuplot reads a
    /// file, and the kept script must name one.
    func drawing(_ csv: String?, kind defaultKind: PlotKind = .loss, _ body: () throws -> Void) throws {
        guard let picture else { return try body() }
        guard let csv, csv != "-" else {
            throw LinflowError.usage("--plot needs --out FILE.csv: gnuplot draws from that file")
        }
        try body()
        let request = PlotRequest(inputs: [csv], output: picture, script: script, kind: kind ?? defaultKind,
                                  commandLine: shellCommandLine())
        printToStandardError(try LinFlowPlot.Plot(request).run().text)
    }
}

/// The command line as a shell would take it back, for the comment at the top of a script.
func shellCommandLine() -> String {
    (["linflow"] + Invocation.arguments).map(shellQuote).joined(separator: " ")
}
