import ArgumentParser
import LinFlowNumerics
import LinFlowIO
import LinFlowPlot
import LinFlowRuns
import LinFlowSweep

extension PlotKind: ExpressibleByArgument {}
extension HeatmapZScale: ExpressibleByArgument {}
extension HeatmapReduction: ExpressibleByArgument {}

extension Linflow {
    struct Plot: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Draw trajectory CSVs with gnuplot into a PNG, SVG or PDF.",
            discussion: """
                Time is on x. Kinds: loss (log y), weights (the first --max-curves weight \
                columns), modes (mode_* if present, else sv_*), product (sv_*, the singular \
                values of W_L⋯W_1), compare (loss_* and gap_* on log axes, from linflow compare); \
                heatmap draws a table such as a sweep's summary, one cell per row at (--x, --y) \
                coloured by --z. Several files are drawn on the same axes. --script keeps the \
                gnuplot script, which runs on its own (gnuplot FILE.gp). See docs/plotting.md.

                Example: linflow plot run.csv --kind modes -o modes.png
                """)

        @Argument(help: ArgumentHelp("Trajectory CSVs with a header row (as linflow writes them).", valueName: "csv"))
        var inputs: [String] = []

        @Option(name: [.short, .long], help: ArgumentHelp("The picture: FILE.png, FILE.svg or FILE.pdf. Replaced only when gnuplot succeeds.", valueName: "file"))
        var out: String?

        @Option(name: .long, help: "What to draw (default: loss; with --columns, just those columns).")
        var kind: PlotKind?

        @Option(name: .long, help: ArgumentHelp("Columns to draw instead of the kind's: names or glob patterns, comma-separated (e.g. 'sv_1,sv_2' or 'W21_*').", valueName: "list"))
        var columns: [String] = []

        @Option(name: .long, help: ArgumentHelp("Legend label of each input, in order (default: file names).", valueName: "text"))
        var label: [String] = []

        @Option(name: .long, help: ArgumentHelp("Also write the gnuplot script to this file (works without gnuplot).", valueName: "file"))
        var script: String?

        @Option(name: .long, help: "A title above the picture.")
        var title: String?

        @Option(name: .customLong("x-label"), help: ArgumentHelp("Label of the x axis instead of 'time t'.", valueName: "text"))
        var xLabel: String?

        @Option(name: .customLong("y-label"), help: ArgumentHelp("Label of the y axis instead of the kind's (enhanced text: W_{L} is a subscript).", valueName: "text"))
        var yLabel: String?

        @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Picture size in pixels (PDF: hundredths of an inch); default 960,600, or 960,800 for compare.", valueName: "W,H"))
        var size: String?

        @Flag(name: .customLong("log-y"), inversion: .prefixedNo, help: "Logarithmic y axis (default: on for loss and compare, off otherwise).")
        var logY: Bool?

        @Option(name: .customLong("x"), help: ArgumentHelp("--kind heatmap: the column on the x axis (log when its values are log-spaced).", valueName: "column"))
        var xColumn: String?

        @Option(name: .customLong("y"), help: ArgumentHelp("--kind heatmap: the column on the y axis (log when log-spaced; --log-y/--no-log-y decide otherwise).", valueName: "column"))
        var yColumn: String?

        @Option(name: .customLong("z"), help: ArgumentHelp("--kind heatmap: the column that colours the cells (see --z-scale); empty cells are grey.", valueName: "column"))
        var zColumn: String?

        @Option(name: .long, help: ArgumentHelp("--kind heatmap: cross the cells where this column is true or nonzero (e.g. diverged).", valueName: "column"))
        var mark: String?

        @Option(name: .long, help: ArgumentHelp("--kind heatmap: a dashed vertical line at x = X, with an optional label (repeatable), e.g. '2.07:η = 2/λ_max'.", valueName: "X[:label]"))
        var vline: [String] = []

        @Option(name: .customLong("z-scale"), help: ArgumentHelp("--kind heatmap: the colour scale. auto (the default): log when no z is negative and some is positive, and either some z is 0 (drawn at the floor colour) or the positive ones span ≥ 3 decades; else linear.", valueName: "scale"))
        var zScale: HeatmapZScale?

        @Option(name: .long, help: ArgumentHelp("--kind heatmap: colour a cell that several rows share (e.g. seeds) by their mean, median, min or max; a cell is marked if any of its rows is. Without it such rows are refused.", valueName: "how"))
        var reduce: HeatmapReduction?

        @Option(name: .customLong("max-curves"), help: ArgumentHelp("Draw at most this many columns of each input.", valueName: "N"))
        var maxCurves: Int = PlotRequest.defaultMaxCurves

        func validate() throws {
            do {
                try request().validate()
            } catch let error as LinflowError {
                throw ValidationError(rendered(error))
            }
        }

        func request() throws -> PlotRequest {
            var r = PlotRequest(inputs: inputs, output: out, script: script, kind: kind, columns: columns, labels: label,
                                title: title, xLabel: xLabel, yLabel: yLabel, size: try size.map(PlotSize.init(parsing:)), logY: logY,
                                maxCurves: maxCurves, commandLine: shellCommandLine())
            if xColumn != nil || yColumn != nil || zColumn != nil || mark != nil || !vline.isEmpty || zScale != nil || reduce != nil {
                guard kind == .heatmap else { throw LinflowError.usage("--x, --y, --z, --mark, --vline, --z-scale and --reduce go with --kind heatmap") }
                guard let xColumn, let yColumn, let zColumn else {
                    throw LinflowError.usage("--kind heatmap needs all of --x, --y and --z")
                }
                r.heatmap = HeatmapColumns(x: xColumn, y: yColumn, z: zColumn, mark: mark,
                                           lines: try vline.map(HeatmapLine.init(parsing:)), zScale: zScale ?? .auto, reduce: reduce)
            }
            return r
        }

        func run() throws {
            try runReportingErrors {
                let summary = try LinFlowPlot.Plot(try request()).run()
                printToStandardError(summary.text)
            }
        }
    }
}
