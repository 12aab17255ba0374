/// The arrays of a .npz file (numpy.savez): a zip archive whose members `NAME.npy` are arrays.
///
/// Only the zip's central directory is read (classic and Zip64, which numpy writes for every
/// member): name, compression method, sizes and where each member's local header is. Stored
/// members (numpy.savez) are read in place as .npy arrays; deflated ones
/// (numpy.savez_compressed) are refused with a message saying how to re-save them.
struct NumPyZip {
    struct Member { let name: String; let method: Int; let size: Int; let localOffset: Int }
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
            members.append(Member(name: name, method: u16(cd, p + 10), size: size, localOffset: local))
            p += 46 + nameLength + extraLength + commentLength
        }
        self.members = members
    }

    /// The names of the arrays (member names without `.npy`).
    var arrayNames: [String] { members.map { $0.name.hasSuffix(".npy") ? String($0.name.dropLast(4)) : $0.name } }

    /// The array `name`, read in place.
    func array(_ name: String, in file: OpenFile) throws -> NumPyArray {
        guard let i = arrayNames.firstIndex(of: name) else {
            throw LinflowError.data("\(file.path): has no array '\(name)' (it holds: \(arrayNames.joined(separator: ", ")))")
        }
        let m = members[i]
        guard m.method == 0 else {
            throw LinflowError.data("\(file.path): array '\(name)' is compressed (numpy.savez_compressed, zip method \(m.method)); linflow reads numpy.savez (stored) archives: re-save with numpy.savez")
        }
        let local = file.bytes(at: m.localOffset, count: 30)
        guard local.count == 30, local[0] == 0x50, local[1] == 0x4B, local[2] == 3, local[3] == 4 else {
            throw LinflowError.data("\(file.path): corrupt zip local header of '\(m.name)'")
        }
        let start = m.localOffset + 30 + (Int(local[26]) | Int(local[27]) << 8) + (Int(local[28]) | Int(local[29]) << 8)
        guard start + m.size <= file.size else { throw LinflowError.data("\(file.path): truncated member '\(m.name)'") }
        return try NumPyArray(fd: file.fd, offset: start, length: m.size, label: "\(file.path):\(name)", allowVector: true)
    }
}
