import Foundation
import Testing

/// `analytic --then FILE@T`: the closed forms continued across switches of task, through the
/// built executable, against the numerical flow of `simulate --then`, against chained
/// `analytic --init` runs, and against each task's loss computed here from its samples.
@Suite struct AnalyticTaskSequenceCLITests {
    /// simulate's tolerances in these comparisons; the global error of the rtol-controlled flow
    /// over a few hundred steps stays within 1000·rtol of the exact trajectory (relative to
    /// max(1, |value|)), which bounds the gap between the two.
    static let rtol = 1e-12
    static let tolerance = 1e3 * rtol
    static let flowTolerances = ["--rtol", "\(rtol)", "--atol", "1e-14"]

    /// Runs `command` in `dir`, expecting success, and parses its CSV `out`.
    static func run(_ command: String, _ arguments: [String], out: String, in dir: URL) throws -> (header: [String], rows: [[Double]]) {
        let r = try CLI.run([command] + arguments + ["-o", out], in: dir)
        #expect(r.status == 0, "\(command) \(arguments): \(r.stderr)")
        return parseCSV(try String(contentsOf: dir.appendingPathComponent(out), encoding: .utf8))
    }

    /// W32·W21 of a row of an 8-h-15 network: what every closed form determines exactly (the
    /// Riccati forms fix the hidden basis only up to a rotation).
    static func endToEnd(_ header: [String], _ row: [Double]) -> [Double] {
        let h = header.filter { $0.hasPrefix("W21_") }.count / 8
        func w(_ name: String) -> Double { row[header.firstIndex(of: name)!] }
        return (1...15).flatMap { o in (1...8).map { i in (1...h).reduce(0.0) { $0 + w("W32_\(o)_\($1)") * w("W21_\($1)_\(i)") } } }
    }

    static func gap(_ a: [Double], _ b: [Double]) -> Double {
        zip(a, b).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
    }

    /// Switches at 13.7 and 22.1, between the rows at 10, 15, 20 and 25 (A → B → A): the closed
    /// form equals the numerical flow of `simulate --then` at every row, every column the forms
    /// determine (the losses of every task, test losses, the end-to-end map), within 1000·rtol,
    /// for a zero-balanced, a λ-balanced and a rate-balanced start; the columns are simulate's.
    /// No row is written at a switch, `loss` is the task being trained's, and each loss_taskK is
    /// ½·mean‖y − f(x)‖² over that task's samples computed here. Taking the switch at the row
    /// before instead (10) moves the later rows by far more than the tolerance.
    @Test(arguments: [["--init", "balanced", "--init-scale", "0.1"],
                      ["--init", "lambda-balanced", "--lambda", "0.5", "--init-scale", "0.3", "--seed", "2", "--hidden", "6"],
                      ["--init", "lambda-balanced", "--lambda", "-0.3", "--init-scale", "0.3", "--seed", "3", "--hidden", "6",
                       "--layer-rates", "0.5,2"]])
    func closedFormAcrossSwitchesEqualsTheFlow(start: [String]) throws {
        let dir = try TaskSequenceCLITests.tasks()
        let common = ["--data", "A.csv", "--outputs", "15", "--test", "A.csv", "--then", "B.csv@13.7:B.csv", "--then", "A.csv@22.1:A.csv",
                      "--t-end", "30", "--samples", "6", "--diagnostics", "none"] + start
        let (h, rows) = try Self.run("analytic", common, out: "an.csv", in: dir)
        let (hs, sim) = try Self.run("simulate", common + Self.flowTolerances, out: "seq.csv", in: dir)
        #expect(h == hs, "columns: \(h.prefix(10)) vs \(hs.prefix(10))")
        #expect(rows.map { $0[0] } == [0, 5, 10, 15, 20, 25, 30])
        let losses = h.filter { $0.contains("loss") }
        #expect(losses.contains("loss_task3") && losses.contains("test_loss_task3"))
        var worst = 0.0
        for (row, flow) in zip(rows, sim) {
            worst = max(worst, Self.gap(losses.map { row[h.firstIndex(of: $0)!] }, losses.map { flow[hs.firstIndex(of: $0)!] }),
                        Self.gap(Self.endToEnd(h, row), Self.endToEnd(hs, flow)))
            let t = row[0], task = t < 13.7 ? 1 : t < 22.1 ? 2 : 3
            #expect(row[h.firstIndex(of: "loss")!] == row[h.firstIndex(of: "loss_task\(task)")!], "t = \(t)")
            for (k, file) in ["A.csv", "B.csv", "A.csv"].enumerated() {
                let expected = try TaskSequenceCLITests.loss(ofFile: dir.appendingPathComponent(file), header: h, row: row)
                #expect(abs(row[h.firstIndex(of: "loss_task\(k + 1)")!] - expected) <= 1e-12 * expected, "t = \(t) task \(k + 1)")
            }
        }
        #expect(worst <= Self.tolerance, "largest |analytic − simulate| (relative to max(1, |x|)): \(worst)")
        print("analytic --then \(start.joined(separator: " ")): within \(worst) of simulate --then")
        // The switch a row early: the rows after it differ at O(1), not at the tolerance.
        let early = common.map { $0 == "B.csv@13.7:B.csv" ? "B.csv@10:B.csv" : $0 }
        let (he, moved) = try Self.run("analytic", early, out: "early.csv", in: dir)
        #expect(Self.gap(Self.endToEnd(he, moved[3]), Self.endToEnd(h, rows[3])) > 1e6 * Self.tolerance)
    }

