import Foundation
import LinFlowNumerics
import LinFlowIO

/// What `linflow plot --kind heatmap` draws: one cell per row of a table such as a sweep's
/// summary.csv, at (x, y), coloured by z.
public struct HeatmapColumns: Equatable, Sendable {
    public var x: String
    public var y: String
    public var z: String
    /// Rows where this column is true (nonzero, or `true`) get a cross, e.g. `diverged`.
    public var mark: String?
    /// Vertical lines at these x, each with an optional label (e.g. η = 2/λ_max).
    public var lines: [HeatmapLine] = []
    /// How z becomes a colour (`--z-scale`).
    public var zScale: HeatmapZScale = .auto
    /// How the rows that share a cell are combined (`--reduce`); nil: such rows are refused.
    public var reduce: HeatmapReduction?

    public init(x: String, y: String, z: String, mark: String? = nil, lines: [HeatmapLine] = [],
                zScale: HeatmapZScale = .auto, reduce: HeatmapReduction? = nil) {
        (self.x, self.y, self.z, self.mark, self.lines) = (x, y, z, mark, lines)
        (self.zScale, self.reduce) = (zScale, reduce)
    }
}

/// `--z-scale`: the colour scale of a heatmap.
public enum HeatmapZScale: String, CaseIterable, Sendable {
    /// Log when no z is negative, some is positive, and either some z is 0 or the positive ones
    /// span at least three decades; linear otherwise.
    case auto
    /// Log; zeros are drawn at the floor colour, negative values are refused.
    case log
    case linear
}

/// `--reduce`: one colour for the rows that share a cell (x, y), e.g. the seeds of a sweep over
/// lr × σ × seed drawn over lr × σ. Rows whose z is empty or not finite are left out; a cell is
/// marked if any of its rows is.
public enum HeatmapReduction: String, CaseIterable, Sendable {
    /// The arithmetic mean.
    case mean
    /// The middle value; of an even number of values, the mean of the middle two.
    case median
    case min
    case max

    /// nil for no values.
    public func apply(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        switch self {
        case .mean:
            let n = Double(values.count)
            return values.reduce(0) { $0 + $1 / n }
        case .median:
            let s = values.sorted(), m = s.count / 2
            return s.count % 2 == 1 ? s[m] : s[m - 1] / 2 + s[m] / 2
        case .min: return values.min()
        case .max: return values.max()
        }
    }
}

/// `--vline X[:LABEL]`.
public struct HeatmapLine: Equatable, Sendable {
    public var x: Double
    public var label: String?

    public init(parsing text: String) throws {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        guard let first = parts.first, let x = Double(first.trimmingCharacters(in: .whitespaces)), x.isFinite else {
            throw LinflowError.usage("\(Setting.verticalLine) takes X or X:LABEL with X a number, got '\(text)'")
        }
        self.x = x
        label = parts.count > 1 ? parts[1] : nil
    }
}

/// The cells of a heatmap: each distinct x and y value is the centre of a cell whose edges lie
/// halfway to its neighbours — arithmetically on a linear axis, geometrically (√(x_i·x_{i+1})) on
/// a log axis — so any grid, regular or not, tiles the plane without gaps.
///
/// An axis is logarithmic when its distinct values are positive, at least three, and in
/// geometric progression (ratios equal to 1e-6) but not arithmetic: what `START:END:Nlog` of
/// `linflow sweep plan` gives. The colour scale follows ``HeatmapZScale``: on a log scale, a z
/// of exactly 0 (a loss that reached zero) is drawn at ``zeroFloor``, the bottom of the colours.
public struct HeatmapGrid: Sendable {
    public struct Cell: Sendable {
        public var x: Double, y: Double
        public var z: Double?
        public var marked: Bool
        /// How many values of z the cell's colour combines (more than one only with a reduction).
        public var rows = 1
    }

    public var cells: [Cell]
    public var xs: [Double]
    public var ys: [Double]
    public var logX: Bool
    public var logY: Bool
    /// Log colours.
    public private(set) var logZ = false
    /// With log colours and some z = 0: the value those cells are drawn at, the largest power of
    /// ten below the smallest positive z; nil otherwise.
    public private(set) var zeroFloor: Double?

