import Foundation
import Testing

/// The edges of issue 21, one rule each, through the built executable.
@Suite struct EdgesCLITests {
    /// Rule: sizes are checked arithmetic, and what cannot be held is refused in one line
    /// (exit 64) before anything is allocated — never a trap or an allocator abort.
    @Test(arguments: [
        (["simulate", "--hidden", "9223372036854775807"], "more weights than any machine could hold"),
        (["simulate", "--layers", "8,3037000500,3037000500,15"], "more weights than any machine could hold"),
        (["simulate", "--hidden", "1000000000"], "of memory; this machine has"),
        (["descend", "--hidden", "1000000000", "--steps", "1"], "of memory; this machine has"),
        (["simulate", "--samples", "9223372036854775807"], "--samples must be at most 9007199254740992"),
        (["simulate", "--t-end", "5e-324", "--samples", "3"], "closer than double precision separates"),
    ])
    func hugeSizesAreRefused(arguments: [String], message: String) throws {
        let r = try CLI.run(arguments + ["-o", "/dev/null"])
        #expect(r.status == 64, "\(arguments): \(r.stderr)")
        #expect(r.stderr.hasPrefix("linflow: error: ") && r.stderr.contains(message), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
    }

    /// Rows are streamed and their times computed when written: two billion rows start at once
    /// in the memory of a small run (the run is stopped after its first rows).
    @Test func manyRowsTakeNoMemoryUpFront() throws {
        let dir = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("many.csv").path
        let p = try start(["simulate", "--samples", "2000000000", "--weights", "none", "--t-end", "1", "-o", out], dir: dir)
        try waitForRows(of: "many.csv", in: dir, process: p)
        p.interrupt()
        p.waitUntilExit()
        #expect(p.terminationStatus == 130)
        #expect(FileManager.default.fileExists(atPath: out + ".partial"))
    }

    /// Rule: every signal that asks a run to end (a dropped ssh session, Ctrl-\, a CPU limit)
    /// ends it as Ctrl-C does: exit 130, the rows so far in OUT.partial, no temporary file.
    @Test(arguments: [SIGHUP, SIGQUIT, SIGXCPU, SIGTERM])
    func endingSignalsKeepTheRows(signal: Int32) throws {
        let dir = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("long.csv").path
        let p = try start(["simulate", "--t-end", "1e7", "--samples", "100000", "--rtol", "1e-13", "--atol", "1e-15", "-o", out], dir: dir)
        try waitForRows(of: "long.csv", in: dir, process: p)
        kill(p.processIdentifier, signal)
        p.waitUntilExit()
        #expect(p.terminationStatus == 130, "signal \(signal)")
        #expect(p.terminationReason == .exit)
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        #expect(names == ["long.csv.partial", "long.csv.partial.json"], "signal \(signal): \(names)")
    }

    /// Rule: no leftovers. A run killed where it cannot clean up (SIGKILL) leaves its temporary
    /// file; the next run of the same output removes it. A complete output removes the
    /// OUT.partial an earlier failed run kept.
    @Test func leftoversAreRemovedByTheNextRun() throws {
        let dir = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("long.csv").path
        let p = try start(["simulate", "--t-end", "1e7", "--samples", "100000", "--rtol", "1e-13", "--atol", "1e-15", "-o", out], dir: dir)
        try waitForRows(of: "long.csv", in: dir, process: p)
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).contains { $0.hasPrefix(".long.csv.") })
        // A failed run: its rows kept as OUT.partial, the killed run's file gone.
        let failed = try CLI.run(["simulate", "--t-end", "80", "--max-steps", "5", "-o", out])
        #expect(failed.status == 3, "\(failed.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["long.csv.partial", "long.csv.partial.json"])
        // A complete run: no stale partial beside it.
        #expect(try CLI.run(["simulate", "--t-end", "2", "-o", out]).status == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["long.csv", "long.csv.json"])
    }

    /// Rule: a seed draws its own numbers. The generator takes 32 bits, so a larger seed (which
    /// would draw a smaller one's start) is refused, as is the one seed 0 stands for.
    @Test(arguments: [["--seed", "4294967296"], ["--seed", "2654435769"]])
    func seedsThatWouldRepeatAnotherAreRefused(arguments: [String]) throws {
        let r = try CLI.run(["simulate", "--t-end", "1"] + arguments)
        #expect(r.status == 64, "\(r.stderr)")
        #expect(r.stderr.contains("--seed") && r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        let largest = try CLI.run(["simulate", "--t-end", "1", "--samples", "1", "--seed", "4294967295"])
        let one = try CLI.run(["simulate", "--t-end", "1", "--samples", "1", "--seed", "1"])
        #expect(largest.status == 0 && one.status == 0)
        #expect(largest.stdout != one.stdout)
    }

    func start(_ arguments: [String], dir: URL) throws -> Process {
        let p = Process()
        p.executableURL = CLI.executable
        p.arguments = arguments
        p.currentDirectoryURL = dir
        p.standardError = FileHandle.nullDevice
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        return p
    }

    /// Waits for the event that a run is mid-way: rows have reached its temporary file.
    func waitForRows(of output: String, in dir: URL, process p: Process) throws {
        func written() -> Bool {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
            return names.contains { name in
                name.hasPrefix(".\(output).")
                    && ((try? FileManager.default.attributesOfItem(atPath: dir.appendingPathComponent(name).path)[.size] as? Int) ?? 0) > 0
            }
        }
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline, p.isRunning, !written() { Thread.sleep(forTimeInterval: 0.01) }
        try #require(written(), "the run never wrote a row")
    }
}
