import Foundation
import Testing

/// `sweep run` runs its tasks in-process by default: the same files as one process per task
/// (`--isolate`), and still atomic task directories that a killed run leaves resumable.
@Suite struct SweepInProcessCLITests {
    func files(_ dir: URL) throws -> [String: Data] {
        var all: [String: Data] = [:]
        let root = dir.path + "/"
        for case let path as String in FileManager.default.enumerator(atPath: dir.path)! {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: root + path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            all[path] = try Data(contentsOf: URL(fileURLWithPath: root + path))
        }
        return all
    }

    /// A record names the attempt directory its task wrote into (`-o sw/tasks/3.tmp-HOST-PID-N/out.csv`
    /// in its command line): the runner's pid and a counter, which differ between any two runs.
    func withoutAttemptNames(_ data: Data) -> String {
        String(decoding: data, as: UTF8.self).replacingOccurrences(of: #"\.tmp-[^/"]+/"#, with: ".tmp/", options: .regularExpression)
    }

    /// Every file of every task directory is the same bytes run in-process as run with --isolate,
    /// but the log (wall times, and the attempt directory's name) and, in the records, the
    /// attempt directory's name. Two commands: descend (two of its tasks diverge: their kept rows
    /// and records) and simulate on a data file (read once in-process, by each task with --isolate).
    @Test(arguments: [
        ["--grid", "lr=0.5,6", "--grid", "seed=1,2", "--", "descend", "--steps", "40", "--every", "10"],
        ["--grid", "init-scale=0.01,0.5", "--grid", "seed=3:5:3", "--", "simulate", "--data", "data.csv", "--outputs", "2",
         "--hidden", "3", "--t-end", "5", "--samples", "10", "--modes"],
    ])
    func inProcessTasksWriteTheBytesOfIsolatedOnes(_ plan: [String]) throws {
        var trees: [[String: Data]] = []
        var dirs: [URL] = []
        defer { for d in dirs { try? FileManager.default.removeItem(at: d) } }
        for isolate in [false, true] {
            let dir = CLI.temporaryDirectory()
            dirs.append(dir)
            try "x1,x2,x3,y1,y2\n1,0.5,-1,2,0\n0.25,1,0,1,-1\n-0.5,2,1,0,1\n1.5,-1,0.5,1,1\n"
                .write(to: dir.appendingPathComponent("data.csv"), atomically: true, encoding: .utf8)
            let p = try CLI.run(["sweep", "plan", "sw"] + plan, in: dir)
            try #require(p.status == 0, "\(p.stderr)")
            let r = try CLI.run(["sweep", "run", "sw", "--jobs", "2"] + (isolate ? ["--isolate"] : []), in: dir)
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stderr.contains(isolate ? "each in its own process" : "in this process"))
            trees.append(try files(dir.appendingPathComponent("sw/tasks")))
        }
        let (inProcess, isolated) = (trees[0], trees[1])
        #expect(inProcess.keys.sorted() == isolated.keys.sorted())
        #expect(inProcess.keys.contains("3/out.csv") || inProcess.keys.contains("3/out.csv.partial"))
        for (name, bytes) in inProcess where !name.hasSuffix("/log") {
            if name.hasSuffix(".json") && !name.hasSuffix("outcome.json") {
                #expect(withoutAttemptNames(bytes) == withoutAttemptNames(isolated[name] ?? Data()), "\(name)")
            } else {
                #expect(bytes == isolated[name], "\(name)")
            }
        }
    }

    /// Killed outright (SIGKILL) mid-way, an in-process run leaves finished task directories and
    /// attempts of a dead process; the next run removes those, does what is missing, and the
    /// summary is the bytes of an uninterrupted sweep's.
    @Test func aKilledInProcessRunResumesToTheSameBytes() throws {
        let dir = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let plan = ["--grid", "lr=0.5,1", "--grid", "seed=1:6:6", "--", "descend", "--steps", "3000", "--every", "1000", "--no-sharpness"]
        for name in ["killed", "clean"] {
            let p = try CLI.run(["sweep", "plan", name] + plan, in: dir)
            try #require(p.status == 0, "\(p.stderr)")
        }
        let process = Process()
        process.executableURL = CLI.executable
        process.arguments = ["sweep", "run", "killed", "--jobs", "2"]
        process.currentDirectoryURL = dir
        process.standardError = FileHandle.nullDevice
        try process.run()
        let tasks = dir.appendingPathComponent("killed/tasks").path
        // The event that matters: a task has finished (its directory is in place).
        func finished() -> Int {
            ((try? FileManager.default.contentsOfDirectory(atPath: tasks)) ?? []).filter { Int($0) != nil }.count
        }
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline, process.isRunning, finished() == 0 { usleep(5_000) }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try #require(finished() > 0, "no task finished before the kill")
        let resumed = try CLI.run(["sweep", "run", "killed", "--jobs", "2"], in: dir)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: tasks).allSatisfy { Int($0) != nil })
        #expect(try CLI.run(["sweep", "run", "clean", "--jobs", "2"], in: dir).status == 0)
        let a = try CLI.run(["sweep", "collect", "killed"], in: dir), b = try CLI.run(["sweep", "collect", "clean"], in: dir)
        #expect(a.status == 0 && a.stdoutData == b.stdoutData)
        #expect(!a.stdout.contains("missing"))
    }

    /// A chunk of tasks (what a Slurm element with --tasks-per-job runs) goes in one process.
    @Test func aChunkOfTasksRunsInOneProcess() throws {
        let dir = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let p = try CLI.run(["sweep", "plan", "sw", "--grid", "seed=1:4:4", "--", "descend", "--steps", "20"], in: dir)
        try #require(p.status == 0, "\(p.stderr)")
        let r = try CLI.run(["sweep", "run", "sw", "--task", "1,3"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("linflow: 2 tasks, 0 already finished; running 2"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("sw/tasks").path).sorted() == ["1", "3"])
        let bad = try CLI.run(["sweep", "run", "sw", "--task", "1,1"], in: dir)
        #expect(bad.status == 64 && bad.stderr.contains("--task lists task 1 twice"))
        let slurm = try CLI.run(["sweep", "slurm", "sw", "--tasks-per-job", "0"], in: dir)
        #expect(slurm.status == 64 && slurm.stderr.contains("--tasks-per-job must be at least 1, got 0"))
    }
}