    /// Throws for `--z-scale log` when some z is negative or none is positive.
    public init(cells: [Cell], logY: Bool? = nil, zScale: HeatmapZScale = .auto, zName: String = "z") throws {
        self.cells = cells
        xs = Array(Set(cells.map(\.x))).sorted()
        ys = Array(Set(cells.map(\.y))).sorted()
        logX = Self.isGeometric(xs)
        self.logY = logY ?? Self.isGeometric(ys)
        let z = cells.compactMap(\.z)
        let positive = z.filter { $0 > 0 }
        let negative = z.filter { $0 < 0 }
        switch zScale {
        case .linear:
            return
        case .log:
            if let lowest = negative.min() {
                throw LinflowError.usage("\(Setting.zScale) log: \(zName) has negative values (down to \(lowest)), which log colours cannot show; use \(Setting.zScale) linear")
            }
            if positive.isEmpty {
                throw LinflowError.usage("\(Setting.zScale) log: \(zName) has no positive value to show on log colours; use \(Setting.zScale) linear")
            }
        case .auto:
            guard negative.isEmpty, let lo = positive.min(), let hi = positive.max(),
                  z.contains(0) || hi / lo >= 1e3 else { return }
        }
        logZ = true
        if z.contains(0), let lo = positive.min() {
            let floor = pow(10, (log10(lo)).rounded(.up) - 1)
            zeroFloor = floor > 0 && floor < lo ? floor : lo
        }
    }

    /// Reads `columns` from a CSV with a header (rows whose x or y is not a number are an error).
    /// Rows that share an (x, y) are refused unless `columns.reduce` combines them.
    public static func read(path: String, columns: HeatmapColumns, logY: Bool? = nil) throws -> HeatmapGrid {
        var names: [String] = []
        var rows: [(cell: Cell, line: Int, x: String, y: String)] = []
        var index: (x: Int, y: Int, z: Int, mark: Int?) = (0, 0, 0, nil)
        try CSVColumns.forEachRow(path: path, header: { fields in
            names = fields
            func find(_ name: String) throws -> Int {
                guard let i = fields.firstIndex(of: name) else {
                    throw LinflowError.usage("\(path) has no column '\(name)' (it has \(fields.joined(separator: ", ")))")
                }
                return i
            }
            index = (try find(columns.x), try find(columns.y), try find(columns.z), try columns.mark.map(find))
        }) { fields, lineNumber in
            if fields.allSatisfy(\.isEmpty) { return true }
            func cell(_ i: Int) -> String { fields[i] }
            guard let x = Double(cell(index.x)), x.isFinite, let y = Double(cell(index.y)), y.isFinite else {
                throw LinflowError.data("\(path):\(lineNumber): \(names[index.x]) and \(names[index.y]) must be numbers, got '\(cell(index.x))' and '\(cell(index.y))'")
            }
            let z = Double(cell(index.z)).flatMap { $0.isFinite ? $0 : nil }
            let marked = index.mark.map { m in
                let v = cell(m).lowercased()
                return v == "true" || (Double(v).map { $0 != 0 } ?? false)
            } ?? false
            rows.append((Cell(x: x, y: y, z: z, marked: marked), lineNumber, cell(index.x), cell(index.y)))
            return true
        }
        guard !rows.isEmpty else { throw LinflowError.data("\(path): no data rows below the header") }
        guard rows.contains(where: { $0.cell.z != nil }) else {
            throw LinflowError.data("\(path): the column '\(columns.z)' has no finite numbers to colour the cells by")
        }

        // The rows of each cell, in the order the cells first appear.
        struct Key: Hashable { let x: Double, y: Double }
        var order: [Key] = []
        var members: [Key: [Int]] = [:]
        for (i, row) in rows.enumerated() {
            let key = Key(x: row.cell.x, y: row.cell.y)
            if members[key] == nil { order.append(key) }
            members[key, default: []].append(i)
        }
        let shared = order.filter { members[$0]!.count > 1 }
        guard let reduction = columns.reduce else {
            if let first = shared.first {
                let group = members[first]!.map { rows[$0] }
                let others = shared.count > 1 ? "; \(shared.count) cells have several rows" : ""
                throw LinflowError.usage("\(path): \(group.count) rows share the cell \(columns.x) = \(group[0].x), \(columns.y) = \(group[0].y) (lines \(group.map { String($0.line) }.joined(separator: ", "))\(others)); combine them with \(Setting.reduce) mean|median|min|max, or plot a table with one row per cell")
            }
            return try HeatmapGrid(cells: rows.map(\.cell), logY: logY, zScale: columns.zScale, zName: columns.z)
        }
        let cells = order.map { key -> Cell in
            let group = members[key]!.map { rows[$0].cell }
            let values = group.compactMap(\.z)
            return Cell(x: key.x, y: key.y, z: reduction.apply(values).flatMap { $0.isFinite ? $0 : nil },
                        marked: group.contains(where: \.marked), rows: values.count)
        }
        return try HeatmapGrid(cells: cells, logY: logY, zScale: columns.zScale, zName: columns.z)
    }

