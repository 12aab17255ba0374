import Synchronization
import LinFlowNumerics
import LinFlowIO

/// The data of a sweep's tasks read once per distinct input: a sweep that runs its tasks in this
/// process binds one cache (``current``) around them, and ``RunSetup`` takes the correlations
/// from it instead of reading the data again.
///
/// An entry is keyed on the whole data choice (the file's path, its input and output columns,
/// header and delimiter — or the built-in dataset's name) and the held-out choice (`--test`
/// file or split), and for each file read on the SHA-256 of its bytes, hashed afresh at every
/// look-up: a file changed between two tasks is read again,
/// so each task's record states the bytes its numbers come from, as when it runs alone.
/// Outside a sweep no cache is bound, and a run reads its data once, streaming, as always.
public final class DataCache: Sendable {
    /// The cache of the sweep this thread runs a task of, if any.
    @TaskLocal public static var current: DataCache?

    private struct Entry {
        let source: DataSource
        let heldOut: HeldOutChoice
        /// The SHA-256 of the data file and of the test file (nil for a built-in dataset, or
        /// without a test file).
        let sha256: String?
        let testSHA256: String?
        let data: LoadedData
    }

    private let entries = Mutex<[Entry]>([])

    public init() {}

    /// How many distinct inputs were read.
    public var count: Int { entries.withLock { $0.count } }

    /// The data of `source`, read at most once per distinct content. Loads happen under the
    /// lock: tasks that start together on the same data wait for one read instead of each
    /// doing their own.
    public func data(of source: DataSource, heldOut: HeldOutChoice = HeldOutChoice()) throws -> LoadedData {
        var sha256: String?, testSHA256: String?
        if case .file(let spec) = source {
            // Unreadable: the read itself reports why, as it would alone.
            guard let identity = FileIdentity(readingFile: spec.path) else { return try source.correlations(heldOut: heldOut) }
            sha256 = identity.sha256
        }
        if let test = heldOut.file {
            guard let identity = FileIdentity(readingFile: test) else { return try source.correlations(heldOut: heldOut) }
            testSHA256 = identity.sha256
        }
        return try entries.withLock { entries in
            if let hit = entries.first(where: {
                $0.source == source && $0.heldOut == heldOut && $0.sha256 == sha256 && $0.testSHA256 == testSHA256
            }) { return hit.data }
            let data = try source.correlations(heldOut: heldOut)
            // The bytes parsed are the ones hashed above unless a file changed in between;
            // then the entry is keyed on what was parsed.
            entries.append(Entry(source: source, heldOut: heldOut, sha256: data.file?.sha256 ?? sha256,
                                 testSHA256: data.test?.file?.sha256 ?? testSHA256, data: data))
            return data
        }
    }
}
