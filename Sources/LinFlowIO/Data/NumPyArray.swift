import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LinFlowNumerics

/// An array in NumPy's .npy format (version 1, 2 or 3), read in blocks of rows with pread so
/// that memory stays constant in the number of rows.
///
/// Format (numpy.lib.format): the magic `\x93NUMPY`, a major and a minor version byte, the
/// header length (2 bytes little-endian for version 1, 4 bytes for 2 and 3), then a Python dict
/// literal `{'descr': '<f8', 'fortran_order': False, 'shape': (N, M), }`, then the N·M elements
/// in C order (row after row) or Fortran order (column after column).
///
/// Read: float64 and float32 of either byte order, 2-D (and 1-D, as one column, where a .npz
/// holds a target vector). Refused with one line: any other dtype, other ranks, a truncated
/// file, a bad magic.
final class NumPyArray {
    /// How the array is named in messages: the file, or `file.npz:x`.
    let label: String
    /// The file, and the array's name in a .npz (nil for a .npy): element messages read
    /// `file.npz: x[2, 1] is NaN`, `file.npy: element [2, 1] is NaN`.
    private let file: String
    private let arrayName: String?
    let rows: Int
    let cols: Int
    let fortranOrder: Bool
    private let fd: Int32
    /// The inflater of a compressed .npz member, or nil where the bytes are read in place.
    private let inflated: DeflatedMember?
    private let dataOffset: Int
    private let itemSize: Int
    private let bigEndian: Bool
    /// The header and data bytes as they were in the file (for the checksum of a plain .npy).
    let headerBytes: [UInt8]

    /// The array stored at `offset` of the open file `fd`, in at most `length` bytes; or, given
    /// `inflated`, the array its bytes inflate to (`offset` 0, `length` the inflated size), read
    /// once in C order.
    init(fd: Int32, offset: Int, length: Int, file: String, arrayName: String? = nil, allowVector: Bool,
         inflated: DeflatedMember? = nil) throws {
        self.fd = fd
        let label = arrayName.map { "\(file):\($0)" } ?? file
        self.label = label
        self.file = file
        self.arrayName = arrayName
        self.inflated = inflated
        func bad(_ why: String) -> LinflowError { .data("\(label): \(why)") }
        func fetch(_ p: UnsafeMutableRawPointer, _ count: Int, at: Int) throws -> Int {
            try inflated.map { try $0.read(p, count, at: at) } ?? pread(fd, p, count, off_t(at))
        }
        var pre = [UInt8](repeating: 0, count: 12)
        let got = try pre.withUnsafeMutableBytes { try fetch($0.baseAddress!, min(12, max(0, length)), at: offset) }
        guard got >= 10, pre[0] == 0x93, Array(pre[1..<6]) == Array("NUMPY".utf8) else {
            throw bad("not a NumPy .npy array (no \\x93NUMPY magic)")
        }
        let major = pre[6]
        let headerLength: Int, lengthBytes: Int
        switch major {
        case 1: headerLength = Int(pre[8]) | Int(pre[9]) << 8; lengthBytes = 2
        case 2, 3:
            guard got >= 12 else { throw bad("truncated .npy header") }
            headerLength = Int(pre[8]) | Int(pre[9]) << 8 | Int(pre[10]) << 16 | Int(pre[11]) << 24; lengthBytes = 4
        default: throw bad(".npy format version \(major) is not one linflow reads (1, 2 or 3)")
        }
        let start = 8 + lengthBytes
        guard start + headerLength <= length else { throw bad("truncated .npy header") }
        var text = [UInt8](repeating: 0, count: headerLength)
        let n = try text.withUnsafeMutableBytes { try fetch($0.baseAddress!, headerLength, at: offset + start) }
        guard n == headerLength else { throw bad("truncated .npy header") }
        headerBytes = Array(pre[0..<start]) + text
        let dict = String(decoding: text, as: UTF8.self)
        guard let descr = Self.value(of: "descr", in: dict), let order = Self.value(of: "fortran_order", in: dict),
              let shapeText = Self.value(of: "shape", in: dict) else {
            throw bad("the .npy header is not a dict with descr, fortran_order and shape")
        }
        let d = descr.trimmingQuotes
        switch d {
        case "<f8", "=f8": itemSize = 8; bigEndian = false
        case ">f8": itemSize = 8; bigEndian = true
        case "<f4", "=f4": itemSize = 4; bigEndian = false
        case ">f4": itemSize = 4; bigEndian = true
        default:
            let what = d.contains("O") ? "object array (pickled Python objects)" : "dtype '\(d)'"
            throw bad("\(what); linflow reads float64 or float32 arrays (convert with a.astype(numpy.float64))")
        }
        switch order {
        case "False": fortranOrder = false
        case "True" where inflated != nil:
            // Its columns lie one after another in one deflate stream: reading a block of rows
            // would inflate the whole member once per column.
            throw bad("a compressed array in Fortran order; linflow reads compressed arrays in C order (save numpy.ascontiguousarray(a), or use numpy.savez)")
        case "True": fortranOrder = true
        default: throw bad("fortran_order is '\(order)', not True or False")
        }
        let dims = shapeText.dropFirst().dropLast().split(separator: ",").map { $0.filter { !$0.isWhitespace } }.filter { !$0.isEmpty }
        let shape = dims.compactMap { Int($0) }
        guard shape.count == dims.count, shape.allSatisfy({ $0 >= 0 }) else { throw bad("shape \(shapeText) is not a tuple of sizes") }
        switch shape.count {
        case 2: rows = shape[0]; cols = shape[1]; isVector = false
        case 1 where allowVector: rows = shape[0]; cols = 1; isVector = true
        default: throw bad("a \(shape.count)-D array of shape \(shapeText); linflow reads 2-D arrays (samples × columns)")
        }
        guard cols >= 1 else { throw bad("has no columns (shape \(shapeText))") }
        dataOffset = offset + start + headerLength
        let (bytes, overflow) = rows.multipliedReportingOverflow(by: cols * itemSize)
        guard !overflow, start + headerLength + bytes <= length else {
            throw bad("truncated: the header promises \(rows)×\(cols) \(itemSize == 8 ? "float64" : "float32") values, the file holds fewer")
        }
        dataLength = bytes
    }