    /// The same sequence as three `analytic --init` runs, each from the last row of the previous
    /// (the rows at the switches themselves): the end-to-end maps and the losses agree to rounding
    /// of the restarts, and the record lists the tasks and reruns to the byte.
    @Test func equalsChainedInitPieces() throws {
        let dir = try TaskSequenceCLITests.tasks()
        let start = ["--outputs", "15", "--diagnostics", "none"]
        let (h, rows) = try Self.run("analytic", ["--data", "A.csv", "--init", "lambda-balanced", "--lambda", "0.2", "--init-scale", "0.2", "--hidden", "6",
                                                  "--then", "B.csv@3.5", "--then", "A.csv@7.25", "--t-end", "10", "--samples", "2"] + start,
                                     out: "seq.csv", in: dir)
        _ = try Self.run("analytic", ["--data", "A.csv", "--init", "lambda-balanced", "--lambda", "0.2", "--init-scale", "0.2", "--hidden", "6",
                                      "--t-end", "3.5", "--samples", "1"] + start, out: "c1.csv", in: dir)
        _ = try Self.run("analytic", ["--data", "B.csv", "--init", "c1.csv", "--t-end", "7.25", "--samples", "1"] + start, out: "c2.csv", in: dir)
        let (h3, c3) = try Self.run("analytic", ["--data", "A.csv", "--init", "c2.csv", "--t-end", "10", "--samples", "1"] + start,
                                    out: "c3.csv", in: dir)
        // seq.csv's rows are at 0, 5 and 10; its last is c3's last.
        let d = Self.gap(Self.endToEnd(h, rows[2]), Self.endToEnd(h3, c3[1]))
        #expect(d < 1e-12, "end-to-end map against the chained pieces: \(d)")
        #expect(abs(rows[2][h.firstIndex(of: "loss")!] - c3[1][h3.firstIndex(of: "loss")!]) < 1e-12)
        let record = try String(contentsOf: dir.appendingPathComponent("seq.csv.json"), encoding: .utf8)
        #expect(record.contains("\"from_t\" : 3.5") && record.contains("\"role\" : \"task2\"") && record.contains("\"per_task\""))
        let again = try CLI.run(["rerun", "seq.csv.json", "-o", "again.csv"], in: dir)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(FileManager.default.contents(atPath: dir.appendingPathComponent("again.csv").path)
                == FileManager.default.contents(atPath: dir.appendingPathComponent("seq.csv").path))
    }

