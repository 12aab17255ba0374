import Crypto
import Foundation
import LinFlowNumerics

/// What a pass over a data file saw: the resolved columns, the sample count, size and checksum.
public struct DataFileSummary: Sendable {
    public let inputNames: [String]
    public let outputNames: [String]
    public let samples: Int
    public let file: FileIdentity
}

extension DataFileSpec {
    /// Reads the file once, in order, calling `body(x, y)` with each sample's inputs and outputs
    /// (as selected by ``inputs`` and ``outputs``); memory is one block of rows, whatever N is.
    /// The SHA-256 of the file is taken in the same pass where the file is read in order.
    @discardableResult
    /// `sizes(inputs, outputs)` is called once, before the first sample.
    public func forEachSample(sizes: (Int, Int) throws -> Void = { _, _ in },
                              _ body: (UnsafePointer<Double>, UnsafePointer<Double>) throws -> Void) throws -> DataFileSummary {
        switch format {
        case .csv: return try csvSamples(sizes, body)
        case .npy, .npz:
            if usesCSVOptions {
                throw LinflowError.usage("\(Setting.header) and \(Setting.delimiter) apply to CSV files, not to the NumPy file \(path)")
            }
            return try format == .npy ? npySamples(sizes, body) : npzSamples(sizes, body)
        }
    }

    private func csvSamples(_ sizes: (Int, Int) throws -> Void, _ body: (UnsafePointer<Double>, UnsafePointer<Double>) throws -> Void) throws -> DataFileSummary {
        var hasher = SHA256()
        let reader = try NumericCSVReader(path: path, delimiter: delimiter == .comma ? nil : delimiter,
                                          header: header) { hasher.update(bufferPointer: $0) }
        let names = reader.header ?? (1...reader.columnCount).map { "c\($0)" }
        let (inp, out) = try split(names)
        if let header = reader.header, let i = (inp + out).sorted().first(where: { header[$0].isEmpty || header[$0].hasPrefix("Unnamed: ") }) {
            throw try unnamedColumn(i, of: reader, names: names, outputs: out)
        }
        try sizes(inp.count, out.count)
        let g = ColumnGather(inp, out, columns: names.count)
        try reader.forEachRow { try g($0.baseAddress!, body) }
        let n = g.count
        guard n > 0 else { throw LinflowError.data("\(path): no data rows\(reader.header != nil ? " after the header" : "")") }
        return DataFileSummary(inputNames: inp.map { names[$0] }, outputNames: out.map { names[$0] }, samples: n,
                               file: FileIdentity(path: path, bytes: reader.byteCount, sha256: hex(hasher.finalize())))
    }

    /// The error for a used column without a name, after reading the rows (whose own errors,
    /// such as every row ending with a delimiter, come first): a pandas index when it is the
    /// first column and holds 0, 1, …, N−1 (`df.to_csv(p)` without index=False), else a blank
    /// header cell.
    private func unnamedColumn(_ i: Int, of reader: NumericCSVReader, names: [String], outputs out: [Int]) throws -> LinflowError {
        var counting = i == 0, rows = 0
        try reader.forEachRow { row in
            if counting && row[0] != Double(rows) { counting = false }
            rows += 1
        }
        let header = names[i]
        if counting && rows > 0 {
            let others = names.indices.filter { $0 != i && !out.contains($0) }.map { names[$0] }
            return .data("\(path): column 1 has the header '\(header)' and holds 0, 1, …, \(rows - 1): a pandas index (to_csv without index=False); drop it with \(Setting.inputColumns) \(ColumnSelector.abbreviated(others).contains("…") ? "NAMES" : others.joined(separator: ",")) or write the file with index=False")
        }
        return .data("\(path): column \(i + 1) has \(header.isEmpty ? "a blank header cell" : "the header '\(header)', which pandas gives a column without a name"); name it in the header, or select the columns you want by name with \(Setting.inputColumns) and \(Setting.outputColumns)")
    }

    private func npySamples(_ sizes: (Int, Int) throws -> Void, _ body: (UnsafePointer<Double>, UnsafePointer<Double>) throws -> Void) throws -> DataFileSummary {
        let file = try OpenFile(path)
        let a = try NumPyArray(fd: file.fd, offset: 0, length: file.size, file: path, allowVector: false)
        guard a.headerBytes.count + a.dataLength == file.size else {
            throw LinflowError.data("\(path): \(file.size - a.headerBytes.count - a.dataLength) bytes after the array's data; not a .npy written by numpy.save")
        }
        let names = (1...a.cols).map { "c\($0)" }
        let (inp, out) = try split(names)
        var hasher = SHA256()
        a.headerBytes.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        try sizes(inp.count, out.count)
        let g = ColumnGather(inp, out, columns: a.cols)
        try Self.rowBlocks(of: [a], onBytes: a.fortranOrder ? nil : { hasher.update(bufferPointer: $0) }) { try g($0, body) }
        let n = g.count
        if a.fortranOrder {
            hasher = SHA256()
            try file.forEachChunk { hasher.update(bufferPointer: $0) }
        }
        guard n > 0 else { throw LinflowError.data("\(path): has no rows") }
        return DataFileSummary(inputNames: inp.map { names[$0] }, outputNames: out.map { names[$0] }, samples: n,
                               file: FileIdentity(path: path, bytes: file.size, sha256: hex(hasher.finalize())))
    }

