import Foundation
import Testing

/// `linflow sweep` and `plot --kind heatmap` through the built executable.
@Suite struct SweepCLITests {
    let base = ["--", "descend", "--steps", "40", "--every", "10"]

    func plan(_ dir: URL, _ grid: [String]) throws -> String {
        let sweep = dir.appendingPathComponent("sw").path
        let r = try CLI.run(["sweep", "plan", sweep] + grid + base)
        try #require(r.status == 0, "\(r.stderr)")
        return sweep
    }

    func read(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    @Test func tasksEqualTheDirectRunsAndCollectIsDeterministic() throws {
        let dir = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let sweep = try plan(dir, ["--grid", "lr=0.5,1", "--grid", "seed=1:2:2"])
        let run = try CLI.run(["sweep", "run", sweep, "--jobs", "2"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("task 3 (lr=1 seed=2): complete"))
        // Task 3 is lr=1, seed=2: the same bytes as that command run by hand.
        let direct = dir.appendingPathComponent("direct.csv").path
        let d = try CLI.run(["descend", "--steps", "40", "--every", "10", "--lr", "1", "--seed", "2", "-o", direct])
        try #require(d.status == 0)
        #expect(try read(sweep + "/tasks/3/out.csv") == read(direct))
        #expect(FileManager.default.fileExists(atPath: sweep + "/tasks/3/out.csv.json"))
        #expect(FileManager.default.fileExists(atPath: sweep + "/tasks/3/log"))

        let again = try CLI.run(["sweep", "run", sweep])
        #expect(again.status == 0)
        #expect(again.stderr.contains("4 already finished; running 0"))
        let status = try CLI.run(["sweep", "status", sweep])
        #expect(status.stdout.hasPrefix("4 tasks: 4 complete (0 of them diverged), 0 failed, 0 missing"))

        let c1 = try CLI.run(["sweep", "collect", sweep])
        let c2 = try CLI.run(["sweep", "collect", sweep])
        #expect(c1.status == 0 && c1.stdoutData == c2.stdoutData)
        let (header, rows) = parseCSV(c1.stdout.replacingOccurrences(of: ",complete,", with: ",1,"))
        #expect(header.prefix(4) == ["task", "lr", "seed", "status"])
        // The summary's final loss is the last row's loss of the task's CSV.
        let (h3, r3) = parseCSV(try String(contentsOfFile: direct, encoding: .utf8))
        let loss = try #require(header.firstIndex(of: "final_loss"))
        #expect(rows[3][loss] == r3.last![h3.firstIndex(of: "loss")!])
    }

    /// A λ sweep collects the last kernel distance of each task: lazy against rich in one column.
    @Test func collectReportsTheFinalKernelDistance() throws {
        let dir = CLI.temporaryDirectory()
        let plan = try CLI.run(["sweep", "plan", "sw", "--grid", "lambda=-2,2", "--", "simulate", "--init", "lambda-balanced",
                                "--hidden", "8", "--init-scale", "0.1", "--kernel-distance", "--samples", "4", "--t-end", "20"], in: dir)
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(try CLI.run(["sweep", "run", "sw", "--jobs", "1"], in: dir).status == 0)
        #expect(try CLI.run(["sweep", "collect", "sw", "-o", "k.csv"], in: dir).status == 0)
        // The summary has a text column (status): split it by hand.
        let lines = try String(contentsOf: dir.appendingPathComponent("k.csv"), encoding: .utf8).split(separator: "\n")
        let column = try #require(lines[0].split(separator: ",").firstIndex(of: "final_kernel_distance"))
        #expect(lines.count == 3)
        for (task, line) in lines.dropFirst().enumerated() {
            let run = parseCSV(try String(contentsOf: dir.appendingPathComponent("sw/tasks/\(task)/out.csv"), encoding: .utf8))
            let k = try #require(run.header.firstIndex(of: "kernel_distance"))
            let value = try #require(Double(line.split(separator: ",", omittingEmptySubsequences: false)[column]))
            #expect(value == run.rows.last![k] && value > 0)
        }
    }

    @Test func aBadTaskIsRefusedBeforeAnythingIsWritten() throws {
        let dir = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let sweep = dir.appendingPathComponent("sw").path
        let r = try CLI.run(["sweep", "plan", sweep, "--grid", "lr=0.5,-1"] + base)
        #expect(r.status == 64)
        #expect(r.stderr.split(separator: "\n").count == 1)
        #expect(r.stderr.hasPrefix("linflow: error: task 1 (lr=-1): --lr must be a positive number"))
        #expect(!FileManager.default.fileExists(atPath: sweep))
        let bogus = try CLI.run(["sweep", "plan", sweep, "--grid", "bogus=1,2"] + base)
        #expect(bogus.status == 64 && bogus.stderr.contains("task 0 (bogus=1): unknown option '--bogus' for descend"))
    }

    @Test func aDivergingDescentIsAResultNotAFailure() throws {
        let dir = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let sweep = try plan(dir, ["--grid", "lr=0.5,6"])
        let run = try CLI.run(["sweep", "run", sweep, "--task", "1"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("task 1 (lr=6): diverged"))
        #expect(FileManager.default.fileExists(atPath: sweep + "/tasks/1/out.csv.partial"))
        #expect(!FileManager.default.fileExists(atPath: sweep + "/tasks/0"))
        let c = try CLI.run(["sweep", "collect", sweep])
        let lines = c.stdout.split(separator: "\n")
        #expect(lines[0] == "task,lr,status,final_loss,loss_floor,distance_to_ls,imbalance_drift,final_excess_loss,diverged,max_sharpness")
        #expect(lines[1] == "0,0.5,missing,,,,,,,")
        let cells = lines[2].split(separator: ",", omittingEmptySubsequences: false)
        #expect(lines[2].hasPrefix("1,6,diverged,") && cells[8] == "1")
        // final_excess_loss is the last row's excess_loss: final_loss − loss_floor to rounding, ≥ 0.
        if let loss = Double(cells[3]), let floor = Double(cells[4]), let excess = Double(cells[7]) {
            #expect(excess >= 0 && abs(loss - floor - excess) <= 1e-12 * loss)
        } else { Issue.record("cells \(cells)") }
        let status = try CLI.run(["sweep", "status", sweep])
        #expect(status.stdout.contains("1 complete (1 of them diverged), 0 failed, 1 missing"))
    }

    @Test func sigtermEndsTheRunningTaskAndLeavesItUnfinished() throws {
        let dir = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let sweep = dir.appendingPathComponent("sw").path
        // Long enough to be caught running (several seconds). That a rerun then completes such a task is shown through Slurm (scripts/ci/test_sweep_slurm.sh).
        let r = try CLI.run(["sweep", "plan", sweep, "--grid", "steps=300000", "--", "descend", "--every", "100000", "--no-sharpness"])
        try #require(r.status == 0, "\(r.stderr)")
        let p = Process()
        p.executableURL = CLI.executable
        p.arguments = ["sweep", "run", sweep]
        p.standardError = FileHandle.nullDevice
        try p.run()
        let tasks = sweep + "/tasks"
        // Wait for the event that matters: the task's process has started (its attempt
        // directory holds the log the child writes into, opened at spawn).
        func childStarted() -> Bool {
            let attempts = (try? FileManager.default.contentsOfDirectory(atPath: tasks)) ?? []
            return attempts.contains { FileManager.default.fileExists(atPath: tasks + "/" + $0 + "/log") }
        }
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, p.isRunning, !childStarted() { usleep(10_000) }
        try #require(childStarted(), "the sweep never started its task")
        p.terminate()  // SIGTERM
        p.waitUntilExit()
        #expect(p.terminationStatus == 130)
        #expect(try FileManager.default.contentsOfDirectory(atPath: tasks).isEmpty)
        let status = try CLI.run(["sweep", "status", sweep])
        #expect(status.stdout.hasPrefix("1 tasks: 0 complete (0 of them diverged), 0 failed, 1 missing"))
    }

    @Test func heatmapUsesLogAxesForLogGrids() throws {
        let dir = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var table = "task,lr,init-scale,status,final_loss,diverged\n"
        var task = 0
        for lr in ["0.5", "1", "1.5"] {
            for s in ["0.001", "0.01", "0.1", "1"] {
                table += "\(task),\(lr),\(s),complete,\(task == 11 ? "" : "1e-\(task)"),\(task == 11 ? 1 : 0)\n"
                task += 1
            }
        }
        let summary = dir.appendingPathComponent("summary.csv").path
        try table.write(toFile: summary, atomically: true, encoding: .utf8)
        let gp = dir.appendingPathComponent("phase.gp").path
        let r = try CLI.run(["plot", summary, "--kind", "heatmap", "--x", "lr", "--y", "init-scale", "--z", "final_loss",
                             "--mark", "diverged", "--vline", "2:edge", "--script", gp])
        #expect(r.status == 0, "\(r.stderr)")
        let s = try String(contentsOfFile: gp, encoding: .utf8)
        #expect(s.contains("unset logscale x\nset logscale y\nset logscale cb\n"))
        // Log cells end halfway (geometrically) between the grid's values; linear ones arithmetically.
        #expect(s.contains("\n0.5 0.01 0.25 0.75 0.0031622776601683794 0.03162277660168379 0.1\n"))
        #expect(s.contains("$missing << EOD\n1.5 1.0 1.25 1.75 0.31622776601683794 3.162277660168379\nEOD"))
        #expect(s.contains("$marks << EOD\n1.5 1.0\nEOD"))
        #expect(s.contains("set arrow from 2.0, graph 0 to 2.0, graph 1"))

        let bad = try CLI.run(["plot", summary, "--kind", "loss", "--x", "lr", "-o", dir.appendingPathComponent("x.png").path])
        #expect(bad.status == 64 && bad.stderr.contains("--kind heatmap"))
        if PlotCLITests.gnuplotInstalled {
            let png = dir.appendingPathComponent("phase.png").path
            let drawn = try CLI.run(["plot", summary, "--kind", "heatmap", "--x", "lr", "--y", "init-scale", "--z", "final_loss", "-o", png])
            #expect(drawn.status == 0, "\(drawn.stderr)")
            #expect(try read(png).starts(with: [0x89, 0x50, 0x4E, 0x47]))
        }
    }
}
