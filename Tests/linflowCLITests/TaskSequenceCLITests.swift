import Foundation
import Testing

/// `--then FILE@T`: a sequence of tasks, through the built executable.
@Suite struct TaskSequenceCLITests {
    /// A.csv, the hierarchy, and B.csv, the same items with the properties in reverse order (another
    /// task on the same inputs), in a fresh directory.
    static func tasks() throws -> URL {
        let dir = CLI.temporaryDirectory()
        try CLI.run(["datasets", "hierarchy", "-o", "A.csv"], in: dir)
        let a = try String(contentsOf: dir.appendingPathComponent("A.csv"), encoding: .utf8)
        let b = a.split(separator: "\n").map { line -> String in
            let cells = line.split(separator: ",", omittingEmptySubsequences: false)
            return (cells.prefix(8) + cells.dropFirst(8).reversed()).joined(separator: ",")
        }.joined(separator: "\n") + "\n"
        try b.write(to: dir.appendingPathComponent("B.csv"), atomically: true, encoding: .utf8)
        // C.csv: one item's input column less, so its tasks have 7 inputs.
        let c = a.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).dropFirst().joined(separator: ",") }
        try (c.joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent("C.csv"), atomically: true, encoding: .utf8)
        return dir
    }

    static let common = ["--outputs", "15", "--init", "balanced", "--init-scale", "0.1", "--rtol", "1e-12", "--atol", "1e-14",
                         "--diagnostics", "none"]

    /// A switch at t = 13.7, between the rows at 10 and 20, is where the flow changes task, not the
    /// next row: the run equals A integrated to 13.7 and then B from there (two runs chained by
    /// --init) to the integrators' tolerance; a switch taken at a row instead would differ by O(1).
    /// Before the switch `loss` is loss_task1, after it loss_task2; no row is written at 13.7.
    @Test func aSwitchBetweenRowsIsAnIntegrationBoundary() throws {
        let dir = try Self.tasks()
        let seq = try CLI.run(["simulate", "--data", "A.csv", "--then", "B.csv@13.7", "--t-end", "30", "--samples", "3", "-o", "seq.csv"]
                              + Self.common, in: dir)
        #expect(seq.status == 0, "\(seq.stderr)")
        let first = try CLI.run(["simulate", "--data", "A.csv", "--t-end", "13.7", "--samples", "1", "-o", "a.csv"] + Self.common, in: dir)
        #expect(first.status == 0, "\(first.stderr)")
        let chained = Self.common.filter { !["--init", "balanced", "--init-scale", "0.1"].contains($0) }
        let second = try CLI.run(["simulate", "--data", "B.csv", "--init", "a.csv", "--t-end", "30", "--samples", "1", "-o", "b.csv"] + chained, in: dir)
        #expect(second.status == 0, "\(second.stderr)")
        let (h, rows) = parseCSV(try String(contentsOf: dir.appendingPathComponent("seq.csv"), encoding: .utf8))
        let (hb, rb) = parseCSV(try String(contentsOf: dir.appendingPathComponent("b.csv"), encoding: .utf8))
        #expect(rows.map { $0[0] } == [0, 10, 20, 30])
        #expect(Array(h.prefix(5)) == ["t", "loss", "excess_loss", "loss_task1", "loss_task2"])
        let weights = h.indices.filter { h[$0].hasPrefix("W") }
        let d = weights.map { abs(rows[3][$0] - rb[1][hb.firstIndex(of: h[$0])!]) }.max()!
        #expect(d < 1e-9, "largest weight difference to the chained runs: \(d)")
        #expect(rows[1][1] == rows[1][3] && rows[2][1] == rows[2][4] && rows[3][1] == rows[3][4])
        // Loss on B after the switch is B's own loss of those weights (the chained run's loss column).
        #expect(abs(rows[3][4] - rb[1][1]) < 1e-9)
        let record = try String(contentsOf: dir.appendingPathComponent("seq.csv.json"), encoding: .utf8)
        #expect(record.contains("\"from_t\" : 13.7") && record.contains("\"role\" : \"task2\""))
        // The record repeats the run to the byte.
        let again = try CLI.run(["rerun", "seq.csv.json", "-o", "again.csv"], in: dir)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(FileManager.default.contents(atPath: dir.appendingPathComponent("again.csv").path)
                == FileManager.default.contents(atPath: dir.appendingPathComponent("seq.csv").path))
    }

    /// Refusals in one line, exit 64, before any work: times not increasing, beyond --t-end, not
    /// after the start, without --data, the held-out form, and a task with other shapes (exit 65).
    @Test func refusals() throws {
        let dir = try Self.tasks()
        let cases: [([String], Int32, String)] = [
            (["--data", "A.csv", "--outputs", "15", "--then", "B.csv@30", "--then", "A.csv@20"], 64, "--then times must increase"),
            (["--data", "A.csv", "--outputs", "15", "--then", "B.csv@90", "--t-end", "80"], 64, "the switch is not before --t-end 80"),
            (["--data", "A.csv", "--outputs", "15", "--then", "B.csv@0"], 64, "the switch must come after the start"),
            (["--then", "B.csv@3"], 64, "--then needs --data"),
            (["--data", "A.csv", "--outputs", "15", "--then", "B.csv@3:T.csv"], 64, "FILE@T:TESTFILE needs --test for the first task's test file"),
            (["--data", "A.csv", "--outputs", "15", "--test", "A.csv", "--then", "B.csv@3:B.csv", "--then", "A.csv@4"], 64,
             "--then A.csv@4 has no test file but B.csv@3 has one"),
            (["--data", "A.csv", "--outputs", "15", "--test-fraction", "0.25", "--then", "B.csv@3"], 64, "--test-fraction with --then"),
            (["--data", "A.csv", "--outputs", "15", "--test", "A.csv", "--then", "B.csv@3:"], 64, "the test file after ':' is empty"),
            (["--data", "A.csv", "--outputs", "15", "--then", "B.csv"], 64, "--then takes FILE@T"),
            (["--data", "A.csv", "--outputs", "15", "--then", "C.csv@3"], 65, "every task of --then must have the same"),
        ]
        for (arguments, status, text) in cases {
            let r = try CLI.run(["simulate", "--samples", "2"] + arguments + ["-o", "x.csv"], in: dir)
            #expect(r.status == status && r.stderr.contains(text), "\(arguments): \(r.status) \(r.stderr)")
            #expect(r.stderr.split(separator: "\n").count == 1, "\(arguments): \(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("x.csv").path))
        }
    }

    // MARK: descend --then

    static let descentCommon = ["--outputs", "15", "--lr", "0.1", "--every", "1", "--diagnostics", "none"]

    /// Runs `descend --data A.csv --then B.csv@0.55` for 10 steps of η = 0.1 and the two descents it
    /// must equal: A for 6 steps (the first step from t_k ≥ 0.55 is the 7th, from θ_6 at t = 0.6) and
    /// B for 4 from the first run's last row (--init). Returns the three CSVs.
    static func chainedDescents(_ extra: [String], in dir: URL) throws -> [(header: [String], rows: [[Double]])] {
        let runs: [[String]] = [
            ["--data", "A.csv", "--then", "B.csv@0.55", "--steps", "10", "--init", "random", "--init-scale", "0.5", "--seed", "3", "-o", "seq.csv"],
            ["--data", "A.csv", "--steps", "6", "--init", "random", "--init-scale", "0.5", "--seed", "3", "-o", "a.csv"],
            ["--data", "B.csv", "--steps", "4", "--init", "a.csv", "-o", "b.csv"],
        ]
        return try runs.map { run in
            let r = try CLI.run(["descend"] + run + Self.descentCommon + extra, in: dir)
            #expect(r.status == 0, "\(run): \(r.stderr)")
            return parseCSV(try String(contentsOf: dir.appendingPathComponent(run[run.count - 1]), encoding: .utf8))
        }
    }

    /// ½·mean‖y − W32 W21 x‖² over the samples of a task's file, from a row's weights (8-h-15).
    static func loss(ofFile url: URL, header: [String], row: [Double]) throws -> Double {
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").dropFirst()
        let h = header.filter { $0.hasPrefix("W21_") }.count / 8
        func w(_ name: String) -> Double { row[header.firstIndex(of: name)!] }
        var total = 0.0
        for line in lines {
            let v = line.split(separator: ",").map { Double($0)! }
            let x = Array(v.prefix(8)), y = Array(v.dropFirst(8))
            let hidden = (1...h).map { r in (1...8).reduce(0.0) { $0 + w("W21_\(r)_\($1)") * x[$1 - 1] } }
            for o in 1...15 {
                let f = (1...h).reduce(0.0) { $0 + w("W32_\(o)_\($1)") * hidden[$1 - 1] }
                total += (y[o - 1] - f) * (y[o - 1] - f)
            }
        }
        return 0.5 * total / Double(lines.count)
    }

    /// Steps from t_k < T train on A, steps from t_k ≥ T on B: the sequence equals the two descents
    /// chained by --init bit for bit, every column (loss is A's through row 5, B's from row 6 on:
    /// θ_6 is A's last step, and the step to θ_7 B's first); a switch one step early or late differs from row 6 or 7 on.
    /// loss_task1, loss_task2 are each task's ½·mean‖y − f(x)‖², computed here from the samples.
    /// The record lists both tasks and rerun repeats the run to the byte.
    @Test func descentSwitchEqualsChainedDescents() throws {
        let dir = try Self.tasks()
        let csvs = try Self.chainedDescents([], in: dir)
        let (h, rows) = csvs[0], (ha, ra) = csvs[1], (hb, rb) = csvs[2]
        #expect(rows.count == 11 && ra.count == 7 && rb.count == 5)
        #expect(Array(h.prefix(5)) == ["t", "loss", "excess_loss", "loss_task1", "loss_task2"])
        for (k, row) in rows.enumerated() {
            let (other, otherRow) = k < 6 ? (ha, ra[k]) : (hb, rb[k - 6])
            for (j, name) in h.enumerated() where !name.hasPrefix("loss_task") {
                #expect(row[j] == otherRow[other.firstIndex(of: name)!], "row \(k) \(name): \(row[j]) vs \(otherRow[other.firstIndex(of: name)!])")
            }
        }
        // Row 6 is θ_6, A's last step (a.csv's last row), with B's loss: the task of t = 0.6 ≥ 0.55.
        for name in h where name.hasPrefix("W") {
            #expect(rows[6][h.firstIndex(of: name)!] == ra[6][ha.firstIndex(of: name)!], "row 6 \(name)")
        }
        #expect(rows[6][1] == rows[6][4] && rows[6][3] == ra[6][1] && rows[5][1] == rows[5][3])
        for row in rows {
            #expect(row[1] == (row[0] < 0.55 ? row[3] : row[4]))
            for (k, file) in ["A.csv", "B.csv"].enumerated() {
                let expected = try Self.loss(ofFile: dir.appendingPathComponent(file), header: h, row: row)
                #expect(abs(row[3 + k] - expected) <= 1e-12 * expected, "t = \(row[0]) task \(k + 1): \(row[3 + k]) vs \(expected)")
            }
        }
        // The tasks' losses move apart: training on B after the switch raises A's loss relative to B's.
        #expect(rows[10][4] < rows[6][4])
        let record = try String(contentsOf: dir.appendingPathComponent("seq.csv.json"), encoding: .utf8)
        #expect(record.contains("\"from_t\" : 0.55") && record.contains("\"role\" : \"task2\""))
        let again = try CLI.run(["rerun", "seq.csv.json", "-o", "again.csv"], in: dir)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(FileManager.default.contents(atPath: dir.appendingPathComponent("again.csv").path)
                == FileManager.default.contents(atPath: dir.appendingPathComponent("seq.csv").path))
    }

    /// Minibatches: before the switch they are A's, after it B's, drawn by a sampler restarted with
    /// the same --shuffle-seed, so the sequence equals the chained minibatch descents bit for bit.
    @Test func minibatchSwitchEqualsChainedDescents() throws {
        let dir = try Self.tasks()
        let csvs = try Self.chainedDescents(["--batch-size", "3", "--shuffle-seed", "11"], in: dir)
        let (h, rows) = csvs[0], (ha, ra) = csvs[1], (hb, rb) = csvs[2]
        let weights = h.filter { $0.hasPrefix("W") }
        for (k, row) in rows.enumerated() {
            let (other, otherRow) = k < 6 ? (ha, ra[k]) : (hb, rb[k - 6])
            for name in weights + ["loss"] {
                #expect(row[h.firstIndex(of: name)!] == otherRow[other.firstIndex(of: name)!], "row \(k) \(name)")
            }
        }
    }

    /// Momentum's velocity carries over the switch: the chained run resumes it from its file's last
    /// two rows (θ_6 − θ_5, equal to the velocity up to rounding), so the two agree to 1e-12; the
    /// same B run with the velocity restarted at zero differs by far more.
    @Test func momentumContinuesAcrossASwitch() throws {
        let dir = try Self.tasks()
        let csvs = try Self.chainedDescents(["--momentum", "0.9"], in: dir)
        let (h, rows) = csvs[0], (hb, rb) = csvs[2]
        let weights = h.filter { $0.hasPrefix("W") }
        var gap = 0.0
        for k in 6...10 {
            for name in weights { gap = max(gap, abs(rows[k][h.firstIndex(of: name)!] - rb[k - 6][hb.firstIndex(of: name)!])) }
        }
        #expect(gap < 1e-12, "largest weight difference: \(gap)")
        // Without the velocity (B from θ_6 alone, written as a one-row file) the run differs.
        let a = try String(contentsOf: dir.appendingPathComponent("a.csv"), encoding: .utf8).split(separator: "\n")
        try ([a[0], a[a.count - 1]].joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent("a6.csv"), atomically: true, encoding: .utf8)
        let r = try CLI.run(["descend", "--data", "B.csv", "--steps", "4", "--init", "a6.csv", "-o", "b0.csv", "--momentum", "0.9"] + Self.descentCommon, in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let (h0, r0) = parseCSV(try String(contentsOf: dir.appendingPathComponent("b0.csv"), encoding: .utf8))
        let restarted = weights.map { abs(rows[10][h.firstIndex(of: $0)!] - r0[4][h0.firstIndex(of: $0)!]) }.max()!
        #expect(restarted > 1e3 * max(gap, 1e-15), "velocity restarted: \(restarted)")
    }

    /// descend's refusals, one line each: a switch at or after the last step's start, a batch larger
    /// than a later task's samples; compare refuses --then with its reason.
    @Test func descentRefusals() throws {
        let dir = try Self.tasks()
        try "goldfish,tuna,robin,canary,rose,daisy,pine,oak,\(String(repeating: "y,", count: 14))y\n1,0,0,0,0,0,0,0,\(String(repeating: "0,", count: 14))1\n"
            .write(to: dir.appendingPathComponent("S.csv"), atomically: true, encoding: .utf8)
        let cases: [([String], String)] = [
            (["--data", "A.csv", "--then", "B.csv@1", "--steps", "10"], "the switch is not before the descent's last step, which starts at t = 0.9"),
            (["--data", "A.csv", "--then", "S.csv@0.5", "--steps", "10", "--batch-size", "4"], "--batch-size 4 exceeds the 1 samples of task 2"),
            (["--data", "A.csv", "--then", "B.csv@0.3", "--then", "A.csv@0.2", "--steps", "10"], "--then times must increase"),
        ]
        for (arguments, text) in cases {
            let r = try CLI.run(["descend", "--outputs", "15", "--lr", "0.1"] + arguments + ["-o", "x.csv"], in: dir)
            #expect(r.status == 64 && r.stderr.contains(text), "\(arguments): \(r.status) \(r.stderr)")
            #expect(r.stderr.split(separator: "\n").count == 1, "\(arguments): \(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("x.csv").path))
        }
        let r = try CLI.run(["compare", "--data", "A.csv", "--outputs", "15", "--then", "B.csv@0.5", "--steps", "10", "-o", "x.csv"], in: dir)
        #expect(r.status == 64 && r.stderr.contains("--then B.csv@0.5: compare takes one task") && r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
    }

    // MARK: FILE@T:TESTFILE

    /// At.csv and Bt.csv: held-out versions of A and B (the same inputs, the targets scaled by 0.5
    /// and 0.8), so that each test loss differs from its task's training loss.
    static func testFiles(in dir: URL) throws {
        for (name, test, scale) in [("A.csv", "At.csv", 0.5), ("B.csv", "Bt.csv", 0.8)] {
            let lines = try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8).split(separator: "\n")
            let rows = lines.dropFirst().map { line in
                line.split(separator: ",").enumerated().map { j, v in j < 8 ? String(v) : "\(Double(v)! * scale)" }.joined(separator: ",")
            }
            try (([String(lines[0])] + rows).joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent(test), atomically: true, encoding: .utf8)
        }
    }

    /// `--test At.csv --then B.csv@13.7:Bt.csv`: test_loss_task1, test_loss_task2 beside loss_task1,
    /// loss_task2, each ½·mean‖y − f(x)‖² over that task's test samples computed here (1e-12
    /// relative); test_loss is the test loss of the task being trained; the record lists each test
    /// file with its SHA-256 and rerun repeats the run to the byte. descend takes the same form.
    @Test func eachTaskHasItsTestFile() throws {
        let dir = try Self.tasks()
        try Self.testFiles(in: dir)
        let runs: [(String, [String], Double)] = [
            ("simulate", ["--t-end", "30", "--samples", "6", "--then", "B.csv@13.7:Bt.csv"] + Self.common.dropFirst(2), 13.7),
            ("descend", ["--steps", "10", "--then", "B.csv@0.55:Bt.csv"] + Self.descentCommon.dropFirst(2), 0.55),
        ]
        for (command, arguments, switchTime) in runs {
            let r = try CLI.run([command, "--data", "A.csv", "--outputs", "15", "--test", "At.csv", "-o", "seq.csv"] + arguments, in: dir)
            #expect(r.status == 0, "\(command): \(r.stderr)")
            let (h, rows) = parseCSV(try String(contentsOf: dir.appendingPathComponent("seq.csv"), encoding: .utf8))
            #expect(Array(h.prefix(8)) == ["t", "loss", "excess_loss", "test_loss", "loss_task1", "loss_task2", "test_loss_task1", "test_loss_task2"], "\(h.prefix(8))")
            for row in rows {
                for (k, file) in ["A.csv", "B.csv", "At.csv", "Bt.csv"].enumerated() {
                    let expected = try Self.loss(ofFile: dir.appendingPathComponent(file), header: h, row: row)
                    #expect(abs(row[4 + k] - expected) <= 1e-12 * expected, "\(command) t = \(row[0]) \(file): \(row[4 + k]) vs \(expected)")
                }
                let current = row[0] < switchTime ? 0 : 1
                #expect(row[1] == row[4 + current] && row[3] == row[6 + current], "\(command) t = \(row[0])")
                #expect(row[6] != row[4] && row[7] != row[5])
            }
            let record = try String(contentsOf: dir.appendingPathComponent("seq.csv.json"), encoding: .utf8)
            #expect(record.contains("\"test\" : \"Bt.csv\"") && record.contains("\"role\" : \"test2\"") && record.contains("\"test\" : \"At.csv\""))
            #expect(record.components(separatedBy: "\"test_sha256\"").count == 3)
            let again = try CLI.run(["rerun", "seq.csv.json", "-o", "again.csv"], in: dir)
            #expect(again.status == 0, "\(again.stderr)")
            #expect(FileManager.default.contents(atPath: dir.appendingPathComponent("again.csv").path)
                    == FileManager.default.contents(atPath: dir.appendingPathComponent("seq.csv").path))
        }
        // rerun checks the test files' bytes: a changed Bt.csv is refused, naming it.
        try (try String(contentsOf: dir.appendingPathComponent("Bt.csv"), encoding: .utf8) + "0,0,0,0,0,0,0,1" + String(repeating: ",0", count: 15) + "\n")
            .write(to: dir.appendingPathComponent("Bt.csv"), atomically: true, encoding: .utf8)
        let changed = try CLI.run(["rerun", "seq.csv.json", "-o", "again2.csv"], in: dir)
        #expect(changed.status != 0 && changed.stderr.contains("Bt.csv"), "\(changed.status) \(changed.stderr)")
    }
}
