import Foundation
import Testing

/// A column of a parsed CSV by name.
func column(_ csv: (header: [String], rows: [[Double]]), _ name: String) -> [Double] {
    let i = csv.header.firstIndex(of: name)!
    return csv.rows.map { $0[i] }
}

@Suite struct DescendCLITests {
    static let small = ["--dataset", "seed-affine", "--hidden", "2", "--init-scale", "0.5", "--seed", "3"]

    @Test func descendWritesTheSimulateLayoutPlusSharpnessOnTheTimeAxisOfSimulate() throws {
        let r = try CLI.run(["descend", "--lr", "0.05", "--steps", "10", "--every", "4"])
        #expect(r.status == 0, "\(r.stderr)")
        let csv = parseCSV(r.stdout)
        let simulated = parseCSV(try CLI.run(["simulate", "--samples", "1", "--t-end", "1"]).stdout)
        #expect(csv.header == simulated.header + ["sharpness"])
        #expect(column(csv, "t") == [0, 4, 8, 10].map { Double($0) * 0.05 })
        // Same start as simulate: the rows at t = 0 agree in every column they share.
        #expect(Array(csv.rows[0].dropLast()) == simulated.rows[0])
        // From a small start the Hessian is that of the origin, whose top eigenvalue is s₁ = 0.484.
        #expect(abs(column(csv, "sharpness")[0] - 0.4841) < 1e-3)
        #expect(r.stderr.contains("8-16-15 network") && r.stderr.contains("sharpness λ_max"))
        #expect(!r.stderr.contains("warning"))
    }

    @Test func defaultStepsCoverTheHorizonOfSimulate() throws {
        let csv = parseCSV(try CLI.run(["descend", "--lr", "1", "--diagnostics", "none"]).stdout)
        #expect(csv.rows.count == 81 && column(csv, "t").last == 80)
        #expect(csv.header.last == "sharpness" && !csv.header.contains("imbalance"))
    }

    /// As η → 0 descent approaches the flow: halving η halves the distance to simulate's weights.
    @Test func descentApproachesSimulateAtFirstOrder() throws {
        let flow = parseCSV(try CLI.run(["simulate"] + Self.small + ["--t-end", "3", "--samples", "3", "--rtol", "1e-12", "--atol", "1e-14"]).stdout)
        var gaps: [Double] = []
        for (eta, steps) in [("0.02", 150), ("0.01", 300)] {
            let gd = parseCSV(try CLI.run(["descend"] + Self.small + ["--lr", eta, "--steps", "\(steps)", "--every", "\(steps / 3)"]).stdout)
            #expect(column(gd, "t") == column(flow, "t"))
            let weights = flow.header.indices.filter { flow.header[$0].hasPrefix("W") }
            gaps.append(weights.map { gd.rows.last![$0] - flow.rows.last![$0] }.map { $0 * $0 }.reduce(0, +).squareRoot())
        }
        #expect(gaps[1] > 1e-4 && abs(gaps[0] / gaps[1] - 2) < 0.2, "\(gaps)")
    }

    @Test func stepBeyondTwoOverSharpnessWarnsFirst() throws {
        let r = try CLI.run(["descend", "--lr", "5", "--steps", "2"])
        #expect(r.status == 0)
        let lines = r.stderr.split(separator: "\n")
        #expect(lines[0].hasPrefix("linflow: warning: --lr 5 exceeds 2/sharpness = 4.13"))
        #expect(lines.filter { $0.contains("warning") }.count == 1)
    }