    /// Bytes of the elements.
    let dataLength: Int
    /// A 1-D array (a target vector of a .npz), indexed `y[r]` in messages.
    private let isVector: Bool

    /// The value text after `'key':` in a Python dict literal, up to the next top-level comma.
    private static func value(of key: String, in dict: String) -> String? {
        guard let r = dict.range(of: "'\(key)':") ?? dict.range(of: "\"\(key)\":") else { return nil }
        var depth = 0, out = ""
        for ch in dict[r.upperBound...] {
            if ch == "(" { depth += 1 }
            if ch == ")" { depth -= 1 }
            if (ch == "," && depth == 0) || ch == "}" { break }
            out.append(ch)
        }
        let v = out.trimmingCharacters(in: .whitespaces)
        return v.isEmpty ? nil : v
    }

    /// Reads rows r0..<r0+n into `dst` (n × cols doubles, row-major); `scratch` holds at least
    /// n·cols·itemSize bytes. Feeds the raw bytes read to `onBytes` in file order (C order only).
    func readRows(_ r0: Int, _ n: Int, into dst: UnsafeMutablePointer<Double>, scratch: UnsafeMutableRawPointer,
                  onBytes: ((UnsafeRawBufferPointer) -> Void)? = nil) throws {
        if fortranOrder {
            for c in 0..<cols {
                try readFully(scratch, n * itemSize, at: dataOffset + (c * rows + r0) * itemSize)
                for r in 0..<n { dst[r * cols + c] = element(scratch, r) }
            }
        } else {
            let count = n * cols
            try readFully(scratch, count * itemSize, at: dataOffset + r0 * cols * itemSize)
            onBytes?(UnsafeRawBufferPointer(start: scratch, count: count * itemSize))
            if itemSize == 8 && !bigEndian {
                dst.update(from: scratch.assumingMemoryBound(to: Double.self), count: count)
            } else {
                for i in 0..<count { dst[i] = element(scratch, i) }
            }
        }
        try checkFinite(dst, rows: n, from: r0)
    }

