import LinFlowNumerics
/// The CSV view of an ``HDF5Trajectory``: its columns by CSV name (`W21_3_5` is `W21[:, 2, 4]`),
/// read row by row, so that `linflow export`, `linflow plot` and `--init` treat an .h5 file as
/// the CSV of the same run.
extension HDF5Trajectory {
    /// Where each of `names` lives: (block index, offset in the block's row), in the order given.
    /// Names the file lacks are refused.
    func locate(_ names: [String]) throws -> [(block: Int, offset: Int)] {
        var index: [String: (Int, Int)] = [:]
        for (b, block) in blocks.enumerated() {
            for (k, name) in block.columnNames.enumerated() { index[name] = (b, k) }
        }
        return try names.map { name in
            guard let at = index[name] else { throw LinflowError.usage("\(path) has no column \(name)") }
            return at
        }
    }

    /// Calls `body` with the values of `names` in each row, in order, reading only the blocks
    /// that hold them, a row at a time. `body` returns false to stop.
    public func forEachRow(of names: [String], _ body: ([Double]) throws -> Bool) throws {
        let places = try locate(names)
        let needed = Array(Set(places.map(\.block))).sorted()
        var rowOf = [[Double]](repeating: [], count: blocks.count)
        var values = [Double](repeating: 0, count: names.count)
        for r in 0..<rows {
            for b in needed { try read(block: b, row: r, into: &rowOf[b]) }
            for (i, p) in places.enumerated() { values[i] = rowOf[p.block][p.offset] }
            if try !body(values) { return }
        }
    }

    /// Writes the columns `names` as a CSV (header, then a line per row) to `out`. The numbers
    /// are printed as the CSV writer prints them, so they read back to the same bits.
    public func exportCSV(_ names: [String], to out: OutputFile) throws {
        try out.write(names.joined(separator: ",") + "\n")
        try forEachRow(of: names) { values in
            try out.writeLine(values)
            return true
        }
    }

    /// The columns among `wanted` with a finite positive value in some row.
    public func columnsWithPositiveValues(_ wanted: [String]) throws -> Set<String> {
        let present = wanted.filter(Set(columnNames).contains)
        var positive = Set<String>()
        guard rows > 0 else { throw LinflowError.data("\(path): no rows") }
        try forEachRow(of: present) { values in
            for (i, v) in values.enumerated() where v > 0 && v.isFinite { positive.insert(present[i]) }
            return positive.count < present.count
        }
        return positive
    }
}

/// `linflow export FILE.h5 --columns PATTERNS -o OUT.csv`.
public struct TrajectoryExport {
    public var input: String
    /// Column names or glob patterns (`W21_1_*`, `sv_?`), comma-separated on the command line.
    public var patterns: [String]
    /// nil or "-": standard output.
    public var output: String?

    public init(input: String, patterns: [String], output: String?) {
        self.input = input
        self.patterns = patterns
        self.output = output
    }

    /// The columns written, in the file's order; refuses a pattern that matches none.
    public func run() throws -> (columns: Int, rows: Int) {
        guard HDF5.isHDF5(path: input) else {
            if !OutputFile.isRegularFile(input) { throw LinflowError.noInput("\(input): no such file") }
            throw LinflowError.usage("\(input) is not an HDF5 file; export reads the .h5 files linflow writes (a CSV's columns can be drawn by linflow plot \(Setting.columns))")
        }
        let table = try HDF5Trajectory(path: input)
        let header = table.columnNames
        for p in patterns where !header.contains(where: { Glob.matches(p, $0) }) {
            throw LinflowError.usage("\(Setting.columns) '\(p)' matches no column of \(input) (its blocks: \(table.blocks.map { $0.shape.isEmpty ? $0.name : "\($0.name) \($0.shape.map(String.init).joined(separator: "×"))" }.joined(separator: ", ")))")
        }
        let names = header.filter { n in patterns.contains { Glob.matches($0, n) } }
        let out = try OutputFile(path: output)
        do {
            try table.exportCSV(names, to: out)
            try out.commit()
        } catch {
            out.discard()
            throw error
        }
        return (names.count, table.rows)
    }
}

/// A trajectory file as `linflow plot` sees it: a CSV, or an HDF5 file read as its CSV.
package enum TrajectoryColumns {
    package static func header(path: String) throws -> [String] {
        HDF5.isHDF5(path: path) ? try HDF5Trajectory(path: path).columnNames : try CSVColumns.header(path: path)
    }

    package static func columnsWithPositiveValues(path: String, header: [String], wanted: [String]) throws -> Set<String> {
        if HDF5.isHDF5(path: path) { return try HDF5Trajectory(path: path).columnsWithPositiveValues(wanted) }
        return try CSVColumns.columnsWithPositiveValues(path: path, header: header, wanted: wanted)
    }

    /// Whether gnuplot needs a CSV copy of `path` (always for HDF5, which it cannot read).
    package static func needsCopy(path: String, header: [String], keeping keep: Set<String>) -> Bool {
        keep.count < header.count || HDF5.isHDF5(path: path)
    }

    /// A CSV of the columns `keep` of `path` at `destination`, in the header's order.
    package static func extract(path: String, header: [String], keep: Set<String>, to destination: String) throws {
        guard HDF5.isHDF5(path: path) else {
            return try CSVColumns.extract(path: path, header: header, keep: keep, to: destination)
        }
        let out = try OutputFile(path: destination)
        try HDF5Trajectory(path: path).exportCSV(header.filter(keep.contains), to: out)
        try out.commit()
    }
}
