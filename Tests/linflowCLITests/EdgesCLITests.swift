import Foundation
import Testing
import LinFlowTestSupport

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

    /// Rule: data whose correlations cannot be held are refused when their width is known,
    /// before a row is read. 400 000 columns need about 7.7 TB (the n × n moments are 1.3 TB
    /// each), more than any machine the tests run on has.
    @Test func dataTooWideForMemoryAreRefused() throws {
        let dir = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("wide.csv").path
        let row = (0..<400_000).map { "\(($0 * 7919) % 13)" }.joined(separator: ",")
        try (row + "\n" + row + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let r = try CLI.run(["stats", "--data", path, "--outputs", "2"])
        #expect(r.status == 64, "\(r.stderr)")
        #expect(r.stderr.hasPrefix("linflow: error: the correlations of 399998 inputs and 2 outputs"), "\(r.stderr)")
        #expect(r.stderr.hasSuffix("select fewer input columns with --inputs\n"), "\(r.stderr)")
    }

    /// Rows are streamed and their times computed when written: two billion rows start at once
    /// in the memory of a small run (the run is stopped after its first rows).
    @Test func manyRowsTakeNoMemoryUpFront() throws {
        let dir = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("many.csv").path
        let p = try start(["simulate", "--samples", "2000000000", "--weights", "none", "--t-end", "1", "-o", out], dir: dir)
        try #require(CLI.waitForRows(of: "many.csv", in: dir, while: p), "the run never wrote a row")
        p.interrupt()
        p.waitUntilExit()
        #expect(p.terminationStatus == 130)
        #expect(FileManager.default.fileExists(atPath: out + ".partial"))
    }

    /// Rule: every signal that asks a run to end (the terminal closing, the quit key, a CPU limit)
    /// ends it as Ctrl-C does: exit 130, the rows so far in OUT.partial, no temporary file.
    @Test(arguments: [SIGHUP, SIGQUIT, SIGXCPU, SIGTERM])
    func endingSignalsKeepTheRows(signal: Int32) throws {
        let dir = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("long.csv").path
        let p = try start(["simulate", "--t-end", "1e7", "--samples", "100000", "--rtol", "1e-13", "--atol", "1e-15", "-o", out], dir: dir)
        try #require(CLI.waitForRows(of: "long.csv", in: dir, while: p), "the run never wrote a row")
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
        try #require(CLI.waitForRows(of: "long.csv", in: dir, while: p), "the run never wrote a row")
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

    /// Rule: a name that heads two columns cannot select one of them (refused, not the first).
    @Test func repeatedColumnNamesAreRefusedWhenNamed() throws {
        let dir = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try "y,y,y3,y4\n1,2,3,4\n2,1,4,3\n3,5,1,2\n".write(to: dir.appendingPathComponent("d.csv"), atomically: true, encoding: .utf8)
        for outputs in ["y,y3", "y*"] {
            let r = try CLI.run(["stats", "--data", "d.csv", "--outputs", outputs], in: dir)
            #expect(r.status == 65, "\(outputs): \(r.stderr)")
            #expect(r.stderr.contains("2 columns are named 'y' (columns 1, 2)"), "\(r.stderr)")
        }
        // By count there is nothing to tell apart.
        #expect(try CLI.run(["stats", "--data", "d.csv", "--outputs", "2"], in: dir).status == 0)
    }

    /// Rule: a sweep collects one version of each input: tasks that read different contents
    /// of the data file (it changed between `sweep run`s) are refused.
    @Test func sweepRefusesToCollectTwoVersionsOfItsData() throws {
        let dir = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = dir.appendingPathComponent("d.csv")
        try "x,y\n1,2\n2,3.9\n3,6.2\n".write(to: data, atomically: true, encoding: .utf8)
        let plan = try CLI.run(["sweep", "plan", "sw", "--grid", "seed=1,2", "--", "simulate", "--data", "d.csv",
                                "--outputs", "1", "--t-end", "1", "--samples", "2"], in: dir)
        try #require(plan.status == 0, "\(plan.stderr)")
        #expect(try CLI.run(["sweep", "run", "sw", "--task", "0"], in: dir).status == 0)
        try "x,y\n1,2\n2,4.1\n3,5.8\n".write(to: data, atomically: true, encoding: .utf8)
        #expect(try CLI.run(["sweep", "run", "sw"], in: dir).status == 0)
        let r = try CLI.run(["sweep", "collect", "sw"], in: dir)
        #expect(r.status == 65, "\(r.stderr)")
        #expect(r.stderr.contains("tasks 0 and 1 read different contents of d.csv"), "\(r.stderr)")
    }

    /// Rule: an option that would make every task of a sweep write one file is refused.
    @Test func sweepRefusesSharedRepresentations() throws {
        let dir = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try CLI.run(["sweep", "plan", "sw", "--grid", "seed=1,2", "--", "simulate", "--representations", "r.csv"], in: dir)
        #expect(r.status == 64, "\(r.stderr)")
        #expect(r.stderr.contains("--representations cannot be among a sweep's options"), "\(r.stderr)")
    }

    /// Small rules: each refused in one line, before any work, naming what to do.
    @Test(arguments: [
        (["simulate", "--seed", "1", "--seed", "2"], 64, "--seed is given twice; give it once"),
        (["simulate", "-o", "a.csv", "--out", "b.csv"], 64, "--out is given twice ('-o' and '--out')"),
        (["sweep", "plan", "sw", "--grid", "lr=0.1,1e-1", "--", "descend"], 64, "--lr lists the value 0.1 twice (as 0.1 and 1e-1)"),
        (["datasets", "hierarchy", "-o", "h.npy"], 64, "datasets writes CSV; give the file a .csv name"),
        (["simulate", "--rtol", "1e-20"], 64, "--rtol 1e-20 is below double precision"),
        (["simulate", "-o", ""], 64, "--out needs a file name"),
        (["sweep", "run", "nowhere", "--task", "1"], 66, "nowhere"),
        (["sweep", "run", "nowhere", "--task", "-1"], 64, "--task takes task ids separated by commas, e.g. 7 or 4,5,6, got '-1'"),
        (["sweep", "slurm", "nowhere", "--array-limit", "-2"], 64, "--array-limit must be at least 1, got -2"),
        (["plot", "nowhere.csv", "--size", "-5,3", "-o", "p.png"], 64, "--size takes WIDTH,HEIGHT in pixels between 100 and 10000, got '-5,3'"),
    ])
    func smallRules(arguments: [String], status: Int32, message: String) throws {
        let dir = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try CLI.run(arguments, in: dir)
        #expect(r.status == status, "\(arguments): \(r.stderr)")
        #expect(r.stderr.hasPrefix("linflow: error: ") && r.stderr.contains(message), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty, "\(arguments) wrote a file")
    }

    /// A record or plan cut short says so, not "not a record".
    @Test func brokenJSONIsNamedAsSuch() throws {
        let dir = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try #"{"arguments": ["simulate""#.write(to: dir.appendingPathComponent("r.json"), atomically: true, encoding: .utf8)
        let r = try CLI.run(["rerun", "r.json"], in: dir)
        #expect(r.status == 65 && r.stderr.contains("r.json: not valid JSON"), "\(r.stderr)")
        try #require(try CLI.run(["sweep", "plan", "sw", "--grid", "seed=1,2", "--", "simulate", "--t-end", "1"], in: dir).status == 0)
        try "{".write(to: dir.appendingPathComponent("sw/plan.json"), atomically: true, encoding: .utf8)
        let s = try CLI.run(["sweep", "status", "sw"], in: dir)
        #expect(s.status == 65 && s.stderr.contains("plan.json: not valid JSON"), "\(s.stderr)")
    }

    /// Rule: a task directory without a readable outcome does not wedge the sweep: the next
    /// run does the task again and finishes it.
    @Test func aBrokenTaskDirectoryIsRedone() throws {
        let dir = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try #require(try CLI.run(["sweep", "plan", "sw", "--grid", "seed=1,2", "--", "simulate", "--t-end", "1", "--samples", "2"], in: dir).status == 0)
        #expect(try CLI.run(["sweep", "run", "sw"], in: dir).status == 0)
        try "".write(to: dir.appendingPathComponent("sw/tasks/0/outcome.json"), atomically: true, encoding: .utf8)
        #expect(try CLI.run(["sweep", "status", "sw"], in: dir).stdout.hasPrefix("2 tasks: 1 complete"))
        #expect(try CLI.run(["sweep", "run", "sw"], in: dir).status == 0)
        #expect(try CLI.run(["sweep", "status", "sw"], in: dir).stdout.hasPrefix("2 tasks: 2 complete"))
    }

    /// Rule: two runners on one sweep never both report a task complete: the first to finish
    /// keeps its result, the other says its attempt was discarded.
    @Test func concurrentRunnersDoNotBothClaimATask() throws {
        let dir = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try #require(try CLI.run(["sweep", "plan", "sw", "--grid", "seed=1", "--", "descend", "--steps", "20000",
                                  "--every", "10000", "--no-sharpness"], in: dir).status == 0)
        func runner() throws -> (Process, Pipe) {
            let p = Process(), err = Pipe()
            p.executableURL = CLI.executable
            p.arguments = ["sweep", "run", "sw"]
            p.currentDirectoryURL = dir
            p.standardError = err
            p.standardOutput = FileHandle.nullDevice
            try p.run()
            return (p, err)
        }
        let (a, aErr) = try runner(), (b, bErr) = try runner()
        let texts = [aErr, bErr].map { String(decoding: $0.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) }
        a.waitUntilExit()
        b.waitUntilExit()
        #expect(a.terminationStatus == 0 && b.terminationStatus == 0, "\(texts)")
        let claims = texts.filter { $0.contains("task 0 (seed=1): complete in") }
        #expect(claims.count == 1, "\(texts)")
        #expect(try CLI.run(["sweep", "status", "sw"], in: dir).stdout.hasPrefix("1 tasks: 1 complete"))
    }

    /// Rule: the library names settings by markers that only the executable renders; none may
    /// reach a user. Every kind of library text — summaries, notes, warnings, reports, errors —
    /// on stdout and stderr.
    @Test(arguments: [
        ["stats", "--dataset", "seed-affine", "--bias"],
        ["simulate", "--t-end", "2"],
        ["simulate", "--init-scale", "0", "--t-end", "2"],
        ["descend", "--lr", "5", "--steps", "3"],
        ["compare", "--lr", "0.5", "--steps", "4"],
        ["analytic", "--no-check", "--t-end", "2"],
        ["simulate", "--max-steps", "3"],
        ["simulate", "--init", "aligned", "--weights", "W99"],
        ["plot", "nowhere.csv", "-o", "p.png"],
        ["sweep", "status", "nowhere"],
    ])
    func noSettingMarkerReachesTheUser(arguments: [String]) throws {
        let dir = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try CLI.run(arguments, in: dir)
        #expect(!r.stdout.contains("\u{27E6}") && !r.stderr.contains("\u{27E6}"), "\(arguments): \(r.stderr)")
        #expect(!r.stdout.contains("`") || arguments.first == "stats" && !r.stdout.contains("`bias`"), "\(arguments)")
    }

    /// `stats -o FILE.json`: every figure to full precision, against the least-squares fit of
    /// seed-affine worked by hand: z ≈ w1 x1 + w2 x2 + b on (0,0)→1, (1,0)→2.9, (0,1)→0.2,
    /// (1,1)→2.2 has w1 = 1.95, w2 = −0.75, b = 0.975, residuals ±0.025, L* = ½·0.025² = 1/3200.
    @Test func statsWritesItsFiguresAsJSON() throws {
        let dir = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try CLI.run(["stats", "--dataset", "seed-affine", "--bias", "-o", "s.json"], in: dir)
        try #require(r.status == 0, "\(r.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("s.json"))) as! [String: Any]
        let map = (json["least_squares_map"] as! [[Double]])[0]
        for (got, want) in zip(map, [1.95, -0.75, 0.975]) { #expect(abs(got - want) < 1e-14, "\(map)") }
        #expect(abs((json["loss_floor"] as! Double) - 1.0 / 3200) < 1e-16)
        // Σ11 of x̃ = [x1, x2, 1]: E[x1²] = 1/2, E[x1 x2] = 1/4, E[x1] = 1/2, …
        #expect(json["sigma11"] as! [[Double]] == [[0.5, 0.25, 0.5], [0.25, 0.5, 0.5], [0.5, 0.5, 1]])
        #expect(try CLI.run(["stats", "-o", "s.txt"], in: dir).status == 64)
    }

    /// Fewer samples than inputs (N = 3, n = 120): the least-squares map interpolates the samples,
    /// so the floor is 0 to rounding and X W*ᵀ = y, checked on the samples themselves. (The
    /// rotation of the mean row into R_x once divided 0 by 0 here.)
    @Test func widerThanLongDataInterpolates() throws {
        let dir = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var g = SplitMix64(seed: 11)
        var rows: [[Double]] = []
        for _ in 0..<3 { rows.append((0..<121).map { _ in g.normal() }) }
        let lines: [String] = rows.map { row in row.map { String($0) }.joined(separator: ",") }
        try (lines.joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent("wide.csv"), atomically: true, encoding: .utf8)
        let r = try CLI.run(["stats", "--data", "wide.csv", "--outputs", "1", "--header", "no", "-o", "s.json"], in: dir)
        try #require(r.status == 0, "\(r.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("s.json"))) as! [String: Any]
        let w = (json["least_squares_map"] as! [[Double]])[0]
        #expect((json["loss_floor"] as! Double) < 1e-20)
        // The report abbreviates what would be n² numbers; the JSON holds them all.
        #expect(r.stdout.contains("(the first 20 rows and 16 columns of 120×120; all of them with --out FILE.json)"), "\(r.stdout.prefix(400))")
        #expect(r.stdout.utf8.count < 20_000)
        #expect((json["sigma11"] as! [[Double]]).count == 120)
        for row in rows {
            var fit = 0.0
            for j in 0..<120 { fit += w[j] * row[j] }
            // Three random normal rows of 120 are well conditioned (κ(X) ≲ 1.5), so the fit is
            // exact to ~κ·n·ε ≈ 1e-13; the bound leaves four decades for any BLAS kernel.
            #expect(abs(fit - row[120]) < 1e-9 * (1 + abs(row[120])), "\(fit) vs \(row[120])")
        }
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
}
