import Foundation
import Testing

/// One run setup for every command: the defects of issue 11, each as a run a user would make.
@Suite struct RunSetupCLITests {
    static let affine = ["--dataset", "seed-affine", "--hidden", "2", "--bias"]

    /// The seed's own subject: the affine network under gradient descent reaches the affine
    /// least-squares floor 1/3200, not the bias-free floor 0.15875, and says so in its record.
    @Test func descentAndCompareTrainTheBiases() throws {
        let dir = CLI.temporaryDirectory()
        let d = try CLI.run(["descend"] + Self.affine + ["--lr", "0.05", "-o", "d.csv"], in: dir)
        #expect(d.status == 0, "\(d.stderr)")
        let rows = parseCSV(try String(contentsOf: dir.appendingPathComponent("d.csv"), encoding: .utf8)).rows
        #expect(abs(rows.last![1] - 1.0 / 3200) < 1e-9, "\(rows.last![1])")
        let record = try String(contentsOf: dir.appendingPathComponent("d.csv.json"), encoding: .utf8)
        #expect(record.contains("\"bias\" : true"))
        let c = try CLI.run(["compare"] + Self.affine + ["--lr", "0.05", "--steps", "800", "-o", "c.csv"], in: dir)
        #expect(c.status == 0, "\(c.stderr)")
        let last = parseCSV(try String(contentsOf: dir.appendingPathComponent("c.csv"), encoding: .utf8)).rows.last!
        #expect(abs(last[1] - 1.0 / 3200) < 1e-9 && abs(last[2] - 1.0 / 3200) < 1e-9)
    }

    /// A biased file resumes in descend (it trapped), and a shape without --bias is told to add it.
    @Test func biasedFilesResumeEverywhere() throws {
        let dir = CLI.temporaryDirectory()
        #expect(try CLI.run(["simulate"] + Self.affine + ["--samples", "2", "--t-end", "5", "-o", "a.csv"], in: dir).status == 0)
        for command in ["descend", "compare"] {
            let r = try CLI.run([command, "--dataset", "seed-affine", "--init", "a.csv", "--steps", "4"], in: dir)
            #expect(r.status == 0 && r.stderr.contains("affine"), "\(command): \(r.stderr)")
        }
        let r = try CLI.run(["simulate", "--dataset", "seed-affine", "--init", "a.csv", "--hidden", "2"], in: dir)
        #expect(r.status == 64 && r.stderr.contains("add --bias"), "\(r.stderr)")
    }