    /// A .npz: the arrays named by --inputs (default x) and --outputs (default y), side by side.
    private func npzSamples(_ sizes: (Int, Int) throws -> Void, _ body: (UnsafePointer<Double>, UnsafePointer<Double>) throws -> Void) throws -> DataFileSummary {
        let file = try OpenFile(path)
        let zip = try NumPyZip(file)
        func arrays(_ s: ColumnSelector?, _ fallback: String, _ option: Setting) throws -> [String] {
            switch s {
            case nil: return [fallback]
            case .count: throw LinflowError.usage("\(option) names arrays of a .npz (default \(fallback)), not a count of columns")
            case .names(let n): return n
            case .glob(let g):
                let hits = zip.arrayNames.filter { Glob.matches(g, $0) }
                guard !hits.isEmpty else { throw LinflowError.data("\(path): \(option) '\(g)' matches no array (it holds: \(zip.arrayNames.joined(separator: ", ")))") }
                return hits
            }
        }
        let inNames = try arrays(inputs, "x", Setting.inputColumns), outNames = try arrays(outputs, "y", Setting.outputColumns)
        if let both = inNames.first(where: outNames.contains) {
            throw LinflowError.data("\(path): array '\(both)' is selected by both \(Setting.inputColumns) and \(Setting.outputColumns)")
        }
        let chosen = try (inNames + outNames).map { try zip.array($0, in: file) }
        let rows = chosen[0].rows
        if let odd = chosen.first(where: { $0.rows != rows }) {
            throw LinflowError.data("\(odd.label): has \(odd.rows) rows, \(chosen[0].label) has \(rows); the arrays must have one row per sample")
        }
        func columnNames(_ a: NumPyArray) -> [String] {
            let name = a.label.split(separator: ":").last.map(String.init) ?? "?"
            return a.cols == 1 ? [name] : (1...a.cols).map { "\(name)[\($0)]" }
        }
        let names = chosen.flatMap(columnNames)
        let inputCount = chosen.prefix(inNames.count).reduce(0) { $0 + $1.cols }
        let inp = Array(0..<inputCount), out = Array(inputCount..<names.count)
        try sizes(inp.count, out.count)
        let g = ColumnGather(inp, out, columns: names.count)
        try Self.rowBlocks(of: chosen, onBytes: nil) { try g($0, body) }
        let n = g.count
        guard n > 0 else { throw LinflowError.data("\(path): the arrays have no rows") }
        var hasher = SHA256()
        try file.forEachChunk { hasher.update(bufferPointer: $0) }
        return DataFileSummary(inputNames: inp.map { names[$0] }, outputNames: out.map { names[$0] }, samples: n,
                               file: FileIdentity(path: path, bytes: file.size, sha256: hex(hasher.finalize())))
    }

    /// Calls `emit` with each row of the arrays side by side (their columns concatenated), in
    /// blocks of rows read with pread (or inflated, in order, from a compressed .npz member).
    private static func rowBlocks(of arrays: [NumPyArray], onBytes: ((UnsafeRawBufferPointer) -> Void)?,
                                  _ emit: (UnsafePointer<Double>) throws -> Void) throws {
        let width = arrays.reduce(0) { $0 + $1.cols }, rows = arrays[0].rows
        let block = max(1, min(rows, (1 << 17) / width))
        let rowsBuf = UnsafeMutablePointer<Double>.allocate(capacity: block * width)
        let part = UnsafeMutablePointer<Double>.allocate(capacity: block * (arrays.map(\.cols).max() ?? 1))
        let scratch = UnsafeMutableRawPointer.allocate(byteCount: block * width * 8, alignment: 16)
        defer { rowsBuf.deallocate(); part.deallocate(); scratch.deallocate() }
        var r0 = 0
        while r0 < rows {
            let n = min(block, rows - r0)
            if arrays.count == 1 {
                try arrays[0].readRows(r0, n, into: rowsBuf, scratch: scratch, onBytes: onBytes)
            } else {
                var col = 0
                for a in arrays {
                    try a.readRows(r0, n, into: part, scratch: scratch)
                    for r in 0..<n { (rowsBuf + r * width + col).update(from: part + r * a.cols, count: a.cols) }
                    col += a.cols
                }
            }
            for r in 0..<n { try emit(rowsBuf + r * width) }
            r0 += n
        }
        // A compressed member's CRC-32 and size are known only at its end.
        for a in arrays { try a.finish() }
    }

}

/// Hands `body` a full row's selected inputs and outputs: in place when they are the leading
/// and trailing columns (the common case, no copy), else gathered into two small buffers.
private final class ColumnGather {
    let inp: [Int], out: [Int], direct: Bool
    let x: UnsafeMutablePointer<Double>, y: UnsafeMutablePointer<Double>
    var count = 0

    init(_ inp: [Int], _ out: [Int], columns: Int) {
        (self.inp, self.out) = (inp, out)
        direct = inp == Array(0..<inp.count) && out == Array(inp.count..<columns)
        x = .allocate(capacity: inp.count)
        y = .allocate(capacity: out.count)
    }

    deinit { x.deallocate(); y.deallocate() }

    @inline(__always)
    func callAsFunction(_ row: UnsafePointer<Double>, _ body: (UnsafePointer<Double>, UnsafePointer<Double>) throws -> Void) throws {
        count += 1
        if direct { return try body(row, row + inp.count) }
        for (k, i) in inp.enumerated() { x[k] = row[i] }
        for (k, i) in out.enumerated() { y[k] = row[i] }
        try body(x, y)
    }
}

func hex(_ digest: SHA256.Digest) -> String { digest.map { String(format: "%02x", $0) }.joined() }
