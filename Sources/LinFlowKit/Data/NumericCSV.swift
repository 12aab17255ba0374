#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A streaming reader for numeric CSV files (RFC 4180 with a few liberties).
///
/// Written by hand rather than on a CSV package because it has to do three things at once that
/// the packages do not: stream a file of any size in constant memory, parse at hundreds of MB/s,
/// and name the line and column of the first bad cell.
///
/// Accepted: an optional UTF-8 byte-order mark; LF or CRLF line ends; blank lines (skipped);
/// spaces or tabs around a cell; cells in double quotes ("1.5", with "" for a literal quote);
/// an optional header row, detected as a first row with at least one cell that is not a number.
/// Refused, with file:line:column: ragged rows, cells that are not numbers, NaN and ±Inf,
/// numbers that overflow a Double, an unterminated quote.
public final class NumericCSVReader {
    public let path: String
    /// Column names, if the first row was a header.
    public private(set) var header: [String]?
    /// Number of columns, fixed by the first row.
    public private(set) var columnCount = 0

    /// Bytes read so far; the file's size once every row has been read.
    public private(set) var byteCount = 0
    /// Sees every chunk of the file as it is read (the checksum of the provenance record).
    /// Must be set before the first row is read, i.e. passed to the initialiser.
    private let onChunk: ((UnsafeRawBufferPointer) -> Void)?

    private let fd: Int32
    private var buffer: UnsafeMutableRawBufferPointer
    private var start = 0, end = 0, eof = false
    private var line = 0
    /// The line on which the current record starts (a quoted cell may span lines).
    private var recordStart = 0
    private var pendingFirstRow: [Double]?
    private var pendingFirstLine = 0
    private var field: [UInt8] = []
    private var fields: [[UInt8]] = []

