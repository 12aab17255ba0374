import Foundation
import Testing

@Suite struct AnalyticCLITests {
    /// `linflow analytic` with no flags, against `simulate` from the same aligned start: same
    /// header, same times, and the same numbers to simulate's tolerance.
    @Test func defaultRunOverlaysSimulate() throws {
        let a = try CLI.run(["analytic", "--samples", "8"])
        #expect(a.status == 0, "\(a.stderr)")
        #expect(a.stderr.contains("Saxe et al.") && a.stderr.contains("t½") && a.stderr.contains("largest |closed form − numerical flow|"))
        let s = try CLI.run(["simulate", "--samples", "8", "--init", "aligned"])
        #expect(s.status == 0)
        let (ha, ra) = parseCSV(a.stdout), (hs, rs) = parseCSV(s.stdout)
        #expect(ha == hs)
        #expect(ra.map { $0[0] } == rs.map { $0[0] })
        for (p, q) in zip(ra, rs) {
            for (x, y) in zip(p.dropLast(), q.dropLast()) { #expect(abs(x - y) < 1e-6) }  // all but imbalance
        }
    }

    /// A closed-form row is an aligned start again: resuming at t = 10 gives the run to t = 20.
    @Test func closedFormResumesFromItsOwnFile() throws {
        let dir = CLI.temporaryDirectory()
        let first = dir.appendingPathComponent("a.csv").path, second = dir.appendingPathComponent("b.csv").path
        #expect(try CLI.run(["analytic", "--t-end", "10", "--samples", "2", "--no-check", "-o", first]).status == 0)
        let r = try CLI.run(["analytic", "--init", first, "--t-end", "20", "--samples", "2", "--no-check", "-o", second])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("Saxe et al."))
        let whole = parseCSV(try CLI.run(["analytic", "--t-end", "20", "--samples", "4", "--no-check"]).stdout)
        let resumed = parseCSV(try String(contentsOfFile: second, encoding: .utf8))
        #expect(resumed.rows.map { $0[0] } == [10, 15, 20])
        for (x, y) in zip(resumed.rows.last!, whole.rows.last!) { #expect(abs(x - y) < 1e-10) }
        let b = try CLI.run(["analytic", "--init", "balanced", "--init-scale", "0.01", "--samples", "4", "--no-check"])
        #expect(b.status == 0 && b.stderr.contains("Braun et al."))
    }

    @Test func everyInitKindRunsAndModesAreColumns() throws {
        for kind in ["random", "orthogonal", "balanced", "aligned"] {
            let r = try CLI.run(["simulate", "--init", kind, "--init-scale", "0.05", "--modes", "--samples", "2", "--t-end", "60"])
            #expect(r.status == 0, "\(kind): \(r.stderr)")
            let (header, rows) = parseCSV(r.stdout)
            #expect(Array(header.suffix(9)) == ["imbalance"] + (1...8).map { "mode_\($0)" })
            // Every mode ends near its plateau s_α/c (the hierarchy is learned by t = 60).
            let plateaus = [3.873, 2.646, 1.732, 1.732, 1, 1, 1, 1]
            for (a, s) in zip(rows.last!.suffix(8), plateaus) { #expect(abs(a - s) < 0.01, "\(kind)") }
        }
    }

    @Test func biasColumnsFollowTheirLayerAndResume() throws {
        let dir = CLI.temporaryDirectory()
        let path = dir.appendingPathComponent("affine.csv").path
        let r = try CLI.run(["simulate", "--dataset", "seed-affine", "--hidden", "2", "--bias", "--init-scale", "0.3",
                             "--samples", "2", "--t-end", "10", "-o", path])
        #expect(r.status == 0 && r.stderr.contains("2-2-1 affine network"), "\(r.stderr)")
        let (header, _) = parseCSV(try String(contentsOfFile: path, encoding: .utf8))
        #expect(Array(header[3..<12]) == ["W21_1_1", "W21_1_2", "W21_2_1", "W21_2_2", "b21_1", "b21_2", "W32_1_1", "W32_1_2", "b32_1"])
        let resumed = try CLI.run(["simulate", "--dataset", "seed-affine", "--init", path, "--samples", "1", "--t-end", "30"])
        #expect(resumed.status == 0 && resumed.stderr.contains("affine"), "\(resumed.stderr)")
        // The seed's net reaches the least-squares floor of z ≈ w0 + w1 x1 + w2 x2.
        #expect(resumed.stderr.contains("loss") && parseCSV(resumed.stdout).rows.last![1] < 0.0003126)
        let mismatch = try CLI.run(["simulate", "--dataset", "seed-affine", "--hidden", "2", "--init", path])
        #expect(mismatch.status == 64 && mismatch.stderr.contains("2-2-1 affine network (with bias columns); add --bias"), "\(mismatch.stderr)")
    }

    /// `--init aligned` names the kind, unless a file of that name exists where linflow runs.
    @Test func aKindNameThatIsAnExistingFileIsTheFile() throws {
        let dir = CLI.temporaryDirectory()
        try "x\n1\n".write(to: dir.appendingPathComponent("aligned"), atomically: true, encoding: .utf8)
        let r = try CLI.run(["simulate", "--init", "aligned"], in: dir)
        #expect(r.status == 65 && r.stderr.contains("aligned: no weight columns"), "\(r.stderr)")
    }
}
