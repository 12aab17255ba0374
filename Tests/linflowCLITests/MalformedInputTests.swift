import Foundation
import Testing

/// Replays every file of the CSV corpus and every input the fuzzer ever crashed on
/// (Tests/Fixtures) through the executable: each is accepted or refused with one line and
/// exit 65, never a crash.
@Suite struct MalformedInputTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures")

    static var files: [String] {
        ["csv-corpus", "fuzz-regressions"].flatMap { dir -> [String] in
            let url = fixtures.appendingPathComponent(dir)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
            return names.sorted().map { url.appendingPathComponent($0).path }
        }
    }

    @Test func corpusIsPresent() {
        #expect(Self.files.count >= 20)
    }

    @Test(arguments: files)
    func acceptedOrRefusedOnOneLine(path: String) throws {
        let r = try CLI.run(["stats", "--data", path, "--outputs", "1"])
        let name = URL(fileURLWithPath: path).lastPathComponent
        if name.hasPrefix("valid") || ["constant-column.csv", "duplicate-column.csv"].contains(name) {
            #expect(r.status == 0, "\(name): \(r.stderr)")
        } else {
            #expect(r.status == 65, "\(name): \(r.status) \(r.stderr)")
            #expect(r.stderr.hasPrefix("linflow: error: \(path)"), "\(name): \(r.stderr)")
            #expect(r.stderr.split(separator: "\n").count == 1, "\(name): \(r.stderr)")
        }
    }

    /// Two identical input columns make Σ11 singular: the run still works, converges to the
    /// minimum-norm least-squares map, and both stats and simulate say so. (A constant column
    /// alone does not: Σ11 holds uncentred moments, and a constant input acts as a bias.)
    @Test func singularSigma11IsReported() throws {
        let path = Self.fixtures.appendingPathComponent("csv-corpus/duplicate-column.csv").path
        let stats = try CLI.run(["stats", "--data", path, "--outputs", "1"])
        #expect(stats.stdout.contains("Σ11 is singular (rank 1 of 2)"), "\(stats.stdout)")
        let sim = try CLI.run(["simulate", "--data", path, "--outputs", "1", "--hidden", "2", "--samples", "2", "--t-end", "5"])
        #expect(sim.status == 0)
        #expect(sim.stderr.contains("Σ11 is singular"))
    }
}