    /// Random starts over several seeds: λ-balanced ones (any λ, with and without rates) stay
    /// λ-balanced across switches, so the Riccati forms continue and match the flow; aligned
    /// starts with weight decay continue on a task of the same Σ31 (the same file), where they
    /// stay aligned, and match it too.
    @Test func randomStartsOverSeeds() throws {
        let dir = try TaskSequenceCLITests.tasks()
        var worst = 0.0
        for seed in 1...4 {
            let lambda = [0, 0.4, -0.7, 1.1][seed - 1]
            var start = ["--init", "lambda-balanced", "--lambda", "\(lambda)", "--init-scale", "0.4", "--seed", "\(seed)", "--hidden", "5"]
            if seed % 2 == 0 { start += ["--layer-rates", "2,0.25"] }
            for (extra, next) in [(start, "B.csv"), (["--init", "aligned", "--init-scale", "0.05", "--seed", "\(seed)", "--weight-decay", "\(0.02 * Double(seed))"], "A.csv")] {
                let common = ["--data", "A.csv", "--outputs", "15", "--then", "\(next)@2.3", "--t-end", "6", "--samples", "4", "--diagnostics", "none"] + extra
                let (h, rows) = try Self.run("analytic", common, out: "an.csv", in: dir)
                let (hs, sim) = try Self.run("simulate", common + Self.flowTolerances, out: "seq.csv", in: dir)
                for (row, flow) in zip(rows, sim) {
                    let d = max(Self.gap(Self.endToEnd(h, row), Self.endToEnd(hs, flow)),
                                Self.gap([row[h.firstIndex(of: "loss_task2")!]], [flow[hs.firstIndex(of: "loss_task2")!]]))
                    #expect(d <= Self.tolerance, "seed \(seed) \(extra): t = \(row[0]): \(d)")
                    worst = max(worst, d)
                }
            }
        }
        print("analytic --then over random starts: within \(worst) of simulate --then")
    }

    /// A next task that breaks the form's assumptions is refused in one line before any work,
    /// naming its file and switch: data without Σ11 = c·I (exit 65), a state at the switch not
    /// aligned with the next task's modes where only the aligned form applies (three layers;
    /// two layers with weight decay), exit 64. No output file is left.
    @Test func refusals() throws {
        let dir = try TaskSequenceCLITests.tasks()
        try CLI.run(["datasets", "teacher", "--input-dim", "8", "--output-dim", "15", "--train-samples", "40", "-o", "T.csv"], in: dir)
        let cases: [([String], Int32, String)] = [
            (["--hidden", "8", "--then", "T.csv@3"], 65, "--then T.csv@3: the closed form cannot go on from the state at the switch (this task's start): the closed forms need whitened inputs"),
            (["--layers", "8,8,8,15", "--then", "B.csv@3"], 64, "--then B.csv@3: the closed form cannot go on from the state at the switch (this task's start): the start is not aligned"),
            (["--hidden", "8", "--weight-decay", "0.1", "--then", "B.csv@2.5"], 64, "--then B.csv@2.5: the closed form cannot go on from the state at the switch (this task's start): with --weight-decay the Riccati closed forms do not hold"),
            (["--hidden", "8", "--form", "modes", "--then", "B.csv@3"], 64, "--then B.csv@3: the closed form cannot go on"),
        ]
        for (arguments, status, text) in cases {
            let r = try CLI.run(["analytic", "--data", "A.csv", "--outputs", "15", "--t-end", "6", "--samples", "2"] + arguments + ["-o", "x.csv"], in: dir)
            #expect(r.status == status && r.stderr.contains(text), "\(arguments): \(r.status) \(r.stderr)")
            #expect(r.stderr.split(separator: "\n").count == 1, "\(arguments): \(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("x.csv").path))
        }
    }

    /// The summary gives each task its closed form, half-time table and deviation from the flow.
    @Test func summaryIsPerTask() throws {
        let dir = try TaskSequenceCLITests.tasks()
        let r = try CLI.run(["analytic", "--data", "A.csv", "--outputs", "15", "--init", "balanced", "--init-scale", "0.01", "--hidden", "8",
                             "--then", "B.csv@30", "--t-end", "60", "--samples", "60", "-o", "x.csv"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("  task 1: A.csv") && r.stderr.contains("  task 2: B.csv"))
        #expect(r.stderr.components(separatedBy: "largest |closed form − numerical flow| over the task's rows and switches").count == 3)
        #expect(r.stderr.components(separatedBy: "  mode  s_α").count == 3)
        // Task 2's half-times come after its switch.
        let task2 = r.stderr.components(separatedBy: "  task 2: ")[1]
        let times = task2.split(separator: "\n").filter { $0.hasPrefix("  1 ") || $0.hasPrefix("  2 ") }
            .compactMap { Double($0.split(separator: " ", omittingEmptySubsequences: true)[4]) }
        #expect(times.count == 2 && times.allSatisfy { $0 >= 30 }, "\(times)")
    }
}
