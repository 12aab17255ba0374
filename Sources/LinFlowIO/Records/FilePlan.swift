#if canImport(Glibc)
import Glibc
#endif
import LinFlowNumerics

/// The files one command reads and writes, named before any work starts, so that a run never
/// replaces a file it reads or writes two things to one file (docs/reliability.md, "Paths").
///
/// Paths are compared as the file system resolves them: symbolic links and `..` followed, a
/// file that does not exist yet by its resolved directory. Standard output (`-`) and devices
/// (`/dev/null`, a pipe) are not files to protect and are left out.
public struct FilePlan: Sendable {
    struct Entry: Sendable {
        let what: String
        let path: String
        let key: String
        let writes: Bool
    }
    private var entries: [Entry] = []
    private var unnamed: String?

    public init() {}

    /// A file the command reads; `what` names it in a message (e.g. `"\(Setting.dataFile) d.csv"`).
    public mutating func reads(_ path: String?, as what: String) {
        add(path, what, writes: false)
    }

    /// A file the command writes.
    public mutating func writes(_ path: String?, as what: String) {
        add(path, what, writes: true)
    }

    /// A trajectory output and the files written beside it: its record `OUT.json`, and on a
    /// failed run `OUT.partial` with `OUT.partial.json`.
    public mutating func writesTrajectory(_ path: String?, as what: String) {
        guard let path, path != "-" else { return }
        writes(path, as: what)
        writes(RunRecord.path(for: path), as: "the record \(RunRecord.path(for: path)) of \(what)")
        writes(path + ".partial", as: "the partial rows \(path).partial of \(what)")
        writes(RunRecord.path(for: path + ".partial"), as: "the record \(path).partial.json of \(what)")
    }

    /// Refuses (exit 64) an output that is also an input, or two outputs in one file.
    public func check() throws(LinflowError) {
        if let unnamed { throw .usage("\(unnamed)needs a file name (or '-' for standard output)") }
        for (i, a) in entries.enumerated() where a.writes {
            // Any input of the same file, or an output named before this one.
            let clash = entries.indices.first { j in j != i && entries[j].key == a.key && (j < i || !entries[j].writes) }
            if let b = clash.map({ entries[$0] }) {
                throw .usage("\(a.what) is the file \(b.writes ? "also written as" : "read as") \(b.what); name another output (nothing was written)")
            }
        }
    }

    private mutating func add(_ path: String?, _ what: String, writes: Bool) {
        if path == "" && unnamed == nil { unnamed = what }
        guard let path, path != "-", !path.isEmpty, let key = Self.identity(of: path) else { return }
        entries.append(Entry(what: what, path: path, key: key, writes: writes))
    }

    /// The resolved absolute path of `path`, or nil for something that is not a regular file
    /// and not a file yet (a device, a pipe, a directory).
    static func identity(of path: String) -> String? {
        var st = stat()
        if stat(path, &st) == 0 {
            guard (st.st_mode & S_IFMT) == S_IFREG else { return nil }
            return resolved(path)
        }
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        return (resolved(directory) ?? directory) + "/" + name
    }

    static func resolved(_ path: String) -> String? {
        guard let r = realpath(path, nil) else { return nil }
        defer { free(r) }
        return String(cString: r)
    }
}

extension FilePlan {
    /// True if `path` (resolved as a file to be written) lies below `directory`.
    public static func isInside(_ path: String, directory: String) -> Bool {
        guard let dir = resolved(directory) else { return false }
        return (identity(of: path) ?? path).hasPrefix(dir + "/")
    }
}