    /// With equal rates r on both layers the step subtracts ηr∇L, so its operator is R H = 2H for
    /// r = 2: its λ_max is twice the sharpness column's at every row. At η = 1.1 (2/η = 1.818) the
    /// column stays below 2/η along the run while twice it rises past it from below, so the
    /// edge-of-stability note must come (a note read off the plain Hessian would not), name the
    /// step's operator, and report twice the column's largest value.
    @Test func edgeNoteUsesTheStepOperatorWithRates() throws {
        let dir = CLI.temporaryDirectory()
        let eta = 1.1
        let r = try CLI.run(["descend", "--layer-rates", "2,2", "--init-scale", "0.01", "--steps", "200", "--lr", "\(eta)", "--every", "1",
                             "-o", "d.csv"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let (header, rows) = parseCSV(try String(contentsOf: dir.appendingPathComponent("d.csv"), encoding: .utf8))
        let sharpness = rows.map { $0[header.firstIndex(of: "sharpness")!] }
        let top = sharpness.max()!
        // The case separates the two operators: H below the edge throughout, 2H past it but not at the start.
        try #require(top < 2 / eta && 2 * top > 2 / eta && 2 * sharpness[0] < 2 / eta, "H from \(sharpness[0]) to \(top)")
        let note = try #require(r.stderr.split(separator: "\n").first { $0.contains("note: λ_max of the step's operator R(H + γ)") }, "\(r.stderr)")
        #expect(note.contains("grew past 2/η = 1.81818"))
        let largest = Double(note.components(separatedBy: "(largest ")[1].prefix { $0 != ")" })!
        #expect(abs(largest - 2 * top) <= 1e-4 * 2 * top, "\(largest) vs 2 × \(top)")
    }

    @Test func divergenceExitsThreeWithOneLineAndKeepsTheRows() throws {
        let dir = CLI.temporaryDirectory()
        let out = dir.appendingPathComponent("out.csv").path
        let r = try CLI.run(["descend", "--lr", "12", "--steps", "500", "--every", "1", "-o", out])
        #expect(r.status == 3)
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.count == 2 && lines[0].hasPrefix("linflow: warning:"))
        #expect(lines[1].hasPrefix("linflow: error: descent diverged at step "))
        #expect(lines[1].hasSuffix("rows written so far are in \(out).partial"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["out.csv.partial", "out.csv.partial.json"])
        let kept = parseCSV(try String(contentsOfFile: out + ".partial", encoding: .utf8))
        let words = lines[1].split(separator: " ")
        let step = Int(words[words.firstIndex(of: "step")! + 1])!
        // Every step before the failing one was written (--every 1), all finite.
        #expect(kept.rows.count == step)
        #expect(kept.rows.allSatisfy { $0.allSatisfy(\.isFinite) })
    }

    @Test func minibatchRunsAreFixedByTheSeedAndOneFullBatchIsFullBatchDescent() throws {
        let args = ["descend"] + Self.small + ["--lr", "0.1", "--steps", "20"]
        let a = try CLI.run(args + ["--batch-size", "2"]), b = try CLI.run(args + ["--batch-size", "2"])
        let c = try CLI.run(args + ["--batch-size", "2", "--shuffle-seed", "9"])
        #expect(a.status == 0 && a.stdoutData == b.stdoutData && a.stdoutData != c.stdoutData)
        #expect(a.stderr.contains("minibatches of 2 (10 epochs)"))
        let full = parseCSV(try CLI.run(args).stdout), one = parseCSV(try CLI.run(args + ["--batch-size", "4"]).stdout)
        for (p, q) in zip(full.rows.joined(), one.rows.joined()) { #expect(abs(p - q) <= 1e-12 * max(1, abs(p))) }
    }

    @Test func minibatchesReadFromAFileAsFromTheBuiltInData() throws {
        let path = CLI.temporaryDirectory().appendingPathComponent("h.csv").path
        #expect(try CLI.run(["datasets", "hierarchy", "-o", path]).status == 0)
        let args = ["--batch-size", "3", "--steps", "12", "--lr", "0.5"]
        let fromFile = try CLI.run(["descend", "--data", path, "--outputs", "15"] + args)
        #expect(fromFile.status == 0, "\(fromFile.stderr)")
        #expect(fromFile.stdoutData == (try CLI.run(["descend"] + args)).stdoutData)
    }

    @Test func momentumRunsAndItsOutputResumesSimulate() throws {
        let dir = CLI.temporaryDirectory()
        let path = dir.appendingPathComponent("m.csv").path
        let r = try CLI.run(["descend"] + Self.small + ["--lr", "0.1", "--steps", "30", "--momentum", "0.9", "-o", path])
        #expect(r.status == 0 && r.stderr.contains("momentum β = 0.9"))
        let s = try CLI.run(["simulate", "--dataset", "seed-affine", "--init", path, "--t-end", "4", "--samples", "1"])
        #expect(s.status == 0, "\(s.stderr)")
        let last = parseCSV(try String(contentsOfFile: path, encoding: .utf8)).rows.last!
        #expect(parseCSV(s.stdout).rows[0][2] == last[2])
    }

    @Test func compareWritesBothLossesAndTheGapsAndReportsTheLargest() throws {
        let args = Self.small + ["--lr", "0.1", "--steps", "20", "--every", "5"]
        let r = try CLI.run(["compare"] + args)
        #expect(r.status == 0, "\(r.stderr)")
        let csv = parseCSV(r.stdout)
        #expect(csv.header == ["t", "loss_gd", "loss_flow", "loss_modified", "gap_flow", "gap_flow_W21", "gap_flow_W32",
                               "gap_modified", "gap_modified_W21", "gap_modified_W32"])
        #expect(column(csv, "t") == [0, 5, 10, 15, 20].map { Double($0) * 0.1 })
        #expect(csv.rows[0][1] == csv.rows[0][2] && csv.rows[0][4...].allSatisfy { $0 == 0 })
        // Descent's losses are those of `descend` with the same options.
        let gd = parseCSV(try CLI.run(["descend"] + args).stdout)
        #expect(column(csv, "loss_gd") == column(gd, "loss"))
        // Descent is closer to the modified flow than to the flow.
        #expect(column(csv, "gap_modified").last! < 0.2 * column(csv, "gap_flow").last!)
        // The reported largest gap is the column's maximum, at its time.
        let gaps = column(csv, "gap_flow"), i = gaps.indices.max { gaps[$0] < gaps[$1] }!
        let line = r.stderr.split(separator: "\n").first { $0.contains("largest gap to the flow") }!
        #expect(line.contains(String(format: "= %.6g at t = %.6g (step %d)", gaps[i], column(csv, "t")[i], i * 5)))
    }

