import Foundation
import Synchronization
import Numerics
import Testing
@testable import LinFlowNumerics
import LinFlowTestSupport
@testable import LinFlowIO
@testable import LinFlowPlot
@testable import LinFlowRuns
@testable import LinFlowSweep

/// The sweep's bookkeeping: grids, plans, task states, the runner (with a stand-in executable)
/// and the collected summary.
@Suite struct SweepTests {
    func accept(_ command: String, _ arguments: [String]) throws {}

    /// A stand-in for the executable's option names (``SweptOptions``): those these tests use.
    static let options = SweptOptions(
        setting: { ["o": .output, "out": .output, "format": .format, "plot": .plot, "lr": .learningRate][$0] },
        names: { [Setting.output: ["out", "o"], .format: ["format"], .plot: ["plot"], .learningRate: ["lr"]][$0] ?? [] },
        mentions: { arguments, name in
            let flag = name.count == 1 ? "-" + name : "--" + name
            return arguments.contains { $0 == flag || $0.hasPrefix(flag + "=") }
        })

    func temporaryDirectory() -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("linflow-sweep-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }

    @Test func logRangeHitsTheDecadesExactlyWithAConstantRatio() throws {
        let axis = try GridValues.grid("init-scale=1e-3:1:7log")
        #expect(axis.options == ["init-scale"])
        #expect(axis.spacing == "log")
        let v = axis.values.map { Double($0[0])! }
        #expect(v.count == 7)
        // Exact decades at every other point: 10^-3, 10^-2, 10^-1, 10^0.
        #expect(axis.values.map { $0[0] }.enumerated().filter { $0.offset % 2 == 0 }.map(\.element) == ["0.001", "0.01", "0.1", "1"])
        // Half a decade apart: the ratio is √10 (to the 12 digits the values are written with).
        for i in 1..<7 { #expect((v[i] / v[i - 1]).isApproximatelyEqual(to: 10.0.squareRoot(), relativeTolerance: 1e-11)) }
        #expect(v == v.sorted())
    }

    @Test func linearRangeIsEvenlySpacedWithBothEnds() throws {
        let axis = try GridValues.grid("lr=0.05:0.5:10")
        #expect(axis.spacing == "linear")
        #expect(axis.values.map { $0[0] } == ["0.05", "0.1", "0.15", "0.2", "0.25", "0.3", "0.35", "0.4", "0.45", "0.5"])
        let down = try GridValues.grid("x=1:0:3").values.map { $0[0] }
        #expect(down == ["1", "0.5", "0"])
    }

    @Test func literalsAndRangesMix() throws {
        let axis = try GridValues.grid("--seed=1,2,10:12:3")
        #expect(axis.options == ["seed"])
        #expect(axis.values.map { $0[0] } == ["1", "2", "10", "11", "12"])
        #expect(axis.spacing == "list")
        #expect(try GridValues.grid("init=random,aligned").values == [["random"], ["aligned"]])
    }

    @Test(arguments: ["lr", "lr=", "lr=0.1,,0.2", "lr=1:2:1", "lr=0:1:3log", "lr=-1:1:4log", "lr=a:b:3", "lr=1:1:3",
                      "lr=0.1,0.1", "=1,2", "l r=1"])
    func badGridsAreRefused(_ text: String) {
        #expect(throws: LinflowError.self) { try GridValues.grid(text) }
    }

    @Test func zipMovesOptionsTogether() throws {
        let axis = try GridValues.zip("lr=0.1,0.2,seed=1:2:2")
        #expect(axis.options == ["lr", "seed"])
        #expect(axis.values == [["0.1", "1"], ["0.2", "2"]])
        #expect(throws: LinflowError.self) { try GridValues.zip("lr=0.1,0.2,seed=1") }
        #expect(throws: LinflowError.self) { try GridValues.zip("lr=0.1,0.2") }
        #expect(throws: LinflowError.self) { try GridValues.zip("lr=1,2,lr=3,4") }
    }

    @Test func planIsTheProductWithTheLastAxisFastest() throws {
        let plan = try SweepPlan(command: "descend", baseArguments: ["--steps", "10"],
                                 axes: [try GridValues.grid("lr=0.1,0.2"), try GridValues.zip("init-scale=0.01,1,seed=3,4")],
                                 options: Self.options, validate: accept)
        #expect(plan.tasks.map(\.id) == [0, 1, 2, 3])
        #expect(plan.parameterNames == ["lr", "init-scale", "seed"])
        #expect(plan.tasks[1].arguments == ["--steps", "10", "--lr=0.1", "--init-scale=1", "--seed=4"])
        #expect(plan.tasks[2].parameters == ["lr": "0.2", "init-scale": "0.01", "seed": "3"])
        #expect(plan.describe(plan.tasks[3]) == "lr=0.2 init-scale=1 seed=4")
    }

    @Test func planRefusesWhatWouldCollide() throws {
        let lr = try GridValues.grid("lr=0.1,0.2")
        for (command, base, axes) in [("stats", [String](), [lr]), ("descend", ["-o", "x.csv"], [lr]),
                                      ("descend", ["--out=x.csv"], [lr]), ("descend", ["--lr", "1"], [lr]),
                                      ("descend", ["--format", "hdf5"], [lr]),
                                      ("descend", [], [lr, lr]), ("descend", [], [try GridValues.grid("plot=a.png,b.png")]),
                                      ("descend", [], [])] {
            #expect(throws: LinflowError.self, "\(command) \(base)") {
                try SweepPlan(command: command, baseArguments: base, axes: axes, options: Self.options, validate: accept)
            }
        }
    }

    @Test func validationNamesTheTask() throws {
        let error = #expect(throws: LinflowError.self) {
            try SweepPlan(command: "descend", baseArguments: [], axes: [try GridValues.grid("lr=0.1,-1")], options: Self.options) { _, args in
                if args.contains("--lr=-1") { throw LinflowError.usage("--lr must be a positive number, got -1.0") }
            }
        }
        #expect(error?.description == "task 1 (lr=-1): --lr must be a positive number, got -1.0")
        #expect(error?.exitCode == 64)
    }