    /// Refuses a NaN or ±inf element of rows r0..<r0+n (read into `values`), naming it by its
    /// index as numpy would (from 0): NaN is not an overflow, and the file holds it as it is.
    private func checkFinite(_ values: UnsafePointer<Double>, rows n: Int, from r0: Int) throws {
        let count = n * cols
        var bad = -1, i = 0
        while i < count {
            if !values[i].isFinite { bad = i; break }
            i += 1
        }
        guard bad >= 0 else { return }
        let v = values[bad], r = r0 + bad / cols, c = bad % cols
        let index = isVector ? "[\(r)]" : "[\(r), \(c)]"
        let element = arrayName.map { "\($0)\(index)" } ?? "element \(index)"
        let what = v.isNaN ? "is NaN" : "is infinite (\(v < 0 ? "-inf" : "inf"))"
        let place = isVector ? "row \(r)" : "row \(r), column \(c)"
        throw LinflowError.data("\(file): \(element) (\(place), counted from 0) \(what); linflow needs finite data")
    }

    @inline(__always) private func element(_ p: UnsafeMutableRawPointer, _ i: Int) -> Double {
        if itemSize == 8 {
            let bits = p.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)
            return Double(bitPattern: bigEndian ? bits.byteSwapped : UInt64(littleEndian: bits))
        }
        let bits = p.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)
        return Double(Float(bitPattern: bigEndian ? bits.byteSwapped : UInt32(littleEndian: bits)))
    }

    /// Inflates what is left of a compressed array and checks it against the zip directory;
    /// nothing for an array read in place.
    func finish() throws { try inflated?.finish() }

    private func readFully(_ p: UnsafeMutableRawPointer, _ count: Int, at offset: Int) throws {
        if let inflated {
            if try inflated.read(p, count, at: offset) < count {
                throw LinflowError.data("\(label): truncated: the member ended inside the data")
            }
            return
        }
        var done = 0
        while done < count {
            let n = pread(fd, p + done, count - done, off_t(offset + done))
            if n < 0 { throw LinflowError.noInput("\(label): read failed: \(String(cString: strerror(errno)))") }
            if n == 0 { throw LinflowError.data("\(label): truncated: the file ended inside the data") }
            done += n
        }
    }

    /// Rows per block: about 1 MB of doubles.
    var blockRows: Int { max(1, min(rows, (1 << 17) / cols)) }
}

extension String {
    fileprivate var trimmingQuotes: String {
        var s = Substring(self)
        while let f = s.first, f == "'" || f == "\"" { s = s.dropFirst() }
        while let l = s.last, l == "'" || l == "\"" { s = s.dropLast() }
        return String(s)
    }
}

/// A file open for reading, closed when released.
final class OpenFile {
    let path: String
    let fd: Int32
    let size: Int

    init(_ path: String) throws {
        self.path = path
        var st = stat()
        if stat(path, &st) != 0 { throw LinflowError.noInput("\(path): \(String(cString: strerror(errno)))") }
        if (st.st_mode & S_IFMT) == S_IFDIR { throw LinflowError.noInput("\(path): is a directory, not a data file") }
        fd = open(path, O_RDONLY)
        if fd < 0 { throw LinflowError.noInput("\(path): \(String(cString: strerror(errno)))") }
        size = Int(st.st_size)
    }

    deinit { close(fd) }

    func bytes(at offset: Int, count: Int) -> [UInt8] {
        var b = [UInt8](repeating: 0, count: max(0, count))
        let n = b.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, count, off_t(offset)) }
        return Array(b.prefix(max(0, n)))
    }

    /// Feeds the whole file, in order, to `body` (the checksum of a file not read sequentially).
    func forEachChunk(_ body: (UnsafeRawBufferPointer) -> Void) throws {
        let buf = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buf.deallocate() }
        var offset = 0
        while true {
            let n = pread(fd, buf.baseAddress!, buf.count, off_t(offset))
            if n < 0 { throw LinflowError.noInput("\(path): read failed: \(String(cString: strerror(errno)))") }
            if n == 0 { return }
            body(UnsafeRawBufferPointer(rebasing: buf[0..<n]))
            offset += n
        }
    }
}
