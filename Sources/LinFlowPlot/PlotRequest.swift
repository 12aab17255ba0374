import LinFlowNumerics
import LinFlowIO
/// What a plot shows, chosen by `--kind`.
public enum PlotKind: String, CaseIterable, Sendable {
    /// The `loss` column (or `loss_*` columns) on a log axis.
    case loss
    /// Weight columns `W21_r_c`, … (the first `maxCurves` of them).
    case weights
    /// Mode strengths `mode_*` if the file has them, else the singular values `sv_*`.
    case modes
    /// The singular values `sv_*` of the end-to-end map W_L⋯W_1.
    case product
    /// `loss_*` and `gap_*` columns (from `linflow compare`), each group on its own log axis.
    case compare
    /// One cell per row at (x, y) coloured by z, e.g. a sweep's summary.csv (``HeatmapColumns``).
    case heatmap
}

/// The picture format, from the output file's extension.
public enum PlotFormat: String, CaseIterable, Sendable {
    case png, svg, pdf

    /// The format named by `path`'s extension (case-insensitive).
    public init(path: String) throws {
        let base = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = base.lastIndex(of: "."),
              let format = PlotFormat(rawValue: base[base.index(after: dot)...].lowercased()) else {
            throw LinflowError.usage("\(path): the picture's name must end in .png, .svg or .pdf")
        }
        self = format
    }
}

/// Width and height of the picture in pixels (PDF: in hundredths of an inch).
public struct PlotSize: Equatable, Sendable {
    public var width: Int
    public var height: Int
    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    /// "W,H" or "WxH".
    public init(parsing text: String) throws {
        let parts = text.split(whereSeparator: { $0 == "," || $0 == "x" || $0 == "X" })
        guard parts.count == 2, let w = Int(parts[0]), let h = Int(parts[1]),
              (100...10000).contains(w), (100...10000).contains(h) else {
            throw LinflowError.usage("\(Setting.size) takes WIDTH,HEIGHT in pixels between 100 and 10000, got '\(text)'")
        }
        self.init(width: w, height: h)
    }
}

/// Everything `linflow plot` needs to know.
public struct PlotRequest: Sendable {
    /// Trajectory CSVs with a header row, drawn on the same axes.
    public var inputs: [String]
    /// One legend label per input; empty: each file's name without its extension.
    public var labels: [String] = []
    /// nil: `loss`, or, with `columns`, just those columns.
    public var kind: PlotKind?
    /// Column names or glob patterns (`sv_*`, `W21_?_1`) that replace the kind's choice.
    public var columns: [String] = []
    /// nil: the kind's default (log for loss and compare, linear otherwise).
    public var logY: Bool?
    public var title: String?
    /// Axis labels instead of the kind's (gnuplot enhanced text: `W_{L}` is a subscript).
    public var xLabel: String?
    public var yLabel: String?
    public var size: PlotSize?
    /// At most this many curves from each input.
    public var maxCurves = 40
    /// The picture (.png, .svg or .pdf); nil when only the script is wanted.
    public var output: String?
    /// Where to keep the gnuplot script.
    public var script: String?
    /// The command that asked for the plot, quoted in the script's first line.
    public var commandLine: String?
    /// The columns of `--kind heatmap` (`--x`, `--y`, `--z`, `--mark`, `--vline`); nil otherwise.
    public var heatmap: HeatmapColumns?

    public init(inputs: [String], output: String? = nil, script: String? = nil, kind: PlotKind? = nil,
                columns: [String] = [], labels: [String] = [], title: String? = nil, xLabel: String? = nil,
                yLabel: String? = nil, size: PlotSize? = nil, logY: Bool? = nil,
                maxCurves: Int = defaultMaxCurves, commandLine: String? = nil) {
        (self.inputs, self.output, self.script, self.kind) = (inputs, output, script, kind)
        (self.columns, self.labels, self.title, self.size) = (columns, labels, title, size)
        (self.xLabel, self.yLabel, self.logY, self.maxCurves) = (xLabel, yLabel, logY, maxCurves)
        self.commandLine = commandLine
    }

    public static let defaultMaxCurves = 40

    /// The picture the script draws: `output`, or, when only the script is wanted, the script's
    /// name with its extension replaced by `.png`.
    public var scriptOutput: String? {
        if let output { return output }
        guard let script else { return nil }
        let base = script.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? script
        if let dot = base.lastIndex(of: "."), dot != base.startIndex {
            return String(script.dropLast(base.distance(from: dot, to: base.endIndex))) + ".png"
        }
        return script + ".png"
    }

    public func validate() throws {
        if inputs.isEmpty { throw LinflowError.usage("give at least one trajectory CSV to plot") }
        if output == nil && script == nil { throw LinflowError.usage("give \(Setting.output) FILE.png|.svg|.pdf, \(Setting.script) FILE.gp, or both") }
        if let output {
            if output == "-" { throw LinflowError.usage("\(Setting.output) must name a file: gnuplot cannot draw to standard output here") }
            _ = try PlotFormat(path: output)
            if output == script { throw LinflowError.usage("\(Setting.output) and \(Setting.script) must be different files") }
        }
        if !labels.isEmpty && labels.count != inputs.count {
            throw LinflowError.usage("give one \(Setting.label) per input file (\(inputs.count)), or none; got \(labels.count)")
        }
        if maxCurves < 1 { throw LinflowError.usage("\(Setting.maxCurves) must be at least 1, got \(maxCurves)") }
        if kind == .heatmap {
            guard heatmap != nil else { throw LinflowError.usage("\(Setting.kind) heatmap needs \(Setting.heatmapX), \(Setting.heatmapY) and \(Setting.heatmapZ) (columns of the table)") }
            if inputs.count != 1 { throw LinflowError.usage("\(Setting.kind) heatmap draws one table, got \(inputs.count) files") }
            if !columns.isEmpty { throw LinflowError.usage("\(Setting.columns) does not go with \(Setting.kind) heatmap (it takes \(Setting.heatmapX), \(Setting.heatmapY), \(Setting.heatmapZ))") }
            if !labels.isEmpty { throw LinflowError.usage("\(Setting.label) does not go with \(Setting.kind) heatmap (one table, no legend of files)") }
        } else if heatmap != nil {
            throw LinflowError.usage("\(Setting.heatmapX), \(Setting.heatmapY), \(Setting.heatmapZ), \(Setting.mark) and \(Setting.verticalLine) go with \(Setting.kind) heatmap")
        }
        for name in inputs + [output, script].compactMap({ $0 }) where name.contains("\n") || name.contains("\r") {
            throw LinflowError.usage("file names with line breaks cannot be handed to gnuplot: \(name.debugDescription)")
        }
    }
}
