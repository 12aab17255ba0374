#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import LinFlowNumerics

/// Where a run writes its table: standard output, or a file that appears only when complete.
///
/// A file is written to a temporary sibling (same directory, so the final rename is atomic) and
/// renamed over the destination by ``commit()``. An existing file at the destination is
/// therefore either left untouched or replaced by a complete new one. A run that fails part-way
/// can keep what it wrote under `DEST.partial` (``keepPartial()``); otherwise the temporary file
/// is removed.
public final class OutputFile {
    public let path: String?
    private let fd: Int32
    private var tempPath: String?
    private var buffer: [UInt8] = []
    private var finished = false
    public private(set) var bytesWritten = 0

    /// `path == nil` or `"-"` means standard output.
    public init(path: String?) throws {
        guard let path, path != "-" else {
            self.path = nil
            fd = STDOUT_FILENO
            buffer.reserveCapacity(1 << 16)
            return
        }
        self.path = path
        var st = stat()
        if stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR {
            throw LinflowError.cannotCreate("\(path): is a directory")
        }
        // A device or pipe (/dev/stdout, a FIFO, /dev/full) is written in place: there is no
        // file to protect, and renaming over it would replace the device node.
        if stat(path, &st) == 0, (st.st_mode & S_IFMT) != S_IFREG {
            let f = open(path, O_WRONLY)
            if f < 0 {
                throw LinflowError.cannotCreate("\(path): \(String(cString: strerror(errno)))")
            }
            fd = f
            tempPath = nil
            buffer.reserveCapacity(1 << 16)
            return
        }
        (fd, tempPath) = try Self.temporarySibling(of: path)
        buffer.reserveCapacity(1 << 16)
    }

    deinit {
        if !finished { discard() }
    }

    /// Creates an empty file beside `path` (same directory, so that renaming it over `path` is
    /// atomic) with the mode a new file of the user gets; returns its descriptor and name.
    ///
    /// The name, `.NAME.linflow-HOST-PID-XXXXXX`, says which process writes it: a run killed
    /// where it could not clean up (SIGKILL, the OOM killer) leaves its file behind, and the next
    /// run of the same output on the same host removes those whose process is gone.
    static func temporarySibling(of path: String) throws -> (fd: Int32, path: String) {
        let dir: String
        let base: String
        if let slash = path.lastIndex(of: "/") {
            dir = slash == path.startIndex ? "/" : String(path[..<slash])
            base = String(path[path.index(after: slash)...])
        } else {
            dir = "."
            base = path
        }
        removeAbandonedSiblings(in: dir, of: base)
        var template = Array("\(dir)/\(temporaryPrefix(of: base))\(getpid())-XXXXXX".utf8CString)
        let f = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        if f < 0 {
            throw LinflowError.cannotCreate("\(path): cannot create the output file in '\(dir)': \(String(cString: strerror(errno)))")
        }
        // mkstemp creates the file 0600; give it the mode any new file of the user would have.
        fchmod(f, 0o666 & ~creationMask)
        return (f, String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }

    /// The process's umask, read once. Reading it means setting it (umask(0), then back), which
    /// would let a file or directory created meanwhile on another thread (a sweep's tasks run
    /// in-process) get mode 0666/0777; Linux shows it in /proc/self/status without that.
    static let creationMask: mode_t = {
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
           let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Umask:") }),
           let mask = mode_t(line.dropFirst("Umask:".count).trimmingCharacters(in: .whitespaces), radix: 8) {
            return mask
        }
        let mask = umask(0)
        umask(mask)
        return mask
    }()

    /// `.NAME.linflow-HOST-`: what the temporary files of output NAME written on this host start with.
    static func temporaryPrefix(of base: String) -> String {
        var host = [CChar](repeating: 0, count: 256)
        gethostname(&host, host.count - 1)
        let name = String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return ".\(base).linflow-\(name.isEmpty ? "localhost" : name)-"
    }

    /// Removes this host's temporary files of output `base` whose writing process has ended.
    static func removeAbandonedSiblings(in dir: String, of base: String) {
        let prefix = temporaryPrefix(of: base)
        guard let d = opendir(dir) else { return }
        defer { closedir(d) }
        while let entry = readdir(d) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard name.hasPrefix(prefix), let pid = Int32(name.dropFirst(prefix.count).prefix { $0 != "-" }) else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { unlink("\(dir)/\(name)") }
        }
    }

    /// True if `path` names a regular file (following links).
    public static func isRegularFile(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
    }

    /// The sibling file that ``commit()`` renames over the destination (nil on stdout), for a
    /// program such as gnuplot that writes the content itself.
    public var temporaryPath: String? { tempPath }

    public func write(_ s: String) throws {
        buffer.append(contentsOf: s.utf8)
        if buffer.count >= 1 << 16 { try flush() }
    }

    public func write<Bytes: Collection>(bytes: Bytes) throws where Bytes.Element == UInt8 {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 16 { try flush() }
    }

    /// Writes `values` as one CSV line (``CSVRow``'s numbers), formatted straight into the buffer.
    public func writeLine(_ values: [Double]) throws {
        CSVRow.appendLine(values, to: &buffer)
        if buffer.count >= 1 << 16 { try flush() }
    }

    public func flush() throws {
        guard !buffer.isEmpty else { return }
        try buffer.withUnsafeBytes { raw in
            var off = 0
            while off < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + off, raw.count - off)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw LinflowError.cannotCreate("\(path ?? "standard output"): write failed: \(String(cString: strerror(errno)))")
                }
                off += n
            }
        }
        bytesWritten += buffer.count
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes, syncs and renames the temporary file over the destination. The sync is left
    /// to the directory's owner for a file in one of the ``SyncedDirectories``.
    public func commit() throws {
        try flush()
        finished = true
        guard let path, let tempPath else {
            if self.path != nil { close(fd) }
            return
        }
        let synced = SyncedDirectories.covers(path) || fsync(fd) == 0
        if !synced || close(fd) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(tempPath)
            throw LinflowError.cannotCreate("\(path): \(reason)")
        }
        try Self.install(tempPath, as: path)
    }

    /// Renames a complete temporary sibling over `path` (atomic: `path` is either the old file
    /// or the new one); on failure the temporary file is removed. The one place a finished output
    /// replaces the user's file, for CSV and HDF5 alike.
    /// A complete output makes the rows an earlier failed run kept (`path.partial` and its
    /// record) obsolete: they are removed, so that no stale partial file sits beside it.
    static func install(_ temporary: String, as path: String) throws {
        if rename(temporary, path) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw LinflowError.cannotCreate("\(path): cannot replace the file: \(reason)")
        }
        unlink(path + ".partial")
        unlink(path + ".partial.json")
    }

    /// Renames what a failed run wrote to `path.partial` and returns that name; on failure
    /// removes it and returns nil.
    static func installPartial(_ temporary: String, of path: String) -> String? {
        let partial = path + ".partial"
        guard rename(temporary, partial) == 0 else {
            unlink(temporary)
            return nil
        }
        return partial
    }

    /// Keeps the rows written so far as `DEST.partial` and returns that name (nil on stdout).
    @discardableResult
    public func keepPartial() -> String? {
        try? flush()
        finished = true
        guard let path, let tempPath else {
            if self.path != nil { close(fd) }
            return nil
        }
        close(fd)
        return Self.installPartial(tempPath, of: path)
    }

    /// Removes the temporary file; the destination is untouched.
    public func discard() {
        finished = true
        if path != nil { close(fd) }
        guard let tempPath else { return }
        unlink(tempPath)
    }
}