    @Test func samePlanIsANoOpAndADifferentOneIsRefused() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let plan = try SweepPlan(command: "simulate", baseArguments: [], axes: [try GridValues.grid("seed=1,2")], options: Self.options, validate: accept)
        #expect(try plan.write(to: dir) == true)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: dir + "/plan.json"))
        #expect(try plan.write(to: dir) == false)
        #expect(try SweepPlan.read(directory: dir) == plan)
        let other = try SweepPlan(command: "simulate", baseArguments: [], axes: [try GridValues.grid("seed=1,3")], options: Self.options, validate: accept)
        #expect(throws: LinflowError.self) { try other.write(to: dir) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/plan.json")) == bytes)
    }

    /// linflow's command lines as the executable spells them (Sources/linflow/Sweep.swift).
    static func commandLine(_ executable: String) -> TaskCommandLine {
        TaskCommandLine(executable: executable,
                        task: { command, arguments, output in [command] + arguments + ["-o", output] },
                        arrayElement: { directory, isolated in ["sweep", "run", directory] + (isolated ? ["--isolate"] : []) + ["--task"] },
                        resubmit: { directory in ["sweep", "slurm", directory, "--submit"] })
    }

    @Test func arraySpecCompressesRuns() {
        #expect(SlurmScript.arraySpec([8, 0, 1, 2, 5, 7]) == "0-2,5,7-8")
        #expect(SlurmScript.arraySpec([3]) == "3")
    }

    @Test func slurmScriptRunsOneTaskPerElement() throws {
        let s = try SlurmScript(directory: "/data/sw", commandLine: Self.commandLine("/opt/linflow"), workingDirectory: "/data",
                                ids: [1, 2, 4], arrayLimit: 2, options: ["--partition=short"]).text
        #expect(s.contains("#SBATCH --array=1-2,4%2\n"))
        #expect(s.contains("#SBATCH --partition=short\n"))
        #expect(s.contains("#SBATCH --cpus-per-task=1\n"))
        #expect(s.contains("exec /opt/linflow sweep run /data/sw --isolate --task \"$SLURM_ARRAY_TASK_ID\"\n"))
        #expect(throws: LinflowError.self) { try SlurmScript(directory: "d", commandLine: Self.commandLine("e"), workingDirectory: "w", ids: [0], options: ["partition"]) }
    }

    /// With K tasks per element, element I runs the I-th K unfinished tasks in its one process.
    @Test func slurmScriptRunsChunksOfTasksPerElement() throws {
        let s = try SlurmScript(directory: "/data/sw", commandLine: Self.commandLine("/opt/linflow"), workingDirectory: "/data",
                                ids: [9, 1, 2, 4, 5, 7, 8], tasksPerJob: 3)
        #expect(s.chunks == [[1, 2, 4], [5, 7, 8], [9]])
        let text = s.text
        #expect(text.contains("#SBATCH --array=0-2\n"))
        #expect(text.contains("chunks=(1,2,4 5,7,8 9)\n"))
        #expect(text.contains("exec /opt/linflow sweep run /data/sw --task \"${chunks[$SLURM_ARRAY_TASK_ID]}\"\n"))
        #expect(throws: LinflowError.self) { try SlurmScript(directory: "d", commandLine: Self.commandLine("e"), workingDirectory: "w", ids: [0], tasksPerJob: 0) }
        #expect(try SweepPlan.parseTaskIDs("4,5,6") == [4, 5, 6])
        for bad in ["", "4,,5", "-1", "a", "3,3"] { #expect(throws: LinflowError.self) { try SweepPlan.parseTaskIDs(bad) } }
    }

    /// A stand-in for linflow that appends its arguments to `calls` and writes a small CSV to
    /// the path after -o, or fails like linflow when the arguments contain `--seed=13`.
    func fakeExecutable(in dir: String) throws -> String {
        let path = dir + "/fake-linflow"
        try """
            #!/bin/sh
            echo "$@" >> \(dir)/calls
            for a in "$@"; do out="$a"; done
            case "$*" in *--seed=13*) echo "linflow: error: unlucky seed 13" >&2; exit 65;; esac
            printf 't,loss,imbalance\\n0,2.5,0.5\\n1,1.25,0.25\\n2,0.75,0.75\\n' > "$out"
            """.write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o755)
        return path
    }

    @Test func runnerSkipsFinishedTasksRecordsFailuresAndCollects() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sweep = dir + "/sw"
        let plan = try SweepPlan(command: "simulate", baseArguments: ["--samples", "2"],
                                 axes: [try GridValues.grid("seed=11,12,13,14")], options: Self.options, validate: accept)
        try plan.write(to: sweep)
        let d = SweepDirectory(sweep)
        // Task 3 finished earlier (by hand here): it must not run again.
        try FileManager.default.createDirectory(atPath: d.taskPath(3), withIntermediateDirectories: true)
        try SweepOutcome(status: "complete", exitStatus: 0, output: "out.csv", reason: nil).write(into: d.taskPath(3))
        try "t,loss\n0,9\n".write(toFile: d.taskPath(3) + "/out.csv", atomically: true, encoding: .utf8)

        var runner = SweepRunner(plan: plan, directory: d, commandLine: Self.commandLine(try fakeExecutable(in: dir)))
        runner.jobs = 2
        let summary = try runner.run()
        #expect(summary.skipped == 1)
        #expect(summary.complete == 2)
        #expect(summary.failed.map(\.id) == [2])
        #expect(summary.failed.first?.reason == "unlucky seed 13")
        let calls = try String(contentsOfFile: dir + "/calls", encoding: .utf8).split(separator: "\n").sorted()
        #expect(calls.count == 3)
        #expect(calls[0].hasPrefix("simulate --samples 2 --seed=11 -o \(sweep)/tasks/0.tmp-"))
        #expect(!calls.contains { $0.contains("--seed=14") })
        #expect(d.state(of: 0).isFinished && d.state(of: 1).isFinished)
        #expect(d.state(of: 2) == .failed("unlucky seed 13"))
        #expect(d.temporaryDirectories().isEmpty)
        let status = SweepStatus(plan, directory: d)
        #expect((status.complete, status.failed.count, status.missing) == (3, 1, []))

        // Collected: the last row's loss, and max |imbalance(t) − imbalance(0)| = |0.25 − 0.5|.
        let csv = try SweepCollector(plan: plan, directory: d).csv()
        #expect(csv == """
            task,seed,status,final_loss,loss_floor,distance_to_ls,imbalance_drift
            0,11,complete,0.75,,,0.25
            1,12,complete,0.75,,,0.25
            2,13,failed,,,,
            3,14,complete,9.0,,,

            """)

        // A second run retries only the failure.
        try FileManager.default.removeItem(atPath: dir + "/calls")
        let again = try runner.run()
        #expect(again.skipped == 3 && again.failed.map(\.id) == [2])
        #expect(try String(contentsOfFile: dir + "/calls", encoding: .utf8).split(separator: "\n").count == 1)
    }

    /// collect reads a trajectory with the numeric reader, and one with a cell that is not a
    /// finite number (a descent that became NaN) cell by cell: the figures are the same either way.
    @Test func trajectoryFiguresReadNumbersAndNaN() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let plain = dir + "/plain.csv", nan = dir + "/nan.csv"
        try "t,loss,imbalance,sharpness\n0,2.5,0.5,1\n1,1.25,0.25,3\n2,0.75,0.75,2\n".write(toFile: plain, atomically: true, encoding: .utf8)
        try "t,loss,imbalance,sharpness\n0,2.5,0.5,1\n1,nan,0.25,3\n2,0.75,0.75,2\n".write(toFile: nan, atomically: true, encoding: .utf8)
        #expect(CSVTrajectoryFigures.numeric(path: plain) != nil)
        #expect(CSVTrajectoryFigures.numeric(path: nan) == nil)
        for path in [plain, nan] {
            let f = try #require(CSVTrajectoryFigures(path: path))
            #expect(f.last("loss") == 0.75 && f.largest("sharpness") == 3 && f.largestDrift("imbalance") == 0.25)
            #expect(f.last("excess_loss") == nil)
        }
    }

    /// In-process, a task is the closure the executable gives: it writes its output and its
    /// messages into the attempt's directory, a failure's reason is the last error line of its
    /// log, and finished tasks are not run again — as with processes.
    @Test func inProcessTasksRunOnThreadsAndFailLikeProcesses() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let plan = try SweepPlan(command: "simulate", baseArguments: ["--samples", "2"],
                                 axes: [try GridValues.grid("seed=11,12,13,14")], options: Self.options, validate: accept)
        try plan.write(to: dir)
        let d = SweepDirectory(dir)
        let calls = Mutex<[[String]]>([])
        var commandLine = Self.commandLine(dir + "/no-such-linflow")  // never started
        commandLine.inProcess = { words, log in
            calls.withLock { $0.append(words) }
            if words.contains("--seed=13") {
                log.write("linflow: error: unlucky seed 13\n")
                return 65
            }
            let out = words[words.firstIndex(of: "-o")! + 1]
            try? "t,loss,imbalance\n0,2.5,0.5\n1,1.25,0.25\n".write(toFile: out, atomically: true, encoding: .utf8)
            log.write("linflow: done\n")
            return 0
        }
        var runner = SweepRunner(plan: plan, directory: d, commandLine: commandLine)
        runner.jobs = 3
        let summary = try runner.run()
        #expect(summary.complete == 3 && summary.failed.map(\.id) == [2])
        #expect(summary.failed.first?.reason == "unlucky seed 13")
        #expect(calls.withLock { $0.count } == 4)
        #expect(try String(contentsOfFile: d.taskPath(0) + "/log", encoding: .utf8) == "linflow: done\n")
        #expect(d.state(of: 2) == .failed("unlucky seed 13"))
        #expect(d.temporaryDirectories().isEmpty)
        // Again: only the failure runs; with --isolate the executable would be started, and
        // here it cannot be, so that run is one error and leaves nothing behind.
        calls.withLock { $0.removeAll() }
        #expect(try runner.run().failed.map(\.id) == [2])
        #expect(calls.withLock { $0.count } == 1)
        runner.isolate = true
        #expect(throws: LinflowError.self) { try runner.run() }
        #expect(d.temporaryDirectories().isEmpty)
    }

    @Test func anExecutableThatCannotStartIsOneErrorAndLeavesNothing() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let plan = try SweepPlan(command: "simulate", baseArguments: [], axes: [try GridValues.grid("seed=1,2,3")], options: Self.options, validate: accept)
        try plan.write(to: dir)
        var runner = SweepRunner(plan: plan, directory: SweepDirectory(dir), commandLine: Self.commandLine(dir + "/no-such-linflow"))
        runner.jobs = 2
        #expect(throws: LinflowError.self) { try runner.run() }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/tasks") == [])
    }

    @Test func collectPrefersTheRecordsFigures() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let plan = try SweepPlan(command: "descend", baseArguments: [], axes: [try GridValues.grid("lr=1,2")], options: Self.options, validate: accept)
        try plan.write(to: dir)
        let d = SweepDirectory(dir)
        try FileManager.default.createDirectory(atPath: d.taskPath(1), withIntermediateDirectories: true)
        try SweepOutcome(status: "diverged", exitStatus: 3, output: "out.csv.partial", reason: "descent diverged at step 3").write(into: d.taskPath(1))
        try "t,loss,imbalance,sharpness\n0,2,1,0.5\n1,8,3,4\n".write(toFile: d.taskPath(1) + "/out.csv.partial", atomically: true, encoding: .utf8)
        try #"{"result": {"status": "partial", "final_loss": 7.5, "loss_floor": 0.125, "half_times": [1.5, null]}}"#
            .write(toFile: d.taskPath(1) + "/out.csv.partial.json", atomically: true, encoding: .utf8)
        let csv = try SweepCollector(plan: plan, directory: d).csv()
        #expect(csv == """
            task,lr,status,final_loss,loss_floor,distance_to_ls,imbalance_drift,diverged,max_sharpness,half_time_1,half_time_2
            0,1,missing,,,,,,,,
            1,2,diverged,7.5,0.125,,2.0,1,4.0,1.5,

            """)
    }

    @Test func heatmapCellsTileTheGrid() {
        #expect(HeatmapGrid.isGeometric([0.001, 0.01, 0.1]))
        #expect(!HeatmapGrid.isGeometric([1, 2, 3]))
        #expect(!HeatmapGrid.isGeometric([0.01, 0.1]))
        let log = HeatmapGrid.edges([0.01, 0.1, 1], log: true)
        for (a, b) in zip(log, [0.01 / 10.0.squareRoot(), 0.1 / 10.0.squareRoot(), 10.0.squareRoot() / 10, 10.0.squareRoot()]) {
            #expect(a.isApproximatelyEqual(to: b, relativeTolerance: 1e-14))
        }
        #expect(HeatmapGrid.edges([1, 2, 4], log: false) == [0.5, 1.5, 3, 5])
    }
}
