#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import LinFlowNumerics

/// Directories whose files are made durable by whoever moves the directory into place, not
/// one by one: a sweep's attempt directory, whose files (the CSV, its record, the outcome, the
/// log) are flushed together by ``sync(_:)`` just before the attempt is renamed to `tasks/ID`.
/// ``OutputFile/commit()`` of a file directly in such a directory skips its own fsync, which
/// would guarantee nothing more: the file's final name is only reached by that rename.
public enum SyncedDirectories {
    private static let paths = Mutex<Set<String>>([])

    public static func add(_ directory: String) { _ = paths.withLock { $0.insert(directory) } }
    public static func remove(_ directory: String) { _ = paths.withLock { $0.remove(directory) } }

    /// True if `path` lies directly in a directory of this set (as spelled when added).
    static func covers(_ path: String) -> Bool {
        guard let slash = path.lastIndex(of: "/") else { return false }
        let directory = String(path[..<slash])
        return paths.withLock { $0.contains(directory) }
    }

    /// Flushes every regular file directly in `directory`, then the directory's own entries,
    /// so that after a crash of the machine a rename of the directory that survived finds
    /// them complete.
    public static func sync(_ directory: String) throws(LinflowError) {
        guard let d = opendir(directory) else { throw failure(directory) }
        defer { closedir(d) }
        let dirFD = dirfd(d)
        while let entry = readdir(d) {
            guard entry.pointee.d_type == UInt8(DT_REG) || entry.pointee.d_type == UInt8(DT_UNKNOWN) else { continue }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            let fd = openat(dirFD, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
            if fd < 0 {
                // Not a file we can open (a directory of the DT_UNKNOWN kind, say): nothing to flush.
                if errno == ELOOP || errno == EISDIR { continue }
                throw failure(directory + "/" + name)
            }
            var st = stat()
            let regular = fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
            let synced = !regular || fsync(fd) == 0
            close(fd)
            if !synced { throw failure(directory + "/" + name) }
        }
        if fsync(dirFD) != 0 { throw failure(directory) }
    }

    private static func failure(_ path: String) -> LinflowError {
        .cannotCreate("\(path): cannot flush to disk: \(String(cString: strerror(errno)))")
    }
}
