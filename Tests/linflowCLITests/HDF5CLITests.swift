import Foundation
import Testing

/// Trajectories as HDF5 (-o run.h5, --format), --weights, the CSV size warning, export, plot
/// and --init on .h5 files. h5py's independent reading is scripts/checks/check_hdf5.py.
@Suite struct HDF5CLITests {
    func files(_ dir: URL) throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() }

    /// export of every column gives back the CSV of the same run, byte for byte: the .h5 holds
    /// the same doubles, in the same order (W21_r_c at W21[:, r−1, c−1]).
    @Test(arguments: [
        ["simulate", "--bias", "--modes", "--samples", "12", "--t-end", "30"],
        ["descend", "--steps", "30", "--every", "5"],
        ["compare", "--steps", "20"],
        ["analytic", "--samples", "10", "--no-check"],
    ])
    func exportOfAnHDF5RunIsTheCSVOfTheSameRun(command: [String]) throws {
        let dir = CLI.temporaryDirectory()
        let csv = dir.appendingPathComponent("run.csv").path, h5 = dir.appendingPathComponent("run.h5").path
        let back = dir.appendingPathComponent("back.csv").path
        #expect(try CLI.run(command + ["-o", csv]).status == 0)
        let r = try CLI.run(command + ["-o", h5])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("→ \(h5)"))
        let e = try CLI.run(["export", h5, "--columns", "*", "-o", back])
        #expect(e.status == 0, "\(e.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: back)) == Data(contentsOf: URL(fileURLWithPath: csv)))
        #expect(try files(dir) == ["back.csv", "run.csv", "run.csv.json", "run.h5", "run.h5.json"])
    }

    /// The same command gives the same bytes in HDF5 as in CSV: no creation or modification
    /// times in the object headers (HDF5 writes them by default), so two runs a second apart agree.
    @Test func sameCommandGivesTheSameBytes() throws {
        let dir = CLI.temporaryDirectory()
        let args = ["descend", "--steps", "6", "--every", "2", "-o", "run.h5"]
        #expect(try CLI.run(args, in: dir).status == 0)
        let first = try Data(contentsOf: dir.appendingPathComponent("run.h5"))
        Thread.sleep(forTimeInterval: 1.1)
        #expect(try CLI.run(args, in: dir).status == 0)
        #expect(first == (try Data(contentsOf: dir.appendingPathComponent("run.h5"))))
    }

    @Test func formatOptionOverridesTheExtension() throws {
        let dir = CLI.temporaryDirectory()
        let plain = dir.appendingPathComponent("run.dat").path, h5 = dir.appendingPathComponent("run.h5").path
        #expect(try CLI.run(["simulate", "--samples", "3", "--format", "hdf5", "-o", plain]).status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: plain)).prefix(4) == Data([0x89, 0x48, 0x44, 0x46]))
        #expect(try CLI.run(["simulate", "--samples", "3", "--format", "csv", "-o", h5]).status == 0)
        #expect(try String(contentsOfFile: h5, encoding: .utf8).hasPrefix("t,loss,excess_loss,W21_1_1"))
    }

    @Test func initFromAnHDF5FileStartsWhereTheCSVWould() throws {
        let dir = CLI.temporaryDirectory()
        let csv = dir.appendingPathComponent("a.csv").path, h5 = dir.appendingPathComponent("a.h5").path
        #expect(try CLI.run(["simulate", "--bias", "--samples", "4", "--t-end", "5", "-o", csv]).status == 0)
        #expect(try CLI.run(["simulate", "--bias", "--samples", "4", "--t-end", "5", "-o", h5]).status == 0)
        // Both continue the file's time axis from its last t = 5.
        let fromCSV = try CLI.run(["simulate", "--samples", "3", "--t-end", "10", "--init", csv])
        let fromH5 = try CLI.run(["simulate", "--samples", "3", "--t-end", "10", "--init", h5])
        #expect(fromCSV.status == 0 && fromH5.status == 0, "\(fromH5.stderr)")
        #expect(fromCSV.stdoutData == fromH5.stdoutData && fromH5.stdout.split(separator: "\n")[1].hasPrefix("5.0,"))
        let descendCSV = try CLI.run(["descend", "--steps", "4", "--init", csv])
        let descendH5 = try CLI.run(["descend", "--steps", "4", "--init", h5])
        #expect(descendCSV.status == 0 && descendCSV.stdoutData == descendH5.stdoutData, "\(descendH5.stderr)")
        // Without every weight block there is no start.
        let partial = dir.appendingPathComponent("w32.h5").path
        #expect(try CLI.run(["simulate", "--samples", "2", "--weights", "W32", "-o", partial]).status == 0)
        let r = try CLI.run(["simulate", "--init", partial])
        #expect(r.status == 65 && r.stderr.hasPrefix("linflow: error: \(partial): ") && r.stderr.split(separator: "\n").count == 1)
    }

    @Test func weightsChoosesTheBlocksOfACSV() throws {
        let none = try CLI.run(["simulate", "--samples", "2", "--weights", "none"])
        #expect(none.stdout.hasPrefix("t,loss,excess_loss,sv_1,"))
        let w32 = try CLI.run(["simulate", "--samples", "2", "--weights", "W32", "--diagnostics", "none"])
        let header = w32.stdout.split(separator: "\n")[0].split(separator: ",")
        #expect(header.count == 3 + 15 * 16 && header[3] == "W32_1_1" && header.last == "W32_15_16")
        // The values are those of the full CSV's W32 columns.
        let all = try CLI.run(["simulate", "--samples", "2", "--diagnostics", "none"])
        let allRows = all.stdout.split(separator: "\n").map { $0.split(separator: ",") }
        let w32Rows = w32.stdout.split(separator: "\n").map { $0.split(separator: ",") }
        #expect(allRows.map { Array($0[0..<3] + $0[(3 + 128)...]) } == w32Rows)
    }

    @Test(arguments: [
        (["simulate", "--weights", "W43"], "--weights: the 8-16-15 network has no block W43; its blocks are W21, W32"),
        (["simulate", "--weights", "V1"], "--weights: 'V1' is not a weight block"),
        (["simulate", "--format", "hdf5"], "--format hdf5 needs --out FILE"),
        (["descend", "--format", "hdf5", "-o", "-"], "--format hdf5 needs --out FILE"),
        (["compare", "--weights", "none"], "unknown option '--weights' for compare"),
        (["simulate", "--format", "xml"], "--format"),
        (["simulate", "-o", "r.h5", "--plot", "p.png", "--plot-script", "p.gp"], "--plot-script: the script would read r.h5"),
        (["simulate", "-o", "r.csv", "--weights", "none", "--plot", "p.png", "--plot-kind", "weights"],
         "--weights none leaves the weight columns out"),
    ])
    func badStorageOptionsAreRefusedBeforeTheRun(arguments: [String], message: String) throws {
        let dir = CLI.temporaryDirectory()
        let r = try CLI.run(arguments, in: dir)
        #expect(r.status == 64)
        #expect(r.stderr.hasPrefix("linflow: error: ") && r.stderr.contains(message), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1)
        #expect(r.stdout.isEmpty)
        #expect(try files(dir).isEmpty)
    }

    /// A failed run leaves no .h5 (an old one untouched) and its rows in OUT.partial.
    @Test func failedRunKeepsThePartialRows() throws {
        let dir = CLI.temporaryDirectory()
        let out = dir.appendingPathComponent("out.h5").path
        let r = try CLI.run(["simulate", "--max-steps", "50", "--samples", "8", "-o", out])
        #expect(r.status == 3)
        #expect(r.stderr.contains("rows written so far are in \(out).partial"))
        #expect(try files(dir) == ["out.h5.partial", "out.h5.partial.json"])
        let e = try CLI.run(["export", out + ".partial", "--columns", "t,loss"])
        #expect(e.status == 0 && e.stdout.hasPrefix("t,loss\n0.0,"))
    }

    /// The warning names the estimate and the ways out, before the run (which fails at once here).
    @Test func largeCSVDrawsASizeWarning() throws {
        let dir = CLI.temporaryDirectory()
        let r = try CLI.run(["simulate", "--hidden", "2000", "--samples", "1000", "--max-steps", "1",
                             "-o", dir.appendingPathComponent("big.csv").path])
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.first?.hasPrefix("linflow: warning: the CSV will be about 1.1 GB (1001 rows of 46") == true, "\(r.stderr)")
        #expect(lines.first?.contains("--out run.h5") == true && lines.first?.contains("--weights none") == true
                && lines.first?.contains("--samples") == true)
        let small = try CLI.run(["simulate", "--samples", "3"])
        #expect(!small.stderr.contains("warning"))
        // No warning for HDF5 or without the weights.
        let h5 = try CLI.run(["simulate", "--hidden", "2000", "--samples", "1000", "--max-steps", "1", "--weights", "none"])
        #expect(!h5.stderr.contains("warning"))
    }

    @Test func exportRefusesWhatItCannotRead() throws {
        let dir = CLI.temporaryDirectory()
        let csv = dir.appendingPathComponent("a.csv").path, h5 = dir.appendingPathComponent("a.h5").path
        #expect(try CLI.run(["simulate", "--samples", "2", "-o", csv]).status == 0)
        #expect(try CLI.run(["simulate", "--samples", "2", "-o", h5]).status == 0)
        let notH5 = try CLI.run(["export", csv, "--columns", "t"])
        #expect(notH5.status == 64 && notH5.stderr.contains("is not an HDF5 file"))
        let missing = try CLI.run(["export", dir.appendingPathComponent("none.h5").path, "--columns", "t"])
        #expect(missing.status == 66)
        let nothing = try CLI.run(["export", h5, "--columns", "W99_*"])
        #expect(nothing.status == 64 && nothing.stderr.contains("--columns 'W99_*' matches no column"))
        #expect(nothing.stderr.contains("W21 16×8"))
    }

    @Test func plotDrawsAnHDF5Trajectory() throws {
        try #require(PlotCLITests.gnuplotInstalled, "these tests run gnuplot: apt-get install gnuplot-nox")
        let dir = CLI.temporaryDirectory()
        let h5 = dir.appendingPathComponent("run.h5").path, png = dir.appendingPathComponent("sv.png").path
        #expect(try CLI.run(["simulate", "--samples", "20", "-o", h5]).status == 0)
        let r = try CLI.run(["plot", h5, "--kind", "modes", "-o", png])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("8 curves from \(h5)"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: png)).prefix(4) == Data([0x89, 0x50, 0x4E, 0x47]))
        let script = try CLI.run(["plot", h5, "--script", dir.appendingPathComponent("s.gp").path])
        #expect(script.status == 64 && script.stderr.contains("gnuplot cannot read"))
    }
}
