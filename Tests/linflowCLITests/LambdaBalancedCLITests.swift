import Foundation
import Testing

/// `--init lambda-balanced --lambda λ`, `analytic`'s λ-balanced form and `--kernel-distance`,
/// through the built executable.
@Suite struct LambdaBalancedCLITests {
    static let start = ["--init", "lambda-balanced", "--lambda", "-2", "--hidden", "6", "--init-scale", "0.1"]

    /// A negative λ parses as a value; the imbalance column is ‖λI‖_F = 2√6 on every row, and
    /// kernel_distance follows it, 0 on the first row and growing.
    @Test func simulateWritesTheBalanceAndTheKernelDistance() throws {
        let r = try CLI.run(["simulate"] + Self.start + ["--samples", "4", "--t-end", "20", "--kernel-distance", "--rtol", "1e-10", "--atol", "1e-12"])
        #expect(r.status == 0, "\(r.stderr)")
        let (header, rows) = parseCSV(r.stdout)
        #expect(Array(header.suffix(2)) == ["imbalance", "kernel_distance"])
        for row in rows { #expect(abs(row[header.count - 2] - 2 * 6.0.squareRoot()) < 1e-7) }
        #expect(rows[0].last! == 0)
        #expect(rows.last!.last! > 1e-3 && rows.last!.last! < 1)
    }

    @Test func analyticSolvesTheStartAndItsOwnFile() throws {
        let dir = CLI.temporaryDirectory()
        let first = dir.appendingPathComponent("a.csv").path
        let r = try CLI.run(["analytic"] + Self.start + ["--samples", "8", "--kernel-distance", "-o", first])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("Dominé et al., λ-balanced start (λ = -2)"))
        // The stderr line "… end-to-end map X, QQᵀ Y, loss Z": all at rounding level.
        let line = try #require(r.stderr.split(separator: "\n").first { $0.contains("largest |closed form") })
        let numbers = line.split(separator: " ").compactMap { Double($0.trimmingCharacters(in: CharacterSet(charactersIn: ","))) }
        #expect(numbers.suffix(3).count == 3 && numbers.suffix(3).allSatisfy { $0 < 1e-10 }, "\(line)")
        let record = try String(contentsOfFile: first + ".json", encoding: .utf8)
        #expect(record.contains("\"kind\" : \"lambda-balanced\"") && record.contains("\"lambda\" : -2"))
        #expect(parseCSV(try String(contentsOfFile: first, encoding: .utf8)).header.contains("kernel_distance"))
        // Its last row is λ-balanced: auto picks the λ-balanced form for the file.
        // (A resumed run continues the file's time axis, which ended at 80.)
        let resumed = try CLI.run(["analytic", "--init", first, "--samples", "2", "--t-end", "85"])
        #expect(resumed.status == 0 && resumed.stderr.contains("λ-balanced start (λ = -2)"), "\(resumed.stderr)")
        // Braun et al.'s form refuses it.
        let braun = try CLI.run(["analytic", "--init", first, "--form", "riccati", "--samples", "2"])
        #expect(braun.status == 64 && braun.stderr.contains("not zero-balanced"))
    }

    @Test func descendWritesTheKernelDistance() throws {
        let r = try CLI.run(["descend"] + Self.start + ["--lr", "0.1", "--steps", "50", "--every", "25", "--kernel-distance", "--no-sharpness"])
        #expect(r.status == 0, "\(r.stderr)")
        let (header, rows) = parseCSV(r.stdout)
        let k = try #require(header.firstIndex(of: "kernel_distance"))
        #expect(rows[0][k] == 0 && rows.last![k] > 0)
    }

    /// `--representations` in every command that takes it: one `h` line per item and unit and one
    /// `rsm` line per item pair, per row; refused without --out and on inputs that are not one-hot.
    @Test func representationsInEveryCommand() throws {
        let dir = CLI.temporaryDirectory()
        for command in [["simulate", "--samples", "2"], ["descend", "--lr", "0.1", "--steps", "4", "--every", "2", "--no-sharpness"],
                        ["analytic", "--samples", "2", "--no-check"]] {
            let out = dir.appendingPathComponent("t.csv").path, rep = dir.appendingPathComponent("rep.csv").path
            let r = try CLI.run(command + Self.start + ["-o", out, "--representations", rep])
            #expect(r.status == 0, "\(command): \(r.stderr)")
            let lines = try String(contentsOfFile: rep, encoding: .utf8).split(separator: "\n")
            #expect(lines.first == "t,layer,kind,i,j,value")
            #expect(lines.count == 1 + 3 * (8 * 6 + 8 * 8), "\(command)")
            #expect(lines.filter { $0.hasPrefix("0.0,1,rsm,2,2,") }.count == 1)
        }
        let noOut = try CLI.run(["simulate", "--representations", dir.appendingPathComponent("x.csv").path])
        #expect(noOut.status == 64 && noOut.stderr.contains("--representations needs --out"))
        let affine = try CLI.run(["simulate", "--dataset", "seed-affine", "-o", dir.appendingPathComponent("y.csv").path,
                                  "--representations", dir.appendingPathComponent("z.csv").path])
        #expect(affine.status == 64 && affine.stderr.contains("one-hot"))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("y.csv").path))
    }

    /// Each refused before any work: exit 64, one line naming the option.
    @Test(arguments: [
        (["simulate", "--lambda", "1"], "--lambda applies only to --init lambda-balanced"),
        (["simulate", "--init", "random", "--lambda", "-1"], "--lambda applies only to --init lambda-balanced"),
        (["analytic", "--lambda", "0.5"], "--lambda applies only to --init lambda-balanced"),
        (["simulate", "--init", "lambda-balanced"], "--init lambda-balanced needs --lambda"),
        (["simulate", "--init", "lambda-balanced", "--lambda", "2"], "outputs ≥ hidden"),
        (["simulate", "--init", "lambda-balanced", "--lambda", "-2", "--hidden", "9"], "inputs ≥ hidden"),
        (["descend", "--init", "lambda-balanced", "--lambda", "1", "--layers", "8,4,4,15"], "two-layer"),
        (["simulate", "--init", "lambda-balanced", "--lambda", "nan"], "--lambda"),
    ])
    func refusals(arguments: [String], message: String) throws {
        let dir = CLI.temporaryDirectory()
        let out = dir.appendingPathComponent("x.csv").path
        let r = try CLI.run(arguments + ["-o", out])
        #expect(r.status == 64, "\(arguments): \(r.stderr)")
        #expect(r.stderr.contains(message), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
    }
}
