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

    /// The held-out samples are part of the key: a split, another split seed, and a test file
    /// whose bytes change each give their own entry, whose test correlations are their own.
    @Test func heldOutChoicesAreDistinctInputs() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = dir.appendingPathComponent("d.csv").path, test = dir.appendingPathComponent("t.csv").path
        let rows = (0..<40).map { k in "\(k % 7),\(k % 5),\(k % 3)" }.joined(separator: "\n")
        try ("x1,x2,y\n" + rows + "\n").write(toFile: data, atomically: true, encoding: .utf8)
        try "x1,x2,y\n1,2,3\n4,5,6\n".write(toFile: test, atomically: true, encoding: .utf8)
        let cache = DataCache()
        let source = DataSource.file(path: data, outputs: 1)
        _ = try cache.data(of: source)
        let split = try cache.data(of: source, heldOut: HeldOutChoice(fraction: 0.3, splitSeed: 1))
        let otherSeed = try cache.data(of: source, heldOut: HeldOutChoice(fraction: 0.3, splitSeed: 2))
        #expect(cache.count == 3)
        #expect(split.correlations.sampleCount + (split.test?.correlations.sampleCount ?? 0) == 40)
        #expect(split.correlations != otherSeed.correlations)
        let withTest = try cache.data(of: source, heldOut: HeldOutChoice(file: test))
        _ = try cache.data(of: source, heldOut: HeldOutChoice(file: test))
        #expect(cache.count == 4 && withTest.test?.correlations.sampleCount == 2)
        try "x1,x2,y\n1,2,3\n".write(toFile: test, atomically: true, encoding: .utf8)
        let changed = try cache.data(of: source, heldOut: HeldOutChoice(file: test))
        #expect(cache.count == 5 && changed.test?.correlations.sampleCount == 1)
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