    /// With a reduction: the fewest and the most values a coloured cell combines (1, 1 without one).
    public var rowsPerCell: ClosedRange<Int> {
        let counts = cells.filter { $0.z != nil }.map(\.rows)
        return (counts.min() ?? 1)...(counts.max() ?? 1)
    }

    public static func isGeometric(_ v: [Double]) -> Bool {
        guard v.count >= 3, v.allSatisfy({ $0 > 0 }) else { return false }
        let ratios = zip(v.dropFirst(), v).map { $0 / $1 }
        let steps = zip(v.dropFirst(), v).map { $0 - $1 }
        let geometric = ratios.allSatisfy { abs($0 / ratios[0] - 1) < 1e-6 }
        let arithmetic = steps.allSatisfy { abs($0 / steps[0] - 1) < 1e-6 }
        return geometric && !arithmetic
    }

    /// The cell edges around sorted distinct centres: n + 1 values.
    public static func edges(_ v: [Double], log: Bool) -> [Double] {
        guard v.count >= 2 else {
            let c = v[0]
            if log { return [c / 2, c * 2] }
            let h = c == 0 ? 0.5 : abs(c) * 0.1
            return [c - h, c + h]
        }
        let mids = zip(v, v.dropFirst()).map { log ? ($0 * $1).squareRoot() : ($0 + $1) / 2 }
        let first = log ? v[0] * v[0] / mids[0] : 2 * v[0] - mids[0]
        let last = log ? v[v.count - 1] * v[v.count - 1] / mids[mids.count - 1] : 2 * v[v.count - 1] - mids[mids.count - 1]
        return [first] + mids + [last]
    }

}

