import Foundation
import Testing

/// `plot --kind heatmap`: the colour scale (`--z-scale`) and cells that several rows share
/// (`--reduce`), through the built executable, read off the script it writes.
@Suite struct HeatmapCLITests {
    /// A summary-like table in a new directory; returns its path.
    func table(_ header: String, _ rows: [String]) throws -> (dir: URL, path: String) {
        let dir = CLI.temporaryDirectory()
        let path = dir.appendingPathComponent("summary.csv").path
        try ([header] + rows).joined(separator: "\n").appending("\n").write(toFile: path, atomically: true, encoding: .utf8)
        return (dir, path)
    }

    /// Plots `path` as lr × scale coloured by z; returns the result and the script.
    func heatmap(_ path: String, in dir: URL, _ extra: [String] = []) throws -> (CLI.Result, String) {
        let gp = dir.appendingPathComponent("h.gp").path
        try? FileManager.default.removeItem(atPath: gp)
        let r = try CLI.run(["plot", path, "--kind", "heatmap", "--x", "lr", "--y", "scale", "--z", "z", "--script", gp] + extra)
        return (r, (try? String(contentsOfFile: gp, encoding: .utf8)) ?? "")
    }

    /// The rows of a data block of the script, split into numbers.
    func block(_ name: String, of script: String) -> [[Double]] {
        guard let start = script.range(of: "\(name) << EOD\n") else { return [] }
        let rest = script[start.upperBound...]
        let end = rest.range(of: "EOD\n")!.lowerBound
        return rest[..<end].split(separator: "\n").map { $0.split(separator: " ").map { Double($0)! } }
    }

    func grid(_ z: (Int, Int) -> String) -> [String] {
        var rows: [String] = []
        for (i, lr) in ["0.5", "1", "1.5"].enumerated() {
            for (j, s) in ["0.01", "0.1", "1"].enumerated() { rows.append("\(lr),\(s),\(z(i, j))") }
        }
        return rows
    }

