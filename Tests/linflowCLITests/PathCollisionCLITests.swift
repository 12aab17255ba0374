import Foundation
import Testing

/// Rule: every file a command reads or writes is named before any work starts, and an output
/// that is an input, or two outputs in one file, is refused in one line with exit 64 — leaving
/// every existing file byte for byte as it was.
@Suite struct PathCollisionCLITests {
    /// Runs `arguments` in a directory holding a dataset, a finished run (CSV and HDF5, with
    /// records) and a planned sweep; returns the result and whether every file is unchanged.
    func refused(_ arguments: [String], mentions: String) throws {
        let dir = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try #require(try CLI.run(["datasets", "hierarchy", "-o", "d.csv"], in: dir).status == 0)
        try #require(try CLI.run(["simulate", "--t-end", "1", "--samples", "2", "-o", "run.csv"], in: dir).status == 0)
        try #require(try CLI.run(["simulate", "--t-end", "1", "--samples", "2", "-o", "run.h5"], in: dir).status == 0)
        try #require(try CLI.run(["sweep", "plan", "sw", "--grid", "seed=1,2", "--", "simulate", "--t-end", "1"], in: dir).status == 0)
        func snapshot() throws -> [String: Data] {
            var files: [String: Data] = [:]
            let all = FileManager.default.enumerator(atPath: dir.path)?.compactMap { $0 as? String } ?? []
            for name in all {
                var isDir: ObjCBool = false
                let path = dir.appendingPathComponent(name).path
                if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue {
                    files[name] = try Data(contentsOf: URL(fileURLWithPath: path))
                }
            }
            return files
        }
        let before = try snapshot()
        let r = try CLI.run(arguments, in: dir)
        #expect(r.status == 64, "\(arguments): \(r.stderr)")
        #expect(r.stderr.hasPrefix("linflow: error: ") && r.stderr.contains(mentions), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        #expect(try snapshot() == before, "\(arguments) changed a file")
    }

    @Test(arguments: [
        (["simulate", "--data", "d.csv", "--outputs", "15", "-o", "d.csv"], "is the file read as --data d.csv"),
        (["simulate", "--data", "./d.csv", "--outputs", "15", "-o", "sw/../d.csv"], "is the file read as --data ./d.csv"),
        (["simulate", "--init", "run.csv", "--t-end", "2", "-o", "run.csv"], "is the file read as --init run.csv"),
        (["descend", "--init", "run.h5", "--steps", "2", "-o", "run.h5"], "is the file read as --init run.h5"),
        (["simulate", "--t-end", "1", "-o", "a.csv", "--plot", "p.png", "--plot-script", "a.csv.json"], "the record a.csv.json"),
        (["simulate", "--t-end", "1", "-o", "a.csv", "--representations", "a.csv"], "is the file also written as --out a.csv"),
        (["simulate", "--t-end", "1", "-o", "a.csv", "--plot", "p.png", "--plot-script", "a.csv.partial"], "partial rows"),
        (["export", "run.h5", "--columns", "t", "-o", "run.h5"], "is the file read as the input run.h5"),
        (["rerun", "run.csv.json", "-o", "run.csv.json"], "is the file read as the record run.csv.json"),
        (["sweep", "collect", "sw", "-o", "sw/plan.json"], "is the file read as the plan sw/plan.json"),
        (["sweep", "collect", "sw", "-o", "sw/tasks/t.csv"], "inside the sweep's task directories"),
    ])
    func collisionIsRefusedBeforeAnyWork(arguments: [String], mentions: String) throws {
        try refused(arguments, mentions: mentions)
    }

    /// A symbolic link to the dataset is the dataset.
    @Test func aLinkIsTheFileItNames() throws {
        let dir = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try #require(try CLI.run(["datasets", "hierarchy", "-o", "d.csv"], in: dir).status == 0)
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("link.csv").path, withDestinationPath: "d.csv")
        let before = try Data(contentsOf: dir.appendingPathComponent("d.csv"))
        let r = try CLI.run(["simulate", "--data", "d.csv", "--outputs", "15", "-o", "link.csv"], in: dir)
        #expect(r.status == 64, "\(r.stderr)")
        #expect(try Data(contentsOf: dir.appendingPathComponent("d.csv")) == before)
    }
}
