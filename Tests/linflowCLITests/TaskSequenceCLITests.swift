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
            (["--data", "A.csv", "--outputs", "15", "--then", "B.csv@3:T.csv"], 64, "FILE@T:TESTFILE form"),
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
}