    /// Plain descent resumed from its own file continues the uninterrupted run to the bit: the
    /// two files, less the second header and the repeated row, are the one run's file.
    @Test func resumedDescentIsTheUninterruptedRunBitForBit() throws {
        let dir = CLI.temporaryDirectory()
        // The sharpness column is left out: its Lanczos estimates start warm from the previous
        // row's, so they agree with the uninterrupted run's to their tolerance (1e-7), not bits.
        let args = ["descend", "--lr", "0.3", "--every", "4", "--seed", "5", "--init-scale", "0.1", "--no-sharpness"]
        #expect(try CLI.run(args + ["--steps", "40", "-o", "whole.csv"], in: dir).status == 0)
        #expect(try CLI.run(args + ["--steps", "20", "-o", "first.csv"], in: dir).status == 0)
        let r = try CLI.run(["descend", "--lr", "0.3", "--every", "4", "--steps", "20", "--no-sharpness", "--init", "first.csv", "-o", "second.csv"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        func lines(_ name: String) throws -> [Substring] {
            try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8).split(separator: "\n")
        }
        let whole = try lines("whole.csv"), first = try lines("first.csv"), second = try lines("second.csv")
        // Row 0 of the second file is the first's last row (its loss from a separate evaluation);
        // every later row must be identical. (Compared as a Bool: the rows are long.)
        let joined = Array(first + second.dropFirst(2))
        #expect(joined.count == whole.count && joined == whole)
        #expect(second.count == 7 && second[1].split(separator: ",")[0] == first.last!.split(separator: ",")[0])
    }

    /// Heavy ball resumes its velocity from two consecutive rows; otherwise it says it restarts.
    @Test func momentumResumesFromTwoConsecutiveSteps() throws {
        let dir = CLI.temporaryDirectory()
        let base = ["descend", "--lr", "0.3", "--momentum", "0.9", "--no-sharpness"]
        #expect(try CLI.run(base + ["--steps", "30", "--every", "1", "--seed", "3", "--init-scale", "0.1", "-o", "whole.csv"], in: dir).status == 0)
        #expect(try CLI.run(base + ["--steps", "15", "--every", "1", "--seed", "3", "--init-scale", "0.1", "-o", "first.csv"], in: dir).status == 0)
        let r = try CLI.run(base + ["--steps", "15", "--every", "1", "--init", "first.csv", "-o", "second.csv"], in: dir)
        #expect(r.status == 0 && !r.stderr.contains("restarts"), "\(r.stderr)")
        let whole = parseCSV(try String(contentsOf: dir.appendingPathComponent("whole.csv"), encoding: .utf8)).rows
        let second = parseCSV(try String(contentsOf: dir.appendingPathComponent("second.csv"), encoding: .utf8)).rows
        for (p, q) in zip(second, whole.suffix(16)) {
            #expect(p[0] == q[0])
            for (x, y) in zip(p.dropFirst(2), q.dropFirst(2)) { #expect(abs(x - y) <= 1e-12 * max(1, abs(y))) }
        }
        // Restarting the velocity would leave the uninterrupted run by far more than rounding.
        #expect(try CLI.run(base + ["--steps", "15", "--every", "5", "--seed", "3", "--init-scale", "0.1", "-o", "coarse.csv"], in: dir).status == 0)
        let coarse = try CLI.run(base + ["--steps", "15", "--init", "coarse.csv"], in: dir)
        #expect(coarse.status == 0 && coarse.stderr.contains("velocity restarts at zero"), "\(coarse.stderr)")
    }

    /// The record names every input by checksum (and the row of an --init file), carries the
    /// final figures, and `rerun` repeats the run byte for byte, refusing a changed input.
    @Test func recordReproducesTheRun() throws {
        let dir = CLI.temporaryDirectory()
        #expect(try CLI.run(["datasets", "hierarchy", "-o", "h.csv"], in: dir).status == 0)
        #expect(try CLI.run(["simulate", "--data", "h.csv", "--outputs", "15", "--samples", "3", "--t-end", "4", "-o", "a.csv"], in: dir).status == 0)
        let c = try CLI.run(["compare", "--data", "h.csv", "--outputs", "15", "--init", "a.csv", "--steps", "5", "-o", "c.csv"], in: dir)
        #expect(c.status == 0, "\(c.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("c.csv.json"))) as! [String: Any]
        let start = json["initialization"] as! [String: Any]
        #expect(start["kind"] as? String == "file" && start["row"] as? Int == 4 && start["t"] as? Double == 4)
        #expect((start["sha256"] as? String)?.count == 64)
        let result = json["result"] as! [String: Any]
        for key in ["final_loss_gd", "final_loss_flow", "final_loss_modified", "loss_floor"] { #expect(result[key] is Double, "\(key)") }
        let inputs = json["inputs"] as! [[String: Any]]
        #expect(inputs.map { $0["role"] as! String } == ["data", "init"])

        let again = try CLI.run(["rerun", "c.csv.json", "-o", "c2.csv"], in: dir)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(FileManager.default.contents(atPath: dir.appendingPathComponent("c.csv").path)
                == FileManager.default.contents(atPath: dir.appendingPathComponent("c2.csv").path))
        try "1,2\n".write(to: dir.appendingPathComponent("a.csv"), atomically: true, encoding: .utf8)
        let refused = try CLI.run(["rerun", "c.csv.json", "-o", "c3.csv"], in: dir)
        #expect(refused.status == 65 && refused.stderr.contains("a.csv: the init file has changed"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("c3.csv").path))
    }

    /// analytic without the check says so in the numerical column instead of "never".
    @Test func analyticNoCheckDoesNotClaimANumericalTime() throws {
        let r = try CLI.run(["analytic", "--no-check", "--samples", "4", "--t-end", "3"])
        #expect(r.status == 0 && !r.stderr.contains("never"))
        #expect(r.stderr.split(separator: "\n").filter { $0.hasSuffix("- (--no-check)") }.count == 8)
        let checked = try CLI.run(["analytic", "--samples", "4", "--t-end", "3"])
        #expect(checked.stderr.contains("after t-end") && !checked.stderr.contains("never"))
    }

    /// An unknown option is answered with the commands that take it, not a far-off name.
    @Test(arguments: [
        (["descend", "--t-end", "3"], "unknown option '--t-end' for descend; it is an option of simulate, analytic, theory"),
        (["compare", "--modes"], "unknown option '--modes' for compare; it is an option of simulate, descend, analytic"),
        (["simulate", "--sed", "3"], "unknown option '--sed' for simulate; did you mean '--seed'?"),
    ])
    func unknownOptionsGetUsefulAnswers(arguments: [String], message: String) throws {
        let r = try CLI.run(arguments)
        #expect(r.status == 64 && r.stderr.hasPrefix("linflow: error: \(message) ("), "\(r.stderr)")
    }

    /// Negative numbers are values, so a negative end time gets its own message.
    @Test func negativeNumbersParseAsValues() throws {
        let r = try CLI.run(["simulate", "--t-end", "-1"])
        #expect(r.status == 64 && r.stderr.contains("--t-end must be a positive number"), "\(r.stderr)")
    }
}