    public init(path: String, chunkSize: Int = 1 << 20,
                onChunk: ((UnsafeRawBufferPointer) -> Void)? = nil) throws {
        self.path = path
        self.onChunk = onChunk
        var st = stat()
        if stat(path, &st) != 0 {
            throw LinflowError.noInput("\(path): \(String(cString: strerror(errno)))")
        }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            throw LinflowError.noInput("\(path): is a directory, not a CSV file")
        }
        fd = open(path, O_RDONLY)
        if fd < 0 { throw LinflowError.noInput("\(path): \(String(cString: strerror(errno)))") }
        buffer = .allocate(byteCount: chunkSize, alignment: 16)
        // If this throws, deinit still runs and releases the descriptor and the buffer.
        try readFirstRow()
    }

    deinit {
        close(fd)
        buffer.deallocate()
    }

    /// Calls `body` with each data row (`columnCount` values), in file order.
    public func forEachRow(_ body: (UnsafeBufferPointer<Double>) throws -> Void) throws {
        var values = [Double](repeating: 0, count: columnCount)
        if let first = pendingFirstRow {
            pendingFirstRow = nil
            try first.withUnsafeBufferPointer { try body($0) }
        }
        while try nextRecord() {
            if fields.count != columnCount {
                throw LinflowError.data("\(path):\(recordStart): row has \(fields.count) field\(fields.count == 1 ? "" : "s"), expected \(columnCount) as in line \(pendingFirstLine)")
            }
            for c in 0..<columnCount { values[c] = try number(fields[c], column: c + 1) }
            try values.withUnsafeBufferPointer { try body($0) }
        }
    }

    private func readFirstRow() throws {
        // A leading UTF-8 byte-order mark belongs to the file, not to the first cell.
        if try refill(), end >= 3,
           buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF {
            start = 3
        }
        guard try nextRecord() else {
            throw LinflowError.data("\(path): the file is empty")
        }
        columnCount = fields.count
        pendingFirstLine = line
        let parsed = fields.map { parse($0) }
        if parsed.contains(where: { $0 == nil }) {
            header = fields.map { String(decoding: trim($0), as: UTF8.self) }
            // The header does not count as data; the data rows must follow it.
            return
        }
        pendingFirstRow = try (0..<columnCount).map { try number(fields[$0], column: $0 + 1) }
    }

    // MARK: - Records

    /// Reads the next non-blank record into `fields`; false at end of file.
    private func nextRecord() throws -> Bool {
        while true {
            guard try readRecord() else { return false }
            if !(fields.count == 1 && trim(fields[0]).isEmpty) { return true }
        }
    }

    private func refill() throws -> Bool {
        if eof { return false }
        let n = read(fd, buffer.baseAddress!, buffer.count)
        if n < 0 { throw LinflowError.noInput("\(path): read failed: \(String(cString: strerror(errno)))") }
        if n == 0 { eof = true; return false }
        onChunk?(UnsafeRawBufferPointer(start: buffer.baseAddress!, count: n))
        byteCount += n
        start = 0
        end = n
        return true
    }

    private func readRecord() throws -> Bool {
        fields.removeAll(keepingCapacity: true)
        field.removeAll(keepingCapacity: true)
        if start == end, try !refill() { return false }
        line += 1
        recordStart = line
        let recordLine = line
        var inQuotes = false, wasQuoted = false, afterQuote = false
        while true {
            if start == end, try !refill() {
                if inQuotes { throw LinflowError.data("\(path):\(recordLine): a quoted field is not closed before the end of the file") }
                fields.append(field)
                return true
            }
            let b = buffer.load(fromByteOffset: start, as: UInt8.self)
            start += 1
            if inQuotes {
                if b == UInt8(ascii: "\"") {
                    // Either the closing quote or the first half of "".
                    if start == end, try !refill() { inQuotes = false; afterQuote = true; continue }
                    if buffer.load(fromByteOffset: start, as: UInt8.self) == UInt8(ascii: "\"") {
                        field.append(b)
                        start += 1
                    } else {
                        inQuotes = false
                        afterQuote = true
                    }
                } else {
                    if b == UInt8(ascii: "\n") { line += 1 }
                    field.append(b)
                }
                continue
            }
            switch b {
            case UInt8(ascii: ","):
                fields.append(field)
                field.removeAll(keepingCapacity: true)
                wasQuoted = false
                afterQuote = false
            case UInt8(ascii: "\n"):
                if field.last == UInt8(ascii: "\r") { field.removeLast() }
                fields.append(field)
                return true
            case UInt8(ascii: "\""):
                if wasQuoted || !trim(field).isEmpty {
                    throw LinflowError.data("\(path):\(recordLine):\(fields.count + 1): a quote in the middle of a field")
                }
                field.removeAll(keepingCapacity: true)
                inQuotes = true
                wasQuoted = true
            default:
                if afterQuote && b != UInt8(ascii: " ") && b != UInt8(ascii: "\t") && b != UInt8(ascii: "\r") {
                    throw LinflowError.data("\(path):\(recordLine):\(fields.count + 1): text after a closing quote")
                }
                field.append(b)
            }
        }
    }

    // MARK: - Numbers

    private func trim(_ f: [UInt8]) -> ArraySlice<UInt8> {
        var lo = 0, hi = f.count
        while lo < hi, f[lo] == 0x20 || f[lo] == 0x09 || f[lo] == 0x0D { lo += 1 }
        while hi > lo, f[hi - 1] == 0x20 || f[hi - 1] == 0x09 || f[hi - 1] == 0x0D { hi -= 1 }
        return f[lo..<hi]
    }

    /// strtod on the trimmed cell; nil unless the whole cell is a number (NaN and Inf included).
    private func parse(_ f: [UInt8]) -> Double? {
        let t = trim(f)
        if t.isEmpty || t.count > 400 { return nil }
        // strtod also reads hexadecimal floats; a data file with "0x10" is more likely a mistake.
        if t.contains(where: { $0 == UInt8(ascii: "x") || $0 == UInt8(ascii: "X") }) { return nil }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: t.count + 1) { buf -> Double? in
            var i = 0
            for b in t { buf[i] = CChar(bitPattern: b); i += 1 }
            buf[i] = 0
            var endp: UnsafeMutablePointer<CChar>? = nil
            let v = strtod(buf.baseAddress!, &endp)
            return endp == buf.baseAddress! + t.count ? v : nil
        }
    }

    private func number(_ f: [UInt8], column: Int) throws -> Double {
        guard let v = parse(f) else {
            let text = printable(trim(f))
            let what = text.isEmpty ? "an empty cell" : "'\(text)'"
            throw LinflowError.data("\(path):\(recordStart):\(column): \(what) is not a number")
        }
        if v.isNaN {
            throw LinflowError.data("\(path):\(recordStart):\(column): NaN is not allowed in the data")
        }
        if v.isInfinite {
            throw LinflowError.data("\(path):\(recordStart):\(column): '\(printable(trim(f)))' is infinite or overflows a double")
        }
        return v
    }

    /// At most 40 characters of a cell, with line breaks, control characters and invalid UTF-8
    /// escaped, so that an error message stays on one line whatever the file holds.
    private func printable(_ bytes: ArraySlice<UInt8>) -> String {
        var out = ""
        for scalar in String(decoding: bytes.prefix(40), as: UTF8.self).unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{FFFD}": out += "\\u{FFFD}"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value)
                    || scalar.properties.generalCategory == .lineSeparator
                    || scalar.properties.generalCategory == .paragraphSeparator {
                    out += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}
