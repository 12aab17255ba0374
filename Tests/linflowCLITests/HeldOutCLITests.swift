import Foundation
import Testing

/// `--test`, `--test-fraction` and `datasets teacher` through the executable: test_loss against
/// sums over the samples computed here, the split identified by the record, HDF5, rerun, sweep
/// collect and the refusals. (The library-level checks of every command, with and without
/// biases at depth 2 and 3, are LinFlowKitTests/HeldOutTests.)
@Suite struct HeldOutCLITests {
    /// Neumaier's compensated sum: the error of a sum of k terms is ~2u·Σ|terms| instead of k·u·Σ|terms|.
    struct CompensatedSum {
        var sum = 0.0, compensation = 0.0
        mutating func add(_ x: Double) {
            let t = sum + x
            compensation += abs(sum) >= abs(x) ? (sum - t) + x : (x - t) + sum
            sum = t
        }
        var value: Double { sum + compensation }
    }

    /// The rows of a CSV with a header, as numbers.
    static func table(_ path: URL) throws -> (header: [String], rows: [[Double]]) {
        parseCSV(try String(contentsOf: path, encoding: .utf8))
    }

    /// ½ mean‖y − f(x)‖² over `rows` (inputs then `m` outputs), f the chain of row r of the
    /// trajectory `run` (weights by column name), with biases if the trajectory has them.
    static func loss(of run: (header: [String], rows: [[Double]]), row r: Int, sizes: [Int], on rows: [[Double]]) -> Double {
        func cell(_ name: String) -> Double? { run.header.firstIndex(of: name).map { run.rows[r][$0] } }
        var total = CompensatedSum()
        for sample in rows {
            var h = Array(sample.prefix(sizes[0]))
            for l in 1..<sizes.count {
                let name = "\(l + 1)\(l)"
                h = (1...sizes[l]).map { i in
                    var s = CompensatedSum()
                    s.add(cell("b\(name)_\(i)") ?? 0)
                    for j in 1...sizes[l - 1] { s.add(cell("W\(name)_\(i)_\(j)")! * h[j - 1]) }
                    return s.value
                }
            }
            for (o, v) in h.enumerated() { let d = sample[sizes[0] + o] - v; total.add(d * d) }
        }
        return total.value / Double(2 * rows.count)
    }

