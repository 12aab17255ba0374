#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
#if canImport(LinFlowNumerics)  // scripts/fuzz compiles these files with LinflowError and Setting alone
import LinFlowNumerics
#endif

/// A streaming reader for numeric CSV files (RFC 4180 with a few liberties).
///
/// Written by hand rather than on a CSV package because it has to do three things at once that
/// the packages do not: stream a file of any size in constant memory, parse at hundreds of MB/s,
/// and name the line and column of the first bad cell.
///
/// Accepted: an optional UTF-8 byte-order mark; LF, CRLF or CR-only line ends (the last
/// recognised from the first chunk); blank lines and lines starting with `#` (skipped); spaces
/// or tabs around a cell; cells in double quotes ("1.5", with "" for a literal quote); a
/// delimiter other than the comma when asked for (`delimiter`); an optional header row
/// (``HeaderMode``): in auto mode a first row with a cell that is not a number is a header, and
/// an all-numeric first row that reads 0,1,…,n−1 (what pandas writes for an unnamed frame) is
/// refused as ambiguous.
/// Refused, with file:line:column: ragged rows, cells that are not numbers (decimal commas
/// named as such), NaN and ±Inf, numbers that overflow a Double, an unterminated quote; a file
/// in UTF-16 or UTF-32 (named); a NumPy .npy or .npz file given a name that is not theirs (by
/// its magic, from the first chunk: no byte is read twice, so a pipe works too); a one-column
/// file whose first line splits under tab or semicolon (the delimiter named), or into numbers
/// under spaces (numpy.savetxt's layout: `space` named); a first row that ends with the
/// delimiter, when every row does (an empty last column).
/// With the `space` delimiter a run of spaces separates two cells, and spaces at a line's ends
/// separate nothing.
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
    /// The cell separator and the line end (CR for a file with CR-only line ends).
    private let delimiter: UInt8
    private var newline = UInt8(ascii: "\n")
    private let headerMode: HeaderMode
    /// Whether the delimiter was chosen by the user (then a one-column file is taken as one).
    private let delimiterGiven: Bool
    /// `space`: runs of the delimiter are one separator, and it is ignored at a line's ends.
    private let runs: Bool
    /// The first row ends with the delimiter (its last cell is blank): the rows' last cells are
    /// then watched, so that a file whose every row does so is named as such.
    public private(set) var endsWithDelimiter = false
    /// The first data line whose last cell is blank, and whether a data row had a value there.
    private var blankLastLine: Int?
    private var valueInLastColumn = false
    private var fields: [[UInt8]] = []

    public init(path: String, chunkSize: Int = 1 << 20, delimiter: Delimiter? = nil, header: HeaderMode = .auto,
                onChunk: ((UnsafeRawBufferPointer) -> Void)? = nil) throws {
        self.path = path
        self.delimiter = (delimiter ?? .comma).byte
        self.delimiterGiven = delimiter != nil
        self.runs = delimiter?.separatesByRuns ?? false
        self.headerMode = header
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
    ///
    /// Hot path: a line without a double quote is split and parsed in place in the read buffer
    /// (memchr for the line end, pointer scans for the commas, ``DecimalParser`` for the cells):
    /// no per-byte state machine, no copies, no allocation per row. A line with a quote goes
    /// through the general record reader (``readRecord()``), which handles quoted cells that
    /// span lines; both give the same rows and the same errors.
    ///
    /// With `only` (one flag per column), a plain line's other cells are split but not parsed,
    /// so a cell there that is not a number goes unnoticed and its value reads 0: for a reader
    /// that needs a few of hundreds of columns (`sweep collect`). A file whose rows end with the
    /// delimiter has every cell parsed, for the checks of that last column.
    public func forEachRow(only wanted: [Bool]? = nil, _ body: (UnsafeBufferPointer<Double>) throws -> Void) throws {
        let values = UnsafeMutableBufferPointer<Double>.allocate(capacity: max(columnCount, 1))
        values.initialize(repeating: 0)
        defer { values.deallocate() }
        let wanted = wanted.map { mask in (0..<columnCount).map { $0 < mask.count && mask[$0] } }
        if let first = pendingFirstRow {
            pendingFirstRow = nil
            try first.withUnsafeBufferPointer { try body($0) }
        }
        let columns = columnCount
        let sep = Int32(delimiter)
        while let lineEnd = try nextLineEnd() {
            let base = UnsafePointer(buffer.baseAddress!.assumingMemoryBound(to: UInt8.self))
            let lineStart = start
            if base[lineStart] == UInt8(ascii: "#") {
                line += 1
                start = min(lineEnd + 1, end)
                continue
            }
            if memchr(base + lineStart, Int32(UInt8(ascii: "\"")), lineEnd - lineStart) != nil {
                // A quoted record: the general reader, from the start of this line.
                guard try nextRecord() else { break }
                try checkWidth(fields.count)
                for c in 0..<columns {
                    values[c] = try fields[c].withUnsafeBufferPointer {
                        try cellValue($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, $0.count, column: c + 1)
                    }
                }
                try body(UnsafeBufferPointer(values))
                continue
            }
            line += 1
            recordStart = line
            start = min(lineEnd + 1, end)
            // With `space`, the line less the spaces at its ends (and a CR before the newline).
            var first = lineStart, last = lineEnd
            if runs {
                while last > first, base[last - 1] == 0x20 || base[last - 1] == 0x09 || base[last - 1] == 0x0D { last -= 1 }
                while first < last, base[first] == 0x20 || base[first] == 0x09 { first += 1 }
            }
            /// The end of the cell at `cell` and where the next one starts (nil: it is the last).
            @inline(__always) func split(_ cell: Int) -> (end: Int, next: Int?) {
                guard let hit = memchr(base + cell, sep, last - cell) else { return (last, nil) }
                let cellEnd = UnsafePointer(hit.assumingMemoryBound(to: UInt8.self)) - base
                var next = cellEnd + 1
                if runs { while next < last, base[next] == 0x20 { next += 1 } }
                return (cellEnd, next)
            }
            // Split at commas and parse each cell as it is delimited, with the fast parser only;
            // a cell it declines is parsed again below, after the width check, so that errors
            // come in the same order as from the general reader.
            var cell = first, column = 0, allParsed = true
            while true {
                let (cellEnd, next) = split(cell)
                if column < columns, wanted?[column] ?? true {
                    if let v = DecimalParser.parse(base + cell, cellEnd - cell) { values[column] = v } else { allParsed = false }
                }
                column += 1
                guard let next else { break }
                cell = next
            }
            if column != columns {
                if column == 1 && isBlank(base + lineStart, lineEnd - lineStart) { continue }
                try checkWidth(column)
            }
            if !allParsed || endsWithDelimiter {
                cell = first
                for c in 0..<columns {
                    let (cellEnd, next) = split(cell)
                    if endsWithDelimiter || (wanted?[c] ?? true) { values[c] = try cellValue(base + cell, cellEnd - cell, column: c + 1) }
                    cell = next ?? last
                }
            }
            try body(UnsafeBufferPointer(values))
        }
        if endsWithDelimiter, blankLastLine != nil {
            throw LinflowError.data("\(path): every row ends with a delimiter (an empty last column); remove the '\(printable([delimiter][...]))' at the end of each line")
        }
    }

    /// A data cell's value: ``number(_:_:column:)``, but for the blank last cell of a file whose
    /// first row ends with the delimiter, which is noted (and read as 0) until a row shows
    /// whether the whole column is empty: a row with a value there makes the first blank one an
    /// empty cell; every row blank there is refused at the end as an empty last column.
    private func cellValue(_ p: UnsafePointer<UInt8>, _ n: Int, column: Int) throws -> Double {
        guard endsWithDelimiter, column == columnCount else { return try number(p, n, column: column) }
        let (lo, hi) = trimmed(p, n)
        if lo == hi {
            if valueInLastColumn { return try number(p, n, column: column) }
            if blankLastLine == nil { blankLastLine = recordStart }
            return 0
        }
        if let blank = blankLastLine {
            throw LinflowError.data("\(path):\(blank):\(column): an empty cell is not a number")
        }
        valueInLastColumn = true
        return try number(p, n, column: column)
    }

    /// Calls `body` with each row below the header as text cells (trimmed, quotes removed) and
    /// the line it starts on, until `body` returns false: the lenient reading of a table that
    /// plot, export and sweep collect need, where a cell may be text, `nan` or empty. Records,
    /// quotes, comments, blank lines and line ends are read exactly as by ``forEachRow(_:)``, and
    /// every row must have the header's width. Needs a header (`header: .yes`).
    public func forEachTextRow(_ body: (_ cells: [String], _ line: Int) throws -> Bool) throws {
        precondition(header != nil && pendingFirstRow == nil, "text rows are read below a header")
        while try nextRecord() {
            try checkWidth(fields.count)
            if try !body(fields.map { String(decoding: trim($0), as: UTF8.self) }, recordStart) { return }
        }
    }

    private func checkWidth(_ count: Int) throws {
        if count != columnCount {
            throw LinflowError.data("\(path):\(recordStart): row has \(count) field\(count == 1 ? "" : "s"), expected \(columnCount) as in line \(pendingFirstLine)")
        }
    }

    private func isBlank(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        (0..<n).allSatisfy { p[$0] == 0x20 || p[$0] == 0x09 || p[$0] == 0x0D }
    }

    /// The offset of the next line's end in the buffer (its newline, or the end of the file),
    /// reading more first if the line is not complete; nil at the end of the file.
    private func nextLineEnd() throws -> Int? {
        var scanned = 0
        while true {
            let base = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
            if let nl = memchr(base + start + scanned, Int32(newline), end - start - scanned) {
                return UnsafeMutablePointer(nl.assumingMemoryBound(to: UInt8.self)) - base
            }
            scanned = end - start
            if try !refill() { return start == end ? nil : end }
        }
    }

    private func readFirstRow() throws {
        // A leading UTF-8 byte-order mark belongs to the file, not to the first cell.
        if try refill() {
            try checkEncoding()
            if end >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF { start = 3 }
            let chunk = UnsafeRawBufferPointer(rebasing: buffer[start..<end])
            if !chunk.contains(UInt8(ascii: "\n")) && chunk.contains(0x0D) { newline = 0x0D }
        }
        guard try nextRecord() else {
            throw LinflowError.data("\(path): the file is empty")
        }
        columnCount = fields.count
        pendingFirstLine = line
        if columnCount == 1 && !delimiterGiven {
            // One column under the comma: say so if the line splits under another delimiter.
            for (b, name) in [(UInt8(0x09), "tab"), (UInt8(ascii: ";"), "semicolon")] {
                let n = fields[0].split(separator: b, omittingEmptySubsequences: false).count
                if n > 1 {
                    throw LinflowError.data("\(path):\(line): one column under the comma, \(n) under \(name == "tab" ? "a tab" : "a semicolon"); pass \(Setting.delimiter) \(name)")
                }
            }
            // numpy.savetxt's default: numbers separated by single spaces.
            let words = trim(fields[0]).split(separator: 0x20)
            if words.count > 1, words.allSatisfy({ parse(Array($0)) != nil }) {
                throw LinflowError.data("\(path):\(line): one column under the comma, \(words.count) numbers separated by spaces (as numpy.savetxt writes); pass \(Setting.delimiter) space")
            }
        }
        // A blank last cell after a delimiter: the rows may all end with one (an empty last
        // column); ``cellValue(_:_:column:)`` finds out. It does not make a row a header.
        endsWithDelimiter = !runs && columnCount > 1 && trim(fields[columnCount - 1]).isEmpty
        let parsed = fields.enumerated().map { endsWithDelimiter && $0.offset == columnCount - 1 ? 0 : parse($0.element) }
        switch headerMode {
        case .yes:
            header = fields.map { String(decoding: trim($0), as: UTF8.self) }
            return
        case .no:
            break
        case .auto:
            if parsed.contains(where: { $0 == nil }) {
                header = fields.map { String(decoding: trim($0), as: UTF8.self) }
                // The header does not count as data; the data rows must follow it.
                return
            }
            if columnCount > 1, parsed.enumerated().allSatisfy({ $0.element == Double($0.offset) }) {
                throw LinflowError.data("\(path):\(line): the first row reads 0,1,…,\(columnCount - 1), which is pandas's header of an unnamed frame or a sample; pass \(Setting.header) yes or \(Setting.header) no")
            }
        }
        pendingFirstRow = try (0..<columnCount).map { c in
            try fields[c].withUnsafeBufferPointer { try cellValue($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, $0.count, column: c + 1) }
        }
    }

    /// UTF-16 and UTF-32 are refused by name (the byte-order mark, or NULs in the text).
    private func checkEncoding() throws {
        let b = UnsafeRawBufferPointer(rebasing: buffer[0..<end])
        var name: String?
        if b.starts(with: [0xFF, 0xFE, 0, 0]) { name = "UTF-32LE" }
        else if b.starts(with: [0, 0, 0xFE, 0xFF]) { name = "UTF-32BE" }
        else if b.starts(with: [0xFF, 0xFE]) { name = "UTF-16LE" }
        else if b.starts(with: [0xFE, 0xFF]) { name = "UTF-16BE" }
        if let name {
            throw LinflowError.data("\(path): is \(name) text (byte-order mark); linflow reads UTF-8 or ASCII: convert it, e.g. iconv -f \(name) -t UTF-8")
        }
        if let e = Self.numPyError(path: path, firstBytes: b) { throw e }
        if b.prefix(4096).contains(0) {
            throw LinflowError.data("\(path): holds NUL bytes: UTF-16 or UTF-32 without a byte-order mark, or not text; linflow reads UTF-8 or ASCII")
        }
    }

    /// The refusal of a file read as CSV whose first bytes are a NumPy magic: a .npy array
    /// (\x93NUMPY) or a .npz, which is a zip archive (PK\x03\x04); nil for anything else.
    /// NumPy files are read by their name only (a pipe cannot be read twice, and arrays are
    /// read with random access).
    public static func numPyError(path: String, firstBytes bytes: UnsafeRawBufferPointer) -> LinflowError? {
        let kind: (name: String, magic: String)
        if bytes.starts(with: [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]) { kind = (".npy", "\\x93NUMPY") }
        else if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) { kind = (".npz", "PK\\x03\\x04, a zip archive") }
        else { return nil }
        return .data("\(path): is a NumPy \(kind.name) file (its first bytes are \(kind.magic)), not CSV; linflow reads NumPy files by their name: give it a name ending in \(kind.name) (save what a pipe gives to such a file)")
    }

    /// ``numPyError(path:firstBytes:)`` for a regular file, read with pread before anything
    /// else opens it; nil for anything else (a pipe or a FIFO is not touched).
    public static func numPyError(path: String) -> LinflowError? {
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var head = [UInt8](repeating: 0, count: 8)
        let n = head.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, 8, 0) }
        return head.withUnsafeBytes { numPyError(path: path, firstBytes: UnsafeRawBufferPointer(rebasing: $0.prefix(max(0, n)))) }
    }

    // MARK: - Records

    /// Reads the next non-blank record into `fields`; false at end of file.
    private func nextRecord() throws -> Bool {
        while true {
            guard try skipComments(), try readRecord() else { return false }
            if !(fields.count == 1 && trim(fields[0]).isEmpty) { return true }
        }
    }

    /// Skips lines that start with `#`; false at the end of the file.
    private func skipComments() throws -> Bool {
        while true {
            if start == end, try !refill() { return false }
            guard buffer[start] == UInt8(ascii: "#") else { return true }
            guard let lineEnd = try nextLineEnd() else { return false }
            line += 1
            start = min(lineEnd + 1, end)
        }
    }

    /// Reads more of the file behind the unread bytes [start, end), which move to the front;
    /// the buffer doubles when they fill it (a line longer than a chunk). False at end of file.
    private func refill() throws -> Bool {
        if eof { return false }
        let kept = end - start
        if kept > 0 && start > 0 {
            buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: kept)
        }
        if kept == buffer.count {
            let bigger = UnsafeMutableRawBufferPointer.allocate(byteCount: 2 * buffer.count, alignment: 16)
            bigger.baseAddress!.copyMemory(from: buffer.baseAddress!, byteCount: kept)
            buffer.deallocate()
            buffer = bigger
        }
        start = 0
        end = kept
        let n = read(fd, buffer.baseAddress! + kept, buffer.count - kept)
        if n < 0 { throw LinflowError.noInput("\(path): read failed: \(String(cString: strerror(errno)))") }
        if n == 0 { eof = true; return false }
        onChunk?(UnsafeRawBufferPointer(start: buffer.baseAddress! + kept, count: n))
        byteCount += n
        end = kept + n
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
                if !(runs && !wasQuoted && !fields.isEmpty && trim(field).isEmpty) { fields.append(field) }
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
                    if b == newline { line += 1 }
                    field.append(b)
                }
                continue
            }
            switch b {
            case delimiter:
                // `space`: a run of spaces, or spaces at the line's start, separate nothing more.
                if runs && !wasQuoted && field.isEmpty { continue }
                fields.append(field)
                field.removeAll(keepingCapacity: true)
                wasQuoted = false
                afterQuote = false
            case newline:
                if field.last == UInt8(ascii: "\r") { field.removeLast() }
                // `space`: spaces at the line's end leave no empty cell behind them.
                if !(runs && !wasQuoted && !fields.isEmpty && trim(field).isEmpty) { fields.append(field) }
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

    /// The cell as a number, nil unless the whole trimmed cell is one (NaN and Inf included):
    /// ``DecimalParser/parse(_:_:)`` when it can, else strtod, whose value it equals.
    private func parse(_ f: [UInt8]) -> Double? {
        f.withUnsafeBufferPointer { parse($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, $0.count) }
    }

    private func parse(_ p: UnsafePointer<UInt8>, _ n: Int) -> Double? {
        let (lo, hi) = trimmed(p, n)
        let t = UnsafeBufferPointer(start: p + lo, count: hi - lo)
        if t.isEmpty || t.count > 400 { return nil }
        if let v = DecimalParser.parse(t.baseAddress!, t.count) { return v }
        // strtod also reads hexadecimal floats; a data file with "0x10" is more likely a mistake.
        if t.contains(where: { $0 == UInt8(ascii: "x") || $0 == UInt8(ascii: "X") }) { return nil }
        return DecimalParser.strtod(t.baseAddress!, t.count)
    }

    private func trimmed(_ p: UnsafePointer<UInt8>, _ n: Int) -> (Int, Int) {
        var lo = 0, hi = n
        while lo < hi, p[lo] == 0x20 || p[lo] == 0x09 || p[lo] == 0x0D { lo += 1 }
        while hi > lo, p[hi - 1] == 0x20 || p[hi - 1] == 0x09 || p[hi - 1] == 0x0D { hi -= 1 }
        return (lo, hi)
    }

    private func number(_ f: [UInt8], column: Int) throws -> Double {
        try f.withUnsafeBufferPointer { try number($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, $0.count, column: column) }
    }

    private func number(_ p: UnsafePointer<UInt8>, _ n: Int, column: Int) throws -> Double {
        let (lo, hi) = trimmed(p, n)
        let cell = ArraySlice(UnsafeBufferPointer(start: p + lo, count: hi - lo))
        guard let v = parse(p, n) else {
            let text = printable(cell)
            if Self.isDecimalComma(cell) {
                throw LinflowError.data("\(path):\(recordStart):\(column): '\(text)' has a decimal comma; linflow reads decimal points only (save the file with '.' as the decimal separator)")
            }
            let what = text.isEmpty ? "an empty cell" : "'\(text)'"
            throw LinflowError.data("\(path):\(recordStart):\(column): \(what) is not a number")
        }
        if v.isNaN {
            throw LinflowError.data("\(path):\(recordStart):\(column): NaN is not allowed in the data")
        }
        if v.isInfinite {
            throw LinflowError.data("\(path):\(recordStart):\(column): '\(printable(cell))' is infinite or overflows a double")
        }
        return v
    }

    /// Digits, one comma, digits (with an optional sign and exponent): a number written with a decimal comma.
    private static func isDecimalComma(_ cell: ArraySlice<UInt8>) -> Bool {
        guard let comma = cell.firstIndex(of: UInt8(ascii: ",")) else { return false }
        var dotted = Array(cell)
        dotted[comma - cell.startIndex] = UInt8(ascii: ".")
        return dotted.withUnsafeBufferPointer { DecimalParser.strtod($0.baseAddress!, $0.count) } != nil
    }

    /// At most 40 characters of a cell, with line breaks, control characters and invalid UTF-8
    /// escaped, so that an error message stays on one line whatever the file holds.
    private func printable(_ bytes: some Collection<UInt8>) -> String {
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
