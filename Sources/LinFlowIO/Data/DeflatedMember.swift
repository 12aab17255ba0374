import CZlib
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LinFlowNumerics

/// A zip member stored with deflate (method 8, what numpy.savez_compressed writes), inflated
/// with zlib in order, in constant memory: 64 KiB of compressed input and 256 KiB of output at a
/// time (plus zlib's 32 KiB window), whatever the member's size.
///
/// Reads go forwards: a read may start anywhere at or after the first byte of the output
/// window it is served from (the .npy header is read twice over its first bytes), never before.
/// Every zlib status is checked; the CRC-32 and the size of the inflated bytes are checked against
/// the zip directory's by ``finish()``, after the last read. A corrupt or truncated stream is a
/// one-line data error (exit 65).
final class DeflatedMember {
    private let fd: Int32
    private let label: String
    private let expectedSize: Int
    private let expectedCRC: UInt32
    private var inOffset: Int, inLeft: Int
    private let stream: UnsafeMutablePointer<z_stream>
    private let input: UnsafeMutablePointer<UInt8>
    private let output: UnsafeMutablePointer<UInt8>
    private static let inputSize = 1 << 16, outputSize = 1 << 18
    /// The inflated bytes outStart..<outEnd of the member are in `output`.
    private var outStart = 0, outEnd = 0
    private var crc: UInt = 0
    private var ended = false

    /// The member whose compressed bytes are `compressedSize` bytes at `offset` of the open file.
    init(fd: Int32, offset: Int, compressedSize: Int, uncompressedSize: Int, crc32: UInt32, label: String) throws {
        (self.fd, self.label, expectedSize, expectedCRC) = (fd, label, uncompressedSize, crc32)
        (inOffset, inLeft) = (offset, compressedSize)
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        input = .allocate(capacity: Self.inputSize)
        output = .allocate(capacity: Self.outputSize)
        let status = linflow_inflate_init_raw(stream)
        guard status == Z_OK else {
            input.deallocate(); output.deallocate(); stream.deallocate()
            throw LinflowError.unavailable("\(label): zlib cannot start inflating (status \(status))")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate(); input.deallocate(); output.deallocate()
    }

    /// Copies up to `count` inflated bytes from `offset` of the member to `p`; fewer only where
    /// the member ends.
    func read(_ p: UnsafeMutableRawPointer, _ count: Int, at offset: Int) throws -> Int {
        precondition(offset >= outStart, "a deflated member is read forwards")
        var done = 0
        while done < count {
            let at = offset + done
            if at < outEnd {
                let n = min(count - done, outEnd - at)
                (p + done).copyMemory(from: output + (at - outStart), byteCount: n)
                done += n
            } else if ended {
                // A stream that ends before the directory's size is corrupt: say so, not "truncated".
                try finish()
                break
            } else {
                try refill()
            }
        }
        return done
    }

    /// Inflates the rest of the member (normally nothing but the end of the deflate stream) and
    /// checks the size and the CRC-32 of all it inflated against the zip directory.
    func finish() throws {
        while !ended { try refill() }
        let left = inLeft + Int(stream.pointee.avail_in)
        guard left == 0 else {
            throw LinflowError.data("\(label): corrupt compressed member: \(left) bytes after the end of its deflate stream")
        }
        guard outEnd == expectedSize else {
            throw LinflowError.data("\(label): corrupt compressed member: it inflates to \(outEnd) bytes, the zip directory says \(expectedSize)")
        }
        guard UInt32(crc) == expectedCRC else {
            throw LinflowError.data("\(label): corrupt compressed member: CRC-32 \(hex32(UInt32(crc))) of the inflated bytes, the zip directory says \(hex32(expectedCRC))")
        }
    }

    /// Replaces the output window with the next inflated bytes: a full window unless the stream
    /// ends first.
    private func refill() throws {
        outStart = outEnd
        stream.pointee.next_out = output
        stream.pointee.avail_out = UInt32(Self.outputSize)
        while stream.pointee.avail_out > 0 && !ended {
            if stream.pointee.avail_in == 0 && inLeft > 0 {
                let want = min(Self.inputSize, inLeft)
                let n = pread(fd, input, want, off_t(inOffset))
                if n < 0 { throw LinflowError.noInput("\(label): read failed: \(String(cString: strerror(errno)))") }
                if n == 0 { throw LinflowError.data("\(label): truncated: the file ends inside the compressed member") }
                (inOffset, inLeft) = (inOffset + n, inLeft - n)
                stream.pointee.next_in = input
                stream.pointee.avail_in = UInt32(n)
            }
            let status = inflate(stream, Z_NO_FLUSH)
            switch status {
            case Z_OK: break
            case Z_STREAM_END: ended = true
            case Z_BUF_ERROR where stream.pointee.avail_in == 0 && inLeft == 0:
                // No input left and the stream has not ended: cut short.
                let produced = outStart + (Self.outputSize - Int(stream.pointee.avail_out))
                throw LinflowError.data("\(label): truncated compressed member: the deflate stream ends after \(produced) of \(expectedSize) bytes")
            case Z_DATA_ERROR:
                let why = stream.pointee.msg.map { String(cString: $0) } ?? "invalid data"
                throw LinflowError.data("\(label): corrupt compressed member: \(why) (zlib)")
            case Z_MEM_ERROR:
                throw LinflowError.unavailable("\(label): zlib ran out of memory inflating the member")
            default:
                throw LinflowError.data("\(label): corrupt compressed member: zlib status \(status)")
            }
        }
        let produced = Self.outputSize - Int(stream.pointee.avail_out)
        crc = crc32(crc, output, UInt32(produced))
        outEnd = outStart + produced
        if outEnd > expectedSize {
            throw LinflowError.data("\(label): corrupt compressed member: it inflates to more than the \(expectedSize) bytes the zip directory says")
        }
    }
}

private func hex32(_ v: UInt32) -> String {
    let digits = String(v, radix: 16)
    return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
}