    @Test func zerosAmongPositivesGiveLogColoursWithZerosAtTheFloor() throws {
        // The positive values span less than three decades: the zeros alone make it log.
        let values = ["0", "0.002", "0.01", "0.5", "0", "0.3", "0.02", "0.04", "0.1"]
        let (dir, path) = try table("lr,scale,z", grid { i, j in values[3 * i + j] })
        let (r, s) = try heatmap(path, in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(s.contains("set logscale cb\n"))
        // The largest power of ten below the smallest positive value, 0.002.
        #expect(s.contains("set cbrange [0.001:*]\n"))
        #expect(block("$zeros", of: s).map { [$0[0], $0[1]] } == [[0.5, 0.01], [1, 0.1]])
        #expect(block("$cells", of: s).count == 7 && !block("$cells", of: s).contains { $0[6] == 0 })
        #expect(s.contains("$zeros using 1:2:3:4:5:6 with boxxyerror fc palette cb 0.001 title 'z = 0'"))
        #expect(r.stderr.contains("2 cells with z = 0, drawn at the floor colour (0.001)"), "\(r.stderr)")

        // The same through gnuplot: a picture.
        if PlotCLITests.gnuplotInstalled {
            let png = dir.appendingPathComponent("h.png").path
            let drawn = try CLI.run(["plot", path, "--kind", "heatmap", "--x", "lr", "--y", "scale", "--z", "z", "-o", png])
            #expect(drawn.status == 0, "\(drawn.stderr)")
            #expect(PictureCheck.problem(png, format: "png") == nil)
        }
    }

    @Test func positivesOverDecadesGiveLogColours() throws {
        let (dir, path) = try table("lr,scale,z", grid { i, j in "1e-\(3 * i + j)" })
        let (r, s) = try heatmap(path, in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(s.contains("set logscale cb\n") && !s.contains("cbrange") && !s.contains("$zeros"))

        // Within two decades: linear.
        let (dir2, narrow) = try table("lr,scale,z", grid { i, j in "\(1 + 3 * i + j)" })
        let (r2, s2) = try heatmap(narrow, in: dir2)
        #expect(r2.status == 0 && !s2.contains("logscale cb"))
    }

    @Test func linearScaleWhenAsked() throws {
        let (dir, path) = try table("lr,scale,z", grid { i, j in i == 0 && j == 0 ? "0" : "1e-\(3 * i + j)" })
        let (r, s) = try heatmap(path, in: dir, ["--z-scale", "linear"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(!s.contains("logscale cb") && !s.contains("$zeros"))
        // The zero is an ordinary cell.
        #expect(block("$cells", of: s).contains { $0[0] == 0.5 && $0[1] == 0.01 && $0[6] == 0 })
    }

    @Test func negativeValuesAreLinearOrRefusedOnLogColours() throws {
        let (dir, path) = try table("lr,scale,z", grid { i, j in i == 1 && j == 1 ? "-0.25" : "1e-\(3 * i + j)" })
        let (auto, s) = try heatmap(path, in: dir)
        #expect(auto.status == 0 && !s.contains("logscale cb"), "\(auto.stderr)")
        let (log, _) = try heatmap(path, in: dir, ["--z-scale", "log"])
        #expect(log.status == 64, "\(log.stderr)")
        #expect(log.stderr == "linflow: error: --z-scale log: z has negative values (down to -0.25), which log colours cannot show; use --z-scale linear\n")

        let (dir2, zeros) = try table("lr,scale,z", grid { _, _ in "0" })
        let (allZero, _) = try heatmap(zeros, in: dir2, ["--z-scale", "log"])
        #expect(allZero.status == 64 && allZero.stderr.contains("no positive value"), "\(allZero.stderr)")
        let (autoZero, s2) = try heatmap(zeros, in: dir2)
        #expect(autoZero.status == 0 && !s2.contains("logscale cb"))
    }

    /// Three seeds per (lr, scale) cell, with a failed task and a diverged one.
    func seeds() -> (header: String, rows: [String], z: [String: [Double]], marked: Set<String>) {
        var rows: [String] = [], z: [String: [Double]] = [:], marked = Set<String>()
        for lr in ["0.5", "1"] {
            for s in ["0.01", "0.1", "1"] {
                for seed in 1...3 {
                    let key = "\(lr) \(s)"
                    let value = Double(seed * seed) * (Double(lr)! + 10 * Double(s)!)
                    let failed = lr == "1" && s == "0.1" && seed == 2
                    let diverged = lr == "0.5" && s == "1" && seed == 3
                    if diverged { marked.insert(key) }
                    if !failed { z[key, default: []].append(value) }
                    rows.append("\(seed),\(lr),\(s),\(failed ? "" : "\(value)"),\(diverged ? 1 : 0)")
                }
            }
        }
        return ("seed,lr,scale,z,diverged", rows, z, marked)
    }

    @Test func rowsSharingACellAreRefusedWithoutReduce() throws {
        let t = seeds()
        let (dir, path) = try table(t.header, t.rows)
        let (r, s) = try heatmap(path, in: dir)
        #expect(r.status == 64 && s.isEmpty)
        #expect(r.stderr == "linflow: error: \(path): 3 rows share the cell lr = 0.5, scale = 0.01 (lines 2, 3, 4; 6 cells have several rows); combine them with --reduce mean|median|min|max, or plot a table with one row per cell\n", "\(r.stderr)")
    }

    @Test(arguments: ["mean", "median", "min", "max"])
    func reduceCombinesTheRowsOfACell(how: String) throws {
        let t = seeds()
        let (dir, path) = try table(t.header, t.rows)
        let (r, s) = try heatmap(path, in: dir, ["--reduce", how, "--mark", "diverged"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("--reduce \(how): 2 to 3 rows per cell"), "\(r.stderr)")
        #expect(s.contains("set cblabel '\(how) of z over 2–3 rows per cell'"))
        #expect(s.contains("title 'diverged (in any row)'"))
        func expected(_ v: [Double]) -> Double {
            let sorted = v.sorted()
            switch how {
            case "mean": return v.reduce(0, +) / Double(v.count)
            case "median": return sorted.count == 3 ? sorted[1] : (sorted[0] + sorted[1]) / 2
            case "min": return sorted.first!
            default: return sorted.last!
            }
        }
        let cells = block("$cells", of: s)
        #expect(cells.count == 6)
        for c in cells {
            let key = "\(c[0] == 1 ? "1" : "0.5") \(c[1] == 1 ? "1" : String(c[1]))"
            let want = expected(t.z[key]!)
            #expect(abs(c[6] - want) <= 1e-12 * want, "\(how) of \(key): \(c[6]) against \(want)")
        }
        #expect(block("$marks", of: s).map { [$0[0], $0[1]] } == [[0.5, 1]])
    }

    /// The case of issue 21 end to end: a sweep over lr × σ × seed drawn over lr × σ.
    @Test func seedSweepIsRefusedThenReduced() throws {
        let dir = CLI.temporaryDirectory()
        let plan = try CLI.run(["sweep", "plan", "s", "--grid", "lr=0.1,0.2", "--grid", "init-scale=0.01,0.1", "--grid", "seed=1,2",
                                "--", "descend", "--steps", "3", "--no-sharpness"], in: dir)
        try #require(plan.status == 0, "\(plan.stderr)")
        try #require(try CLI.run(["sweep", "run", "s"], in: dir).status == 0)
        try #require(try CLI.run(["sweep", "collect", "s", "-o", "summary.csv"], in: dir).status == 0)
        let summary = dir.appendingPathComponent("summary.csv").path
        let plot = ["plot", summary, "--kind", "heatmap", "--x", "lr", "--y", "init-scale", "--z", "final_loss", "--script", dir.appendingPathComponent("p.gp").path]
        let refused = try CLI.run(plot, in: dir)
        #expect(refused.status == 64 && refused.stderr.contains("2 rows share the cell lr = 0.1, init-scale = 0.01 (lines 2, 3; 4 cells have several rows)"), "\(refused.stderr)")

        let reduced = try CLI.run(plot + ["--reduce", "max"], in: dir)
        #expect(reduced.status == 0, "\(reduced.stderr)")
        // The largest final_loss of the two seeds, from the summary itself.
        let table = parseSummary(try String(contentsOfFile: summary, encoding: .utf8))
        let cells = block("$cells", of: try String(contentsOfFile: dir.appendingPathComponent("p.gp").path, encoding: .utf8))
        #expect(cells.count == 4)
        for c in cells {
            let rows = table.filter { Double($0["lr"]!) == c[0] && Double($0["init-scale"]!) == c[1] }
            #expect(rows.count == 2)
            #expect(c[6] == rows.map { Double($0["final_loss"]!)! }.max()!)
        }
    }

    func parseSummary(_ text: String) -> [[String: String]] {
        let lines = text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        return lines.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(lines[0], $0)) }
    }

    @Test func heatmapOptionsGoWithTheHeatmap() throws {
        let (dir, path) = try table("lr,scale,z", grid { _, _ in "1" })
        for extra in [["--z-scale", "log"], ["--reduce", "mean"]] {
            let r = try CLI.run(["plot", path, "--script", dir.appendingPathComponent("x.gp").path] + extra)
            #expect(r.status == 64 && r.stderr.contains("go with --kind heatmap"), "\(r.stderr)")
        }
    }
}
