#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import LinFlowNumerics

/// What `linflow plot` needs to know about a CSV before it asks gnuplot to draw it: the column
/// names, and which of the chosen columns have a positive value somewhere (a log axis cannot
/// show the others). Unlike ``NumericCSVReader`` it is lenient about the cells, as gnuplot is:
/// `inf`, `nan` or text in a cell is simply not a positive number.
public enum CSVColumns {
    /// The names in the first line of `path`.
    public static func header(path: String) throws -> [String] {
        var names: [String]?
        try forEachLine(path: path) { line in
            names = fields(line).map(unquote)
            return false
        }
        guard let names else { throw LinflowError.data("\(path): the file is empty") }
        if names.allSatisfy({ Double($0) != nil }) {
            throw LinflowError.data("\(path): the first line is not a header; linflow plot names columns by the header that linflow writes (t,loss,…)")
        }
        return names
    }

    /// The columns among `wanted` that hold at least one finite positive number below the header.
    /// Throws if the file has no rows below its header.
    public static func columnsWithPositiveValues(path: String, header: [String], wanted: [String]) throws -> Set<String> {
        var index: [Int: String] = [:]
        for name in wanted { if let i = header.firstIndex(of: name) { index[i] = name } }
        var positive = Set<String>()
        var rows = 0
        var first = true
        try forEachLine(path: path) { line in
            if first { first = false; return true }
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return true }
            rows += 1
            var column = 0
            var start = 0
            for i in 0...line.count {
                guard i == line.count || line[i] == UInt8(ascii: ",") else { continue }
                if let name = index[column], !positive.contains(name),
                   let v = Double(unquote(String(decoding: line[start..<i], as: UTF8.self))), v > 0, v.isFinite {
                    positive.insert(name)
                }
                column += 1
                start = i + 1
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
        let wanted = Set(kept)
        guard let out = fopen(destination, "wb") else {
            throw LinflowError.cannotCreate("\(destination): \(String(cString: strerror(errno)))")
        }
        var failed = false
        var text: [UInt8] = Array((kept.map { header[$0] }.joined(separator: ",") + "\n").utf8)
        var first = true
        try forEachLine(path: path) { line in
            if first { first = false; return true }
            var column = 0, start = 0, written = 0
            for i in 0...line.count where i == line.count || line[i] == UInt8(ascii: ",") {
                if wanted.contains(column) {
                    if written > 0 { text.append(UInt8(ascii: ",")) }
                    text.append(contentsOf: line[start..<i])
                    written += 1
                }
                column += 1
                start = i + 1
            }
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

    /// Calls `body` with each line (without its newline) until it returns false.
    package static func forEachLine(path: String, _ body: ([UInt8]) throws -> Bool) throws {
        var st = stat()
        if stat(path, &st) != 0 { throw LinflowError.noInput("\(path): \(String(cString: strerror(errno)))") }
        if (st.st_mode & S_IFMT) == S_IFDIR { throw LinflowError.noInput("\(path): is a directory, not a CSV file") }
        guard let file = fopen(path, "rb") else {
            throw LinflowError.noInput("\(path): \(String(cString: strerror(errno)))")
        }
        defer { fclose(file) }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var line: [UInt8] = []
        while true {
            let n = fread(&chunk, 1, chunk.count, file)
            if n == 0 {
                if ferror(file) != 0 { throw LinflowError.noInput("\(path): read failed") }
                break
            }
            var start = 0
            for i in 0..<n where chunk[i] == UInt8(ascii: "\n") {
                line.append(contentsOf: chunk[start..<i])
                if try !body(line) { return }
                line.removeAll(keepingCapacity: true)
                start = i + 1
            }
            line.append(contentsOf: chunk[start..<n])
        }
        if !line.isEmpty { _ = try body(line) }
    }

    package static func fields(_ line: [UInt8]) -> [String] {
        var text = String(decoding: line, as: UTF8.self)
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        return text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    }

    package static func unquote(_ cell: String) -> String {
        let t = cell.trimmingCharacters(in: CharacterSet(charactersIn: " \t\r"))
        if t.count >= 2, t.first == "\"", t.last == "\"" { return String(t.dropFirst().dropLast()) }
        return t
    }
}
