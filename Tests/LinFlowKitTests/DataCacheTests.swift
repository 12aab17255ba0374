import Foundation
import Testing
import LinFlowIO
import LinFlowRuns

/// The data of a sweep's in-process tasks are read once per distinct input: the same file,
/// columns and bytes give one entry; other columns, or the file's bytes changed, another.
@Suite struct DataCacheTests {
    @Test func oneReadPerDistinctInput() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString + ".csv").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "x1,x2,y\n1,2,3\n4,5,6\n-1,0.5,2\n".write(toFile: path, atomically: true, encoding: .utf8)
        let cache = DataCache()
        let source = DataSource.file(path: path, outputs: 1)
        let first = try cache.data(of: source)
        let again = try cache.data(of: source)
        #expect(cache.count == 1)
        #expect(first.file == again.file && first.correlations.sampleCount == 3)
        // Other columns of the same file: another input.
        _ = try cache.data(of: DataSource.file(path: path, outputs: 2))
        #expect(cache.count == 2)
        // The same path with other bytes is read again, and its record states the new bytes.
        try "x1,x2,y\n1,2,3\n4,5,6\n".write(toFile: path, atomically: true, encoding: .utf8)
        let changed = try cache.data(of: source)
        #expect(cache.count == 3)
        #expect(changed.correlations.sampleCount == 2 && changed.file?.sha256 != first.file?.sha256)
        // Built-in data are keyed on their name.
        _ = try cache.data(of: .builtin("hierarchy"))
        _ = try cache.data(of: .builtin("hierarchy"))
        #expect(cache.count == 4)
    }

    /// Bound around a run, the cache gives RunSetup the same data a fresh read gives.
    @Test func runSetupTakesTheBoundCachesData() throws {
        let cache = DataCache()
        var request = RunRequest(command: .simulate, arguments: [])
        request.data = DataChoice(dataset: "hierarchy")
        let alone = try RunSetup(request)
        let cached = try DataCache.$current.withValue(cache) { try RunSetup(request) }
        #expect(cache.count == 1)
        #expect(alone.data.record as NSDictionary == cached.data.record as NSDictionary)
        #expect(alone.start == cached.start)
    }
}