    @Test(arguments: [
        (["descend", "--lr", "0"], "--lr must be a positive number"),
        (["descend", "--steps", "0"], "--steps must be at least 1"),
        (["descend", "--every", "0"], "--every must be at least 1"),
        (["descend", "--momentum", "1"], "--momentum must be at least 0 and below 1"),
        (["descend", "--batch-size", "0"], "--batch-size must be at least 1"),
        (["descend", "--dataset", "seed-affine", "--batch-size", "5"], "--batch-size 5 exceeds the 4 samples"),
        (["compare", "--lr=-1"], "--lr must be a positive number"),
        (["compare", "--rtol", "0"], "--rtol must be a positive number"),
        (["compare", "--method", "msadams", "--error-norm", "rms"], "--error-norm rms does not apply to --method msadams"),
        (["simulate", "--method", "msbdf", "--error-norm", "rms"], "--error-norm rms does not apply to --method msbdf"),
        (["simulate", "--error-norm", "l2"], "'l2' is invalid for '--error-norm"),
        // The data options (DataOptions): refused with built-in data, --outputs required.
        (["stats", "--outputs", "2"], "--outputs applies to a --data file, not to the built-in dataset 'hierarchy'"),
        (["simulate", "--dataset", "seed-affine", "--inputs", "x1"], "--inputs applies to a --data file"),
        (["descend", "--header", "yes"], "--header applies to a --data file"),
        (["compare", "--delimiter", "tab"], "--delimiter applies to a --data file"),
        (["stats", "--data", "d.csv"], "--data d.csv needs --outputs"),
        (["stats", "--data", "d.csv", "--outputs", "0"], "--outputs must be at least 1"),
        (["stats", "--data", "d.csv", "--outputs", "1", "--header", "maybe"], "--header must be auto, yes or no"),
        (["stats", "--data", "d.csv", "--outputs", "1", "--delimiter", "ab"], "--delimiter must be comma, tab, semicolon"),
    ] as [([String], String)])
    func badOptionsAreOneLineUsageErrors(arguments: [String], message: String) throws {
        let r = try CLI.run(arguments)
        #expect(r.status == 64, "\(arguments): \(r.stderr)")
        #expect(r.stderr.hasPrefix("linflow: error: ") && r.stderr.contains(message), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1 && r.stdout.isEmpty)
    }

