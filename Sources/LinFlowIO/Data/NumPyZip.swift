import LinFlowNumerics
/// The arrays of a .npz file (numpy.savez): a zip archive whose members `NAME.npy` are arrays.
///
/// Only the zip's central directory is read (classic and Zip64, which numpy writes for every
/// member): name, compression method, sizes, CRC-32 and where each member's local header is.
/// Stored members (numpy.savez) are read in place as .npy arrays; deflated ones
/// (numpy.savez_compressed) are inflated in order as they are read (``DeflatedMember``), their
/// CRC-32 and size checked against the directory. Other methods are refused.
struct NumPyZip {
    struct Member {
        let name: String; let method: Int; let size: Int; let localOffset: Int
        let uncompressedSize: Int; let crc32: UInt32
    }
    let members: [Member]

    init(_ file: OpenFile) throws {
        let path = file.path
        func bad(_ why: String) -> LinflowError { .data("\(path): \(why)") }
        let tailLength = min(file.size, 65_557)
        let tail = file.bytes(at: file.size - tailLength, count: tailLength)
        func u16(_ b: [UInt8], _ i: Int) -> Int { Int(b[i]) | Int(b[i + 1]) << 8 }
        func u32(_ b: [UInt8], _ i: Int) -> Int { u16(b, i) | u16(b, i + 2) << 16 }
        func u64(_ b: [UInt8], _ i: Int) -> Int { u32(b, i) | u32(b, i + 4) << 32 }
        guard tail.count >= 22, let eocd = stride(from: tail.count - 22, through: 0, by: -1).first(where: {
            tail[$0] == 0x50 && tail[$0 + 1] == 0x4B && tail[$0 + 2] == 5 && tail[$0 + 3] == 6
        }) else { throw bad("not a .npz (zip) archive: no end of central directory") }
        var count = u16(tail, eocd + 10), cdSize = u32(tail, eocd + 12), cdOffset = u32(tail, eocd + 16)
        if count == 0xFFFF || cdSize == 0xFFFF_FFFF || cdOffset == 0xFFFF_FFFF {
            // Zip64: a locator 20 bytes before the classic record points at the Zip64 record.
            guard eocd >= 20, u32(tail, eocd - 20) == 0x0706_4B50 else { throw bad("Zip64 archive without its locator") }
            let rec = file.bytes(at: u64(tail, eocd - 20 + 8), count: 56)
            guard rec.count == 56, u32(rec, 0) == 0x0606_4B50 else { throw bad("bad Zip64 end of central directory") }
            count = u64(rec, 32); cdSize = u64(rec, 40); cdOffset = u64(rec, 48)
        }
        guard cdOffset + cdSize <= file.size, cdSize <= 1 << 26 else { throw bad("truncated zip central directory") }
        let cd = file.bytes(at: cdOffset, count: cdSize)
        var members: [Member] = [], p = 0
        for _ in 0..<count {
            guard p + 46 <= cd.count, u32(cd, p) == 0x0201_4B50 else { throw bad("corrupt zip central directory") }
            let nameLength = u16(cd, p + 28), extraLength = u16(cd, p + 30), commentLength = u16(cd, p + 32)
            guard p + 46 + nameLength + extraLength <= cd.count else { throw bad("corrupt zip central directory") }
            var size = u32(cd, p + 20), uncompressed = u32(cd, p + 24), local = u32(cd, p + 42)
            // Zip64 extra field: the 64-bit values of the fields that read 0xFFFFFFFF, in order.
            var e = p + 46 + nameLength
            while e + 4 <= p + 46 + nameLength + extraLength {
                let id = u16(cd, e), len = u16(cd, e + 2)
                if id == 1 {
                    var q = e + 4
                    if uncompressed == 0xFFFF_FFFF, q + 8 <= cd.count { uncompressed = u64(cd, q); q += 8 }
                    if size == 0xFFFF_FFFF, q + 8 <= cd.count { size = u64(cd, q); q += 8 }
                    if local == 0xFFFF_FFFF, q + 8 <= cd.count { local = u64(cd, q) }
                }
                e += 4 + len
            }
            let name = String(decoding: cd[(p + 46)..<(p + 46 + nameLength)], as: UTF8.self)
            members.append(Member(name: name, method: u16(cd, p + 10), size: size, localOffset: local,
                                  uncompressedSize: uncompressed, crc32: UInt32(u32(cd, p + 16))))
            p += 46 + nameLength + extraLength + commentLength
        }
        self.members = members
    }

    /// The names of the arrays (member names without `.npy`).
    var arrayNames: [String] { members.map { $0.name.hasSuffix(".npy") ? String($0.name.dropLast(4)) : $0.name } }

    /// The array `name`: read in place (stored) or inflated as it is read (deflated).
    func array(_ name: String, in file: OpenFile) throws -> NumPyArray {
        guard let i = arrayNames.firstIndex(of: name) else {
            throw LinflowError.data("\(file.path): has no array '\(name)' (it holds: \(arrayNames.joined(separator: ", ")))")
        }
        let m = members[i]
        guard m.method == 0 || m.method == 8 else {
            throw LinflowError.data("\(file.path): array '\(name)' is compressed with zip method \(m.method); linflow reads stored (numpy.savez) and deflated (numpy.savez_compressed) members")
        }
        let local = file.bytes(at: m.localOffset, count: 30)
        guard local.count == 30, local[0] == 0x50, local[1] == 0x4B, local[2] == 3, local[3] == 4 else {
            throw LinflowError.data("\(file.path): corrupt zip local header of '\(m.name)'")
        }
        let start = m.localOffset + 30 + (Int(local[26]) | Int(local[27]) << 8) + (Int(local[28]) | Int(local[29]) << 8)
        guard start + m.size <= file.size else { throw LinflowError.data("\(file.path): truncated member '\(m.name)'") }
        let label = "\(file.path):\(name)"
        guard m.method == 8 else {
            return try NumPyArray(fd: file.fd, offset: start, length: m.size, file: file.path, arrayName: name, allowVector: true)
        }
        let inflated = try DeflatedMember(fd: file.fd, offset: start, compressedSize: m.size,
                                          uncompressedSize: m.uncompressedSize, crc32: m.crc32, label: label)
        return try NumPyArray(fd: file.fd, offset: 0, length: m.uncompressedSize, file: file.path, arrayName: name, allowVector: true, inflated: inflated)
    }
}