    /// A teacher task in `dir`: task.csv (n = 6, m = 2), task-test.csv.
    static func teacher(in dir: URL, train: Int = 40, test: Int = 400) throws {
        let r = try CLI.run(["datasets", "teacher", "--input-dim", "6", "--output-dim", "2", "--noise", "0.3",
                             "--train-samples", "\(train)", "--test-samples", "\(test)", "-o", "task.csv"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
    }

    /// Every row's test_loss is the loss of that row's weights on the test file, summed here.
    /// Tolerance: the loss column's error analysis (``FloorErrorModel``) bounds the error by
    /// η·Σ_o√(2L_o)(‖y_o‖ + Σ_j|w_oj|‖x_j‖) with η = 4√(N·p)·u ≈ 2.2e-14 for N = 400, p = 9;
    /// with L ≤ 2, ‖x_j‖ ≈ 1, ‖y_o‖ ≲ 2 and |w| ≲ 2 here that is below 1e-11, and the
    /// compensated reference is exact to ~1e-15: 1e-10·max(1, L) holds with room on any kernel,
    /// while a wrong sign, transpose or data set moves the loss by O(1).
    @Test(arguments: [["--hidden", "4"], ["--hidden", "4", "--bias"], ["--layers", "6,4,3,2"], ["--layers", "6,4,3,2", "--bias"]])
    func simulateTestLossIsTheSamplesLoss(network: [String]) throws {
        let dir = CLI.temporaryDirectory()
        try Self.teacher(in: dir)
        let r = try CLI.run(["simulate", "--data", "task.csv", "--outputs", "2", "--test", "task-test.csv", "--init-scale", "0.3",
                             "--t-end", "10", "--samples", "5", "-o", "run.csv"] + network, in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("test loss on task-test.csv (N = 400)"))
        let run = try Self.table(dir.appendingPathComponent("run.csv")), test = try Self.table(dir.appendingPathComponent("task-test.csv"))
        let train = try Self.table(dir.appendingPathComponent("task.csv"))
        let sizes = network.contains("--layers") ? [6, 4, 3, 2] : [6, 4, 2]
        #expect(run.header.prefix(4) == ["t", "loss", "excess_loss", "test_loss"])
        for r in run.rows.indices {
            let ref = Self.loss(of: run, row: r, sizes: sizes, on: test.rows)
            #expect(abs(run.rows[r][3] - ref) <= 1e-10 * max(1, ref), "row \(r): \(run.rows[r][3]) vs \(ref)")
            let trainRef = Self.loss(of: run, row: r, sizes: sizes, on: train.rows)
            #expect(abs(run.rows[r][1] - trainRef) <= 1e-10 * max(1, trainRef))
        }
    }

    /// --test-fraction: the record identifies the split (fraction, seed, counts); the rows its
    /// rule holds out are the test set and the others the training set, as the columns say.
    @Test func splitIsTheRecordedRule() throws {
        let dir = CLI.temporaryDirectory()
        try Self.teacher(in: dir, train: 200)
        let r = try CLI.run(["descend", "--data", "task.csv", "--outputs", "2", "--test-fraction", "0.3", "--split-seed", "11",
                             "--hidden", "4", "--init-scale", "0.3", "--steps", "40", "--every", "20", "-o", "gd.csv"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let record = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("gd.csv.json"))) as! [String: Any]
        let split = try #require((record["test"] as? [String: Any])?["split"] as? [String: Any])
        #expect(split["fraction"] as? Double == 0.3 && split["seed"] as? Int == 11 && split["rows"] as? Int == 200)
        // The documented rule, written out here: u_i from SplitMix64's (i + 1)-th output.
        func heldOut(_ i: Int) -> Bool {
            var z = UInt64(11) &+ UInt64(i + 1) &* 0x9E37_79B9_7F4A_7C15
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            return Double(z >> 11) * 0x1p-53 < 0.3
        }
        let all = try Self.table(dir.appendingPathComponent("task.csv")).rows
        let test = all.indices.filter(heldOut).map { all[$0] }, train = all.indices.filter { !heldOut($0) }.map { all[$0] }
        #expect(split["held_out"] as? Int == test.count && split["training"] as? Int == train.count)
        #expect((record["data"] as? [String: Any])?["samples"] as? Int == train.count)
        let run = try Self.table(dir.appendingPathComponent("gd.csv"))
        for r in run.rows.indices {
            let testRef = Self.loss(of: run, row: r, sizes: [6, 4, 2], on: test), trainRef = Self.loss(of: run, row: r, sizes: [6, 4, 2], on: train)
            #expect(abs(run.rows[r][3] - testRef) <= 1e-10 * max(1, testRef), "row \(r)")
            #expect(abs(run.rows[r][1] - trainRef) <= 1e-10 * max(1, trainRef), "row \(r)")
        }
        // Another seed, another split; the same seed, the same bytes.
        let again = try CLI.run(["descend", "--data", "task.csv", "--outputs", "2", "--test-fraction", "0.3", "--split-seed", "11",
                                 "--hidden", "4", "--init-scale", "0.3", "--steps", "40", "--every", "20", "-o", "gd2.csv"], in: dir)
        let other = try CLI.run(["descend", "--data", "task.csv", "--outputs", "2", "--test-fraction", "0.3", "--split-seed", "12",
                                 "--hidden", "4", "--init-scale", "0.3", "--steps", "40", "--every", "20", "-o", "gd3.csv"], in: dir)
        #expect(again.status == 0 && other.status == 0)
        let bytes = { (name: String) in FileManager.default.contents(atPath: dir.appendingPathComponent(name).path) }
        #expect(bytes("gd.csv") == bytes("gd2.csv") && bytes("gd.csv") != bytes("gd3.csv"))
    }

    /// HDF5 holds test_loss (and compare's three) like the CSV, bit for bit (export gives the CSV back).
    @Test(arguments: ["simulate", "descend", "compare", "analytic"])
    func hdf5HoldsTheTestLossOfTheCSV(command: String) throws {
        let dir = CLI.temporaryDirectory()
        #expect(try CLI.run(["datasets", "hierarchy", "-o", "h.csv"], in: dir).status == 0)
        // The hierarchy's items with their properties blurred: other samples in the same columns.
        let lines = try String(contentsOf: dir.appendingPathComponent("h.csv"), encoding: .utf8).split(separator: "\n")
        var blurred: [String] = []
        for (k, line) in lines.dropFirst().enumerated() {
            var cells: [String] = []
            for (j, v) in line.split(separator: ",").enumerated() {
                let shift: Double = 0.1 * Double((k * 7 + j * 3) % 5 - 2)
                cells.append("\(Double(v)! + shift)")
            }
            blurred.append(cells.joined(separator: ","))
        }
        try ([String(lines[0])] + blurred).joined(separator: "\n").appending("\n").write(to: dir.appendingPathComponent("h-test.csv"), atomically: true, encoding: .utf8)
        let flow = command == "simulate" || command == "analytic"
        let args: [String] = [command, "--data", "h.csv", "--outputs", "15", "--test", "h-test.csv"]
            + (flow ? ["--samples", "6", "--t-end", "30"] : ["--steps", "30", "--every", "10"])
        #expect(try CLI.run(args + ["-o", "run.csv"], in: dir).status == 0)
        let r = try CLI.run(args + ["-o", "run.h5"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try CLI.run(["export", "run.h5", "--columns", "*", "-o", "back.csv"], in: dir).status == 0)
        let csv = try String(contentsOf: dir.appendingPathComponent("run.csv"), encoding: .utf8)
        #expect(csv.hasPrefix(command == "compare" ? "t,loss_gd,loss_flow,loss_modified,test_loss_gd,test_loss_flow,test_loss_modified,"
                                                   : "t,loss,excess_loss,test_loss,"))
        #expect(try Data(contentsOf: dir.appendingPathComponent("back.csv")) == Data(contentsOf: dir.appendingPathComponent("run.csv")))
    }

    /// The loss plot of a run with held-out data draws test_loss beside loss (compare: its three test losses with its losses).
    @Test func lossPlotDrawsTheTestLoss() throws {
        let dir = CLI.temporaryDirectory()
        try Self.teacher(in: dir)
        let data = ["--data", "task.csv", "--outputs", "2", "--test", "task-test.csv"]
        #expect(try CLI.run(["simulate"] + data + ["--samples", "4", "--t-end", "5", "-o", "run.csv"], in: dir).status == 0)
        #expect(try CLI.run(["compare"] + data + ["--steps", "10", "--every", "5", "-o", "cmp.csv"], in: dir).status == 0)
        #expect(try CLI.run(["plot", "run.csv", "--script", "p.gp", "-o", "p.png"], in: dir).status == 0)
        #expect(try CLI.run(["plot", "cmp.csv", "--kind", "compare", "--script", "c.gp", "-o", "c.png"], in: dir).status == 0)
        let loss = try String(contentsOf: dir.appendingPathComponent("p.gp"), encoding: .utf8)
        let compare = try String(contentsOf: dir.appendingPathComponent("c.gp"), encoding: .utf8)
        #expect(loss.contains("test_loss") && loss.contains("set logscale y"), "\(loss)")
        for side in ["gd", "flow", "modified"] { #expect(compare.contains("test_loss_\(side)"), "\(side)") }
    }

    /// rerun repeats a run with --test to the byte, and refuses when the test file has changed.
    @Test func rerunChecksTheTestFile() throws {
        let dir = CLI.temporaryDirectory()
        try Self.teacher(in: dir)
        let args = ["simulate", "--data", "task.csv", "--outputs", "2", "--test", "task-test.csv", "--samples", "4", "--t-end", "5"]
        #expect(try CLI.run(args + ["-o", "a.csv"], in: dir).status == 0)
        let again = try CLI.run(["rerun", "a.csv.json", "-o", "b.csv"], in: dir)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(FileManager.default.contents(atPath: dir.appendingPathComponent("a.csv").path)
                == FileManager.default.contents(atPath: dir.appendingPathComponent("b.csv").path))
        let test = dir.appendingPathComponent("task-test.csv")
        try (String(contentsOf: test, encoding: .utf8) + "1,2,3,4,5,6,7,8\n").write(to: test, atomically: true, encoding: .utf8)
        let changed = try CLI.run(["rerun", "a.csv.json", "-o", "c.csv"], in: dir)
        #expect(changed.status == 65 && changed.stderr.contains("the test file has changed"), "\(changed.stderr)")
    }

    /// A test file that does not match, and bad combinations, are refused in one line before
    /// any row is written; the output and its partial file are not created.
    @Test(arguments: [
        (["--test", "wide.csv"], Int32(65), "a test file needs the same columns"),
        (["--test", "renamed.csv"], 65, "a test file needs the same columns"),
        (["--test", "nan.csv"], 65, "NaN is not allowed"),
        (["--test", "task-test.npy"], 64, "must be a file of the kind of --data"),
        (["--test", "task-test.csv", "--test-fraction", "0.5"], 64, "give either --test or --test-fraction"),
        (["--test-fraction", "0"], 64, "--test-fraction must lie strictly between 0 and 1"),
        (["--test-fraction", "0.001"], 64, "holds out 0 of the 40 rows"),
        (["--split-seed", "2"], 64, "--split-seed goes with --test-fraction"),
        (["--test", "out.csv"], 64, "is the file read as --test out.csv"),
    ])
    func badHeldOutDataAreRefused(extra: [String], status: Int32, text: String) throws {
        let dir = CLI.temporaryDirectory()
        try Self.teacher(in: dir)
        let test = try String(contentsOf: dir.appendingPathComponent("task-test.csv"), encoding: .utf8).split(separator: "\n")
        try (test.map { $0 + ",0" }.joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent("wide.csv"), atomically: true, encoding: .utf8)
        try (["x1,x2,x3,x4,x5,x6,y1,z"] + test.dropFirst()).joined(separator: "\n").appending("\n")
            .write(to: dir.appendingPathComponent("renamed.csv"), atomically: true, encoding: .utf8)
        try (test.prefix(3).joined(separator: "\n") + "\n1,2,3,nan,5,6,7,8\n").write(to: dir.appendingPathComponent("nan.csv"), atomically: true, encoding: .utf8)
        if extra.contains("out.csv") { try "t\n".write(to: dir.appendingPathComponent("out.csv"), atomically: true, encoding: .utf8) }
        let r = try CLI.run(["simulate", "--data", "task.csv", "--outputs", "2", "-o", "out.csv"] + extra, in: dir)
        #expect(r.status == status && r.stderr.contains(text), "\(r.status): \(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        #expect(!names.contains("out.csv.partial") && !names.contains("out.csv.json"))
        if !extra.contains("out.csv") { #expect(!names.contains("out.csv")) }
    }

    /// The generator's files, their bytes per seed, and its refusals.
    @Test func teacherFilesAreReproducibleAndBadShapesAreRefused() throws {
        let dir = CLI.temporaryDirectory()
        let args = ["datasets", "teacher", "--input-dim", "5", "--output-dim", "3", "--singular-values", "2,0.5", "--noise", "0.1",
                    "--train-samples", "30", "--test-samples", "20", "--seed", "9"]
        #expect(try CLI.run(args + ["-o", "a.csv"], in: dir).status == 0)
        #expect(try CLI.run(args + ["-o", "b.csv"], in: dir).status == 0)
        #expect(try CLI.run(args.dropLast() + ["10", "-o", "c.csv"], in: dir).status == 0)
        let bytes = { (name: String) in FileManager.default.contents(atPath: dir.appendingPathComponent(name).path) }
        for suffix in ["", "-test", "-teacher", "-singular-values"] {
            #expect(bytes("a\(suffix).csv") != nil && bytes("a\(suffix).csv") == bytes("b\(suffix).csv"), "\(suffix)")
        }
        #expect(bytes("a.csv") != bytes("c.csv"))
        #expect(String(decoding: bytes("a-singular-values.csv")!, as: UTF8.self) == "2.0\n0.5\n")
        let a = parseCSV(String(decoding: bytes("a.csv")!, as: UTF8.self))
        #expect(a.header == ["x1", "x2", "x3", "x4", "x5", "y1", "y2", "y3"] && a.rows.count == 30)
        for (bad, text) in [
            (["--input-dim", "0"], "--input-dim must be at least 1"),
            (["--singular-values", "1,2,3,4,5,6"], "a 5 × 20 teacher has at most 5"),
            (["--singular-values", "1,-2"], "--singular-values must be positive finite numbers"),
            (["--singular-values", "1,x"], "--singular-values takes comma-separated numbers"),
            (["--rank", "2", "--singular-values", "1"], "give either --singular-values or --rank and --scale"),
            (["--noise", "-1"], "--noise must be a finite number >= 0"),
            (["--input-spectrum", "1,2"], "--input-spectrum gives 2 variances, one per input is 20"),
            (["--train-samples", "0"], "--train-samples must be at least 1"),
        ] {
            let r = try CLI.run(["datasets", "teacher", "-o", "bad.csv"] + bad, in: dir)
            #expect(r.status == 64 && r.stderr.contains(text) && r.stderr.split(separator: "\n").count == 1, "\(bad): \(r.stderr)")
        }
        for (argv, text) in [(["datasets", "teacher"], "name the training file with --out NAME.csv"),
                             (["datasets", "teacher", "-o", "t.npy"], "the teacher's files are CSV"),
                             (["datasets", "hierarchy", "--noise", "1"], "apply to linflow datasets teacher only")] {
            let r = try CLI.run(argv, in: dir)
            #expect(r.status == 64 && r.stderr.contains(text), "\(argv): \(r.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("bad.csv").path))
    }

    /// sweep collect gives final_test_loss, min_test_loss and t_min_test_loss from the records.
    @Test func sweepCollectsTheTestLoss() throws {
        let dir = CLI.temporaryDirectory()
        try Self.teacher(in: dir)
        let plan = try CLI.run(["sweep", "plan", "sw", "--grid", "init-scale=0.01,0.1", "--", "simulate", "--data", dir.appendingPathComponent("task.csv").path,
                                "--outputs", "2", "--test", dir.appendingPathComponent("task-test.csv").path, "--samples", "5", "--t-end", "20"], in: dir)
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(try CLI.run(["sweep", "run", "sw"], in: dir).status == 0)
        #expect(try CLI.run(["sweep", "collect", "sw", "-o", "s.csv"], in: dir).status == 0)
        // The summary holds text (status) and may hold empty cells.
        let lines = try String(contentsOf: dir.appendingPathComponent("s.csv"), encoding: .utf8).split(separator: "\n")
        let cells = lines.map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let summary = (header: cells[0], rows: cells.dropFirst().map { $0.map { Double($0) ?? .nan } })
        let run = try Self.table(dir.appendingPathComponent("sw/tasks/1/out.csv"))
        let column = run.rows.map { $0[3] }
        for (name, value) in [("final_test_loss", column.last!), ("min_test_loss", column.min()!),
                              ("t_min_test_loss", run.rows[column.firstIndex(of: column.min()!)!][0])] {
            let i = try #require(summary.header.firstIndex(of: name))
            #expect(summary.rows[1][i] == value, "\(name)")
        }
    }
}