/// The gnuplot script of a heatmap; the cells are inline data blocks, so it runs on its own.
public enum HeatmapScript {
    public static func render(_ grid: HeatmapGrid, columns: HeatmapColumns, output: String, format: PlotFormat,
                              size: PlotSize?, title: String?, xLabel: String?, yLabel: String?,
                              commandLine: String?) -> String {
        let size = size ?? PlotSize(width: 900, height: 700)
        let xe = HeatmapGrid.edges(grid.xs, log: grid.logX), ye = HeatmapGrid.edges(grid.ys, log: grid.logY)
        func bounds(_ v: Double, _ centres: [Double], _ e: [Double]) -> (Double, Double) {
            let i = centres.firstIndex(of: v)!
            return (e[i], e[i + 1])
        }
        func n(_ x: Double) -> String { "\(x)" }
        var s = ""
        func line(_ text: String = "") { s += text + "\n" }
        line("# Drawn by linflow \(LinflowVersion.string)\(commandLine.map { ": " + GnuplotScript.oneLine($0) } ?? "")")
        line("# Edit freely and redraw with:  gnuplot THIS_FILE  (the cells are in the data blocks below)")
        line()
        line("set terminal \(GnuplotScript.terminal(format, size))")
        line("set output \(GnuplotScript.quote(GnuplotScript.safePath(output)))")
        if let title { line("set title \(GnuplotScript.quote(GnuplotScript.oneLine(title))) noenhanced") }
        line("set xlabel \(GnuplotScript.quote(xLabel ?? columns.x))\(xLabel == nil ? " noenhanced" : "")")
        line("set ylabel \(GnuplotScript.quote(yLabel ?? columns.y))\(yLabel == nil ? " noenhanced" : "")")
        let rows = grid.rowsPerCell
        let reduced = columns.reduce.map { r in rows.upperBound > 1 ? r : nil } ?? nil
        if let reduced {
            let count = rows.lowerBound == rows.upperBound ? "\(rows.upperBound)" : "\(rows.lowerBound)–\(rows.upperBound)"
            line("set cblabel \(GnuplotScript.quote("\(reduced.rawValue) of \(columns.z) over \(count) rows per cell")) noenhanced")
        } else {
            line("set cblabel \(GnuplotScript.quote(columns.z)) noenhanced")
        }
        line(grid.logX ? "set logscale x" : "unset logscale x")
        line(grid.logY ? "set logscale y" : "unset logscale y")
        if grid.logZ {
            line("set logscale cb")
            line("set format cb '10^{%L}'")
            if let floor = grid.zeroFloor { line("set cbrange [\(n(floor)):*]") }
        }
        line("set xrange [\(n(xe.first!)):\(n(xe.last!))]")
        line("set yrange [\(n(ye.first!)):\(n(ye.last!))]")
        line("set xtics (\(grid.xs.map { "'\(tick($0))' \(n($0))" }.joined(separator: ", ")))\(grid.xs.count > 8 ? " rotate by -45" : "")")
        line("set ytics (\(grid.ys.map { "'\(tick($0))' \(n($0))" }.joined(separator: ", ")))")
        // Perceptually uniform (viridis).
        line("set palette defined (0 '#440154', 1 '#3b528b', 2 '#21918c', 3 '#5ec962', 4 '#fde725')")
        line("set style fill solid 1.0 noborder")
        // Above the plot, where gnuplot makes room for it: the bottom margin's rotated x tics and
        // label left no room for more than one entry (zeros, no z, marks).
        line("set key above center horizontal noenhanced")
        line("set tics front")
        line("set style textbox opaque fc rgb '#ffffff' noborder")
        for l in columns.lines {
            line("set arrow from \(n(l.x)), graph 0 to \(n(l.x)), graph 1 nohead front lw 2.5 dt 2 lc rgb '#d62728'")
            if let label = l.label {
                line("set label \(GnuplotScript.quote(label)) at \(n(l.x)), graph 0.96 left offset 0.6,0 front tc rgb '#d62728' boxed")
            }
        }
        line()
        // On log colours a z of 0 has no place: those cells are drawn at the floor colour, in a
        // block of their own with its key entry.
        var blocks: [(name: String, rows: [String])] = [("$cells", []), ("$missing", []), ("$marks", []), ("$zeros", [])]
        for c in grid.cells {
            let (x0, x1) = bounds(c.x, grid.xs, xe), (y0, y1) = bounds(c.y, grid.ys, ye)
            let box = "\(n(c.x)) \(n(c.y)) \(n(x0)) \(n(x1)) \(n(y0)) \(n(y1))"
            if let z = c.z, z == 0, grid.zeroFloor != nil {
                blocks[3].rows.append(box)
            } else if let z = c.z {
                blocks[0].rows.append(box + " \(n(z))")
            } else {
                blocks[1].rows.append(box)
            }
            if c.marked { blocks[2].rows.append("\(n(c.x)) \(n(c.y))") }
        }
        for b in blocks where !b.rows.isEmpty {
            line("\(b.name) << EOD")
            b.rows.forEach { line($0) }
            line("EOD")
        }
        line()
        var plots: [String] = []
        if !blocks[0].rows.isEmpty { plots.append("$cells using 1:2:3:4:5:6:7 with boxxyerror fc palette notitle") }
        if let floor = grid.zeroFloor, !blocks[3].rows.isEmpty {
            // The swatch is the bottom of the colour bar, where the floor is.
            let title = "\(columns.z) = 0"
            plots.append("$zeros using 1:2:3:4:5:6 with boxxyerror fc palette cb \(n(floor)) title \(GnuplotScript.quote(title))")
        }
        if !blocks[1].rows.isEmpty {
            plots.append("$missing using 1:2:3:4:5:6 with boxxyerror fc rgb '#bdbdbd' title 'no \(columns.z)'")
        }
        if let mark = columns.mark, !blocks[2].rows.isEmpty {
            let title = reduced == nil ? mark : "\(mark) (in any row)"
            plots.append("$marks using 1:2 with points pt 2 ps 1.6 lw 2 lc rgb '#000000' title \(GnuplotScript.quote(title))")
        }
        line("plot " + plots.joined(separator: ", \\\n     "))
        line("unset output")
        return s
    }

    /// A tick label: the value as the grid gives it, at most 3 significant digits.
    static func tick(_ x: Double) -> String { String(format: "%.3g", x) }
}