    @Test func helpListsTheOptions() throws {
        let common = ["--data", "--outputs", "--dataset", "--hidden", "--layers", "--seed", "--init-scale", "--init",
                      "--lr", "--steps", "--every", "--out"]
        let descend = try CLI.run(["descend", "--help"]).stdout, compare = try CLI.run(["compare", "--help"]).stdout
        for o in common + ["--batch-size", "--shuffle-seed", "--momentum", "--diagnostics"] { #expect(descend.contains(o), "\(o)") }
        for o in common + ["--method", "--rtol", "--atol", "--error-norm"] { #expect(compare.contains(o), "\(o)") }
    }
}

@Suite struct DescentSharpnessOptionTests {
    /// --no-sharpness drops exactly the sharpness column and changes nothing else.
    @Test func noSharpnessDropsOnlyThatColumn() throws {
        let args = ["descend", "--steps", "40", "--every", "10", "--lr", "0.2"]
        let with = try CLI.run(args), without = try CLI.run(args + ["--no-sharpness"])
        #expect(with.status == 0 && without.status == 0)
        let stripped = with.stdout.split(separator: "\n").map { line in
            String(line[..<line.lastIndex(of: ",")!])
        }
        #expect(stripped == without.stdout.split(separator: "\n").map(String.init))
        #expect(with.stdout.hasPrefix("t,") && with.stdout.split(separator: "\n")[0].hasSuffix(",sharpness"))
        #expect(without.stderr.contains("not tracked along the run"))
    }

    /// A descent that settles repeats sharpness estimates (the bound of docs/descent.md), counts
    /// them in the summary and the record, and every repeated value is its row's neighbour's;
    /// with --bias none is repeated.
    @Test func settledRowsRepeatTheEstimateAndTheRecordCountsThem() throws {
        let dir = CLI.temporaryDirectory()
        let out = dir.appendingPathComponent("gd.csv").path
        let r = try CLI.run(["descend", "--lr", "1", "--steps", "600", "--every", "30", "-o", out])
        #expect(r.status == 0, "\(r.stderr)")
        let record = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + ".json"))) as! [String: Any]
        let reused = (record["result"] as! [String: Any])["sharpness_reused"] as! Int
        #expect(reused > 0 && r.stderr.contains("\(reused) rows reused an estimate within its tolerance"))
        let sharpness = column(parseCSV(try String(contentsOfFile: out, encoding: .utf8)), "sharpness")
        let repeats = zip(sharpness, sharpness.dropFirst()).filter { $0 == $1 }.count
        #expect(repeats >= reused)
        let biased = dir.appendingPathComponent("bias.csv").path
        // Converges to W* to rounding, and still every row is estimated.
        let b = try CLI.run(["descend", "--bias", "--dataset", "seed-affine", "--hidden", "2", "--lr", "0.2", "--steps", "600",
                             "--every", "30", "-o", biased])
        #expect(b.status == 0 && !b.stderr.contains("reused"))
        let biasRecord = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: biased + ".json"))) as! [String: Any]
        #expect((biasRecord["result"] as! [String: Any])["sharpness_reused"] as? Int == 0)
    }
}
