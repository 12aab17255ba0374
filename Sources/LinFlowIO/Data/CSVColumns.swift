#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import LinFlowNumerics

/// What `linflow plot`, `export` and `sweep collect` need to know about a table written by
/// linflow (a trajectory or a summary): the column names, and the cells as text. It reads with
/// ``NumericCSVReader`` — the one CSV reader, so quotes, comments, line ends and encodings mean
/// the same everywhere — and is lenient about the cells, as gnuplot is: `inf`, `nan` or text in a
/// cell is simply not a positive number.
public enum CSVColumns {
    /// The names in the first line of `path`.
    public static func header(path: String) throws -> [String] {
        let names = try NumericCSVReader(path: path, header: .yes).header ?? []
        if names.allSatisfy({ Double($0) != nil }) {
            throw LinflowError.data("\(path): the first line is not a header; linflow plot names columns by the header that linflow writes (t,loss,…)")
        }
        return names
    }

    /// Calls `body` with the header, then with each row's cells and its line, until it returns false.
    public static func forEachRow(path: String, header: ([String]) throws -> Void,
                                  _ body: (_ cells: [String], _ line: Int) throws -> Bool) throws {
        let reader = try NumericCSVReader(path: path, header: .yes)
        try header(reader.header ?? [])
        try reader.forEachTextRow(body)
    }

    /// The columns among `wanted` that hold at least one finite positive number below the header.
    /// Throws if the file has no rows below its header.
    public static func columnsWithPositiveValues(path: String, header: [String], wanted: [String]) throws -> Set<String> {
        var index: [Int: String] = [:]
        for name in wanted { if let i = header.firstIndex(of: name) { index[i] = name } }
        var positive = Set<String>()
        var rows = 0
        try forEachRow(path: path, header: { _ in }) { cells, _ in
            rows += 1
            for (column, name) in index where !positive.contains(name) {
                if let v = Double(cells[column]), v > 0, v.isFinite { positive.insert(name) }
            }
            return positive.count < index.count  // stop once every wanted column has shown one
        }
        if rows == 0 { throw LinflowError.data("\(path): no data rows below the header") }
        return positive
    }

    /// Copies the columns `keep` of `path`, in the header's order and cell for cell, into a new
    /// CSV at `destination`. gnuplot reads a whole line for every curve, so drawing 40 curves
    /// from a file of 10⁴ columns is much faster from such a copy.
    public static func extract(path: String, header: [String], keep: Set<String>, to destination: String) throws {
        let kept = header.indices.filter { keep.contains(header[$0]) }
        guard let out = fopen(destination, "wb") else {
            throw LinflowError.cannotCreate("\(destination): \(String(cString: strerror(errno)))")
        }
        var failed = false
        var text: [UInt8] = Array((kept.map { header[$0] }.joined(separator: ",") + "\n").utf8)
        try forEachRow(path: path, header: { _ in }) { cells, _ in
            text.append(contentsOf: kept.map { cells[$0] }.joined(separator: ",").utf8)
            text.append(UInt8(ascii: "\n"))
            if text.count >= 1 << 16 {
                failed = failed || fwrite(text, 1, text.count, out) != text.count
                text.removeAll(keepingCapacity: true)
            }
            return true
        }
        failed = failed || fwrite(text, 1, text.count, out) != text.count
        if fclose(out) != 0 || failed {
            throw LinflowError.cannotCreate("\(destination): cannot write a copy of \(path) for gnuplot")
        }
    }
}
