import Foundation
import LinFlowTestSupport
import Testing

/// `--method auto` from the command line: the switch is announced and recorded; where nothing
/// is stiff the table is rkf45's, byte for byte.
@Suite struct AutoMethodCLITests {
    /// Inputs ≈ 1000 ± 1 (not centred), y = 0.002 x₁ − 0.001 x₂ + noise: stiff once W has grown.
    static func nonCentredCSV(in dir: URL) throws -> String {
        var g = SplitMix64(seed: 0x9E37_79B9_7F4A_7C15)
        func uniform() -> Double { g.uniform() }
        var lines = ["x1,x2,y"]
        for _ in 0..<200 {
            let x1 = 1000 + 1.7 * uniform(), x2 = 1000 + 1.7 * uniform()
            lines.append("\(x1),\(x2),\(0.002 * x1 - 0.001 * x2 + 0.17 * uniform())")
        }
        let path = dir.appendingPathComponent("noncentred.csv").path
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func stiffRunAnnouncesAndRecordsTheSwitch() throws {
        let dir = CLI.temporaryDirectory()
        let csv = try Self.nonCentredCSV(in: dir), out = dir.appendingPathComponent("auto.csv").path
        let r = try CLI.run(["simulate", "--data", csv, "--outputs", "1", "--hidden", "2", "--t-end", "80",
                             "--method", "auto", "-o", out])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("stiff at t = "))
        #expect(r.stderr.contains("switches to linflow's NDF (orders 1–5) with the exact Jacobian"))
        let record = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + ".json"))) as! [String: Any]
        let settings = try #require(record["settings"] as? [String: Any])
        let stiffness = try #require(settings["stiffness"] as? [String: Any])
        #expect(stiffness["outcome"] as? String == "switched to ndf")
        #expect((stiffness["h_lambda_max"] as? Double ?? 0) >= 1)
    }

    /// The hierarchy's stiff late phase (8-16-15, 368 weights, to t = 4·10⁴; h·λ_max is pinned from
    /// t ≈ 10³ on): auto switches to the NDF, and its final weights are within 10·rtol (relative to
    /// the largest weight) of rk8pd's at rtol 10⁻¹² — the explicit reference needs ~40× auto's
    /// RHS evaluations. The NDF alone from the start at rtol 10⁻¹⁰ is within 10·rtol too, and
    /// crosses the converged phase in large steps: there c·f is rounding noise above Newton's
    /// contraction test, and refusing such corrections halved the step and refreshed J at every
    /// step (≈ 10⁴ steps before t = 10⁴ instead of ~1 550 in all).
    @Test func stiffLatePhaseMatchesATightReference() throws {
        let dir = CLI.temporaryDirectory()
        var finals: [[Double]] = []
        for (method, rtol) in [("auto", 1e-8), ("ndf", 1e-10), ("rk8pd", 1e-12)] {
            let out = dir.appendingPathComponent("\(method).csv").path
            let r = try CLI.run(["simulate", "--dataset", "hierarchy", "--hidden", "16", "--t-end", "40000", "--samples", "1",
                                 "--diagnostics", "none", "--method", method, "--rtol", "\(rtol)", "--atol", "\(rtol * 1e-2)", "-o", out]
                                + (method == "ndf" ? ["--max-steps", "3000"] : []))
            #expect(r.status == 0, "\(r.stderr)")
            if method == "auto" { #expect(r.stderr.contains("switches to linflow's NDF")) }
            if method == "ndf" {
                let record = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + ".json"))) as! [String: Any]
                let steps = try #require((record["result"] as? [String: Any])?["steps"] as? Int)
                #expect(steps < 3000, "ndf took \(steps) steps to t = 4·10⁴")  // --max-steps ends it there otherwise
            }
            let table = parseCSV(try String(contentsOfFile: out, encoding: .utf8))
            let weights = table.header.indices.filter { table.header[$0].hasPrefix("W") || table.header[$0].hasPrefix("b") }
            #expect(weights.count == 8 * 16 + 16 * 15)
            finals.append(weights.map { table.rows.last![$0] })
        }
        let scale = finals[2].map(abs).max()!
        for (i, (method, rtol)) in [("auto", 1e-8), ("ndf", 1e-10)].enumerated() {
            let gap = zip(finals[i], finals[2]).map { abs($0 - $1) }.max()!
            #expect(gap <= 10 * rtol * scale, "\(method) at rtol \(rtol) is \(gap / scale) from rk8pd at 1e-12")
        }
    }

    /// The hierarchy while it learns (to t = 80, 323 steps, one check): not stiff, so auto's
    /// table is rkf45's byte for byte. (Later, once converged, its steps are pinned and auto
    /// switches, as the test above shows.)
    @Test func nonStiffRunWritesRKF45sBytes() throws {
        let dir = CLI.temporaryDirectory()
        var tables: [Data] = []
        for m in ["rkf45", "auto"] {
            let out = dir.appendingPathComponent("\(m).csv").path
            let r = try CLI.run(["simulate", "--dataset", "hierarchy", "--t-end", "80", "--samples", "50", "--method", m, "-o", out])
            #expect(r.status == 0, "\(r.stderr)")
            #expect(!r.stderr.contains("stiff"))
            tables.append(try Data(contentsOf: URL(fileURLWithPath: out)))
        }
        #expect(tables[0] == tables[1])
    }
}
