import Foundation
import Testing

@Suite struct SimulateCLITests {
    @Test func defaultRunWritesTheDocumentedLayout() throws {
        let r = try CLI.run(["simulate", "--samples", "4"])
        #expect(r.status == 0)
        let (header, rows) = parseCSV(r.stdout)
        // 8 inputs, 16 hidden, 15 outputs: 128 + 240 weights, 8 singular values, imbalance.
        #expect(header.count == 3 + 128 + 240 + 8 + 1)
        #expect(Array(header.prefix(4)) == ["t", "loss", "excess_loss", "W21_1_1"])
        #expect(header[3 + 127] == "W21_16_8")
        #expect(header[3 + 128] == "W32_1_1")
        #expect(header.last == "imbalance")
        #expect(rows.map { $0[0] } == [0, 20, 40, 60, 80])
        // Stage-like learning ends near the floor (0 for this dataset).
        #expect(rows.first![1] > 1.9 && rows.last![1] < 1e-3)
        // loss = L* + excess_loss, excess ≥ 0; the floor of this dataset is 0 to rounding.
        for row in rows { #expect(row[2] >= 0 && row[1] >= row[2] && row[1] - row[2] < 1e-15) }
        #expect(r.stderr.contains("8-16-15 network"))
        #expect(r.stderr.contains("RHS evaluations"))
    }

    @Test func sameSeedGivesSameBytesAndOtherSeedDoesNot() throws {
        let a = try CLI.run(["simulate", "--samples", "10", "--t-end", "20", "--seed", "5"])
        let b = try CLI.run(["simulate", "--samples", "10", "--t-end", "20", "--seed", "5"])
        let c = try CLI.run(["simulate", "--samples", "10", "--t-end", "20", "--seed", "6"])
        #expect(a.status == 0 && a.stdoutData == b.stdoutData)
        #expect(a.stdoutData != c.stdoutData)
    }

    @Test func layersGivesADeepChainWithNamedColumns() throws {
        let r = try CLI.run(["simulate", "--layers", "8,4,4,15", "--samples", "2", "--t-end", "1", "--diagnostics", "none"])
        #expect(r.status == 0)
        let (header, _) = parseCSV(r.stdout)
        #expect(header.count == 3 + 32 + 16 + 60)
        #expect(header.contains("W43_15_4"))
        #expect(header.last == "W43_15_4")
    }

    @Test func outputFileIsWrittenAndResumable() throws {
        let dir = CLI.temporaryDirectory()
        let first = dir.appendingPathComponent("a.csv").path
        let r1 = try CLI.run(["simulate", "--t-end", "10", "--samples", "5", "-o", first])
        #expect(r1.status == 0 && r1.stdout.isEmpty)
        let a = parseCSV(try String(contentsOfFile: first, encoding: .utf8))
        let second = dir.appendingPathComponent("b.csv").path
        let r2 = try CLI.run(["simulate", "--init", first, "--t-end", "20", "--samples", "5", "-o", second])
        #expect(r2.status == 0, "\(r2.stderr)")
        let b = parseCSV(try String(contentsOfFile: second, encoding: .utf8))
        // The resumed run starts exactly where the first stopped (numbers round-trip) …
        #expect(Array(b.rows[0].dropFirst()) == Array(a.rows.last!.dropFirst()))
        // … on the same time axis: the two files less the repeated row are one uninterrupted run
        // to t = 20, the same times to the bit and the same weights within the tolerances.
        let whole = parseCSV(try CLI.run(["simulate", "--t-end", "20", "--samples", "10"]).stdout)
        let joined = a.rows + b.rows.dropFirst()
        #expect(joined.map { $0[0] } == whole.rows.map { $0[0] })
        for (p, q) in zip(joined, whole.rows) {
            for (x, y) in zip(p.dropFirst(), q.dropFirst()) { #expect(abs(x - y) < 1e-6 * max(1, abs(y))) }
        }
        // No temporary files are left in the directory.
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        #expect(names == ["a.csv", "a.csv.json", "b.csv", "b.csv.json"])
    }

    @Test func failedRunKeepsTheExistingFileAndPartialRows() throws {
        let dir = CLI.temporaryDirectory()
        let out = dir.appendingPathComponent("out.csv").path
        try "precious\n".write(toFile: out, atomically: true, encoding: .utf8)
        let r = try CLI.run(["simulate", "--max-steps", "50", "--samples", "8", "-o", out])
        #expect(r.status == 3)
        #expect(r.stderr.hasPrefix("linflow: error: GSL reached --max-steps 50"))
        #expect(r.stderr.split(separator: "\n").count == 1)
        #expect(try String(contentsOfFile: out, encoding: .utf8) == "precious\n")
        let partial = try String(contentsOfFile: out + ".partial", encoding: .utf8)
        #expect(partial.hasPrefix("t,loss,"))
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        #expect(names == ["out.csv", "out.csv.partial", "out.csv.partial.json"])
        let record = try String(contentsOfFile: out + ".partial.json", encoding: .utf8)
        #expect(record.contains("\"status\" : \"partial\""))
    }

    /// The sidecar records the data file's size and SHA-256 (checked with coreutils' sha256sum)
    /// and is itself reproducible.
    @Test func provenanceRecordNamesTheDataAndSettings() throws {
        let dir = CLI.temporaryDirectory()
        let data = dir.appendingPathComponent("d.csv").path
        try "x1,x2,y\n1,0,1\n0,1,2\n1,1,2.5\n".write(toFile: data, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("t.csv").path
        for _ in 0..<2 {
            #expect(try CLI.run(["simulate", "--data", data, "--outputs", "1", "--hidden", "2", "--seed", "9", "--samples", "2", "-o", out]).status == 0)
        }
        let first = try Data(contentsOf: URL(fileURLWithPath: out + ".json"))
        let json = try JSONSerialization.jsonObject(with: first) as! [String: Any]
        let d = json["data"] as! [String: Any]
        let size = try FileManager.default.attributesOfItem(atPath: data)[.size] as! Int
        #expect(d["bytes"] as? Int == size)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        p.arguments = [data]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        p.waitUntilExit()
        let expected = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).prefix(64)
        #expect(d["sha256"] as? String == String(expected))
        #expect((json["initialization"] as! [String: Any])["seed"] as? Int == 9)
        #expect((json["result"] as! [String: Any])["status"] as? String == "complete")
        #expect((json["arguments"] as! [String]).contains("--seed"))
    }

    @Test func everyMethodRuns() throws {
        for m in ["rkf45", "rkck", "rk8pd", "rk4", "msadams", "rk4imp", "bsimp", "msbdf", "dp45", "dop853", "auto"] {
            let r = try CLI.run(["simulate", "--dataset", "seed-affine", "--hidden", "2", "--method", m,
                                 "--t-end", "5", "--samples", "2", "--init-scale", "0.5"])
            #expect(r.status == 0, "\(m): \(r.stderr)")
        }
    }

    @Test func statsReportsLeastSquaresAndFloor() throws {
        let r = try CLI.run(["stats", "--dataset", "seed-affine"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("singular values of Σ31"))
        #expect(r.stdout.contains("loss floor L*"))
    }

    /// With --bias, stats gives the affine least-squares fit z = w0 + w1 x1 + w2 x2 of the first
    /// seed's four points, which by hand is w1 = 1.95, w2 = −0.75, w0 = 0.975, residual loss 1/3200.
    @Test func statsWithBiasGivesTheAffineLeastSquaresFit() throws {
        let r = try CLI.run(["stats", "--dataset", "seed-affine", "--bias"])
        #expect(r.status == 0)
        let line = r.stdout.split(separator: "\n").drop { !$0.hasPrefix("least-squares map") }.dropFirst().first ?? ""
        let w = line.split(separator: " ").compactMap { Double($0) }
        #expect(w.count == 3)
        for (a, b) in zip(w, [1.95, -0.75, 0.975]) { #expect(abs(a - b) < 1e-5) }
        let floor = r.stdout.split(separator: "\n").first { $0.hasPrefix("loss floor") }.flatMap { Double($0.split(separator: " ").last!) }
        #expect(abs((floor ?? 0) - 1.0 / 3200) < 1e-12)
    }

    @Test func datasetsRoundTripThroughSimulate() throws {
        let dir = CLI.temporaryDirectory()
        let path = dir.appendingPathComponent("h.csv").path
        #expect(try CLI.run(["datasets", "hierarchy", "-o", path]).status == 0)
        let fromFile = try CLI.run(["simulate", "--data", path, "--outputs", "15", "--samples", "4", "--t-end", "30"])
        let builtin = try CLI.run(["simulate", "--samples", "4", "--t-end", "30"])
        #expect(fromFile.status == 0)
        #expect(fromFile.stdoutData == builtin.stdoutData)
    }
}

@Suite struct ErrorCLITests {
    func file(_ text: String) -> String {
        let url = CLI.temporaryDirectory().appendingPathComponent("data.csv")
        try! text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    /// Each bad input: one line on stderr naming the problem, the documented exit code, no stdout.
    @Test(arguments: [
        (["simulate", "--data", "/no/such.csv", "--outputs", "1"], 66, "linflow: error: /no/such.csv: No such file or directory"),
        (["simulate", "--t-end", "0"], 64, "--t-end must be a positive number"),
        (["simulate", "--samples", "0"], 64, "--samples must be at least 1"),
        (["simulate", "--rtol=-1"], 64, "--rtol must be a positive number"),
        (["simulate", "--atol", "0"], 64, "--atol must be a positive number"),
        (["simulate", "--hidden", "0"], 64, "--hidden must be positive"),
        (["simulate", "--layers", "8,0,15"], 64, "--layers takes positive integers"),
        (["simulate", "--layers", "3,4,15"], 64, "does not match the data, which have 8 inputs and 15 outputs"),
        (["simulate", "--method", "euler"], 64, "The value 'euler' is invalid for '--method"),
        (["simulate", "--dataset", "nope"], 64, "no built-in dataset named 'nope'"),
        (["simulate", "--init", "/no/init.csv"], 66, "/no/init.csv: No such file or directory"),
        (["simulate", "--init", "xavier"], 64, "--init must be random, orthogonal, balanced, aligned, lambda-balanced or a trajectory CSV file, got 'xavier'"),
        (["simulate", "--dataset", "seed-affine", "--init", "aligned", "--init-scale=-1"], 64, "--init-scale must be a finite number >= 0"),
        (["analytic", "--dataset", "seed-affine"], 65, "the closed forms need whitened inputs"),
        (["analytic", "--init", "random"], 64, "the start is not λ-balanced"),
        (["analytic", "--layers", "8,6,6,15", "--init", "balanced"], 64, "the start is not aligned"),
        (["analytic", "--bias"], 64, "unknown option '--bias' for analytic"),
        (["analytic", "--form", "exact"], 64, "The value 'exact' is invalid for '--form"),
        (["analytic", "--samples", "0"], 64, "--samples must be at least 1"),
    ] as [([String], Int32, String)])
    func badOptions(arguments: [String], status: Int32, message: String) throws {
        let r = try CLI.run(arguments)
        #expect(r.status == status, "\(arguments): \(r.stderr)")
        #expect(r.stderr.contains(message), "\(r.stderr)")
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.hasPrefix("linflow: error: "))
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
    }

    @Test(arguments: [
        ("1,2,3\n4,5\n", ":2: row has 2 fields, expected 3"),
        ("a,b\n1,x\n", ":2:2: 'x' is not a number"),
        ("1,2\n3,NaN\n", ":2:2: NaN is not allowed"),
        ("1,2\n3,-inf\n", ":2:2: '-inf' is infinite"),
        ("", ": the file is empty"),
        ("x,y\n", ": no data rows after the header"),
        ("5\n6\n", ": has 1 column; --outputs 1 leaves no input column"),
    ])
    func badData(text: String, message: String) throws {
        let path = file(text)
        let r = try CLI.run(["simulate", "--data", path, "--outputs", "1"])
        #expect(r.status == 65)
        #expect(r.stderr.hasPrefix("linflow: error: \(path)\(message)"), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1)
        #expect(r.stdout.isEmpty)
    }

    @Test func helpListsTheOptions() throws {
        let r = try CLI.run(["simulate", "--help"])
        #expect(r.status == 0)
        for option in ["--data", "--outputs", "--hidden", "--layers", "--seed", "--init-scale", "--init",
                       "--method", "--rtol", "--atol", "--t-end", "--samples", "--max-steps", "--out"] {
            #expect(r.stdout.contains(option), "\(option)")
        }
    }

    @Test func mismatchedInitFileIsRefused() throws {
        let dir = CLI.temporaryDirectory()
        let traj = dir.appendingPathComponent("t.csv").path
        #expect(try CLI.run(["simulate", "--dataset", "seed-affine", "--hidden", "2", "--samples", "1", "-o", traj]).status == 0)
        let r = try CLI.run(["simulate", "--init", traj])
        #expect(r.status == 65)
        #expect(r.stderr.contains("its weights form a 2-2-1 network, but the data have 8 inputs and 15 outputs"))
    }
}

@Suite struct ReliabilityCLITests {
    /// Ctrl-C during a long run: exit 130, the rows so far in OUT.partial (with its record),
    /// the user's existing OUT untouched, no temporary file left.
    @Test func interruptKeepsRowsAndLeavesNoGarbage() throws {
        let dir = CLI.temporaryDirectory()
        let out = dir.appendingPathComponent("long.csv").path
        try "mine\n".write(toFile: out, atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = CLI.executable
        // Tight tolerances over a very long horizon: minutes of work, so the signal lands mid-run.
        p.arguments = ["simulate", "--t-end", "1e7", "--samples", "100000", "--rtol", "1e-13", "--atol", "1e-15",
                       "--init-scale", "0.3", "-o", out]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        // Wait for the event that matters: rows have reached the temporary file (its first
        // buffer flushed), so the run is mid-way with rows to keep.
        try #require(CLI.waitForRows(of: "long.csv", in: dir, while: p), "the run never wrote a row")
        p.interrupt()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 130, "\(message)")
        #expect(message.hasPrefix("linflow: error: interrupted at t = "), "\(message)")
        #expect(message.split(separator: "\n").count == 1)
        #expect(try String(contentsOfFile: out, encoding: .utf8) == "mine\n")
        let partial = try String(contentsOfFile: out + ".partial", encoding: .utf8)
        #expect(partial.hasPrefix("t,loss,"))
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        #expect(names == ["long.csv", "long.csv.partial", "long.csv.partial.json"])
    }

    /// The same command gives the same bytes, for every GSL method.
    @Test(arguments: ["rkf45", "rkck", "rk8pd", "rk2", "rk4", "rk1imp", "rk2imp", "rk4imp", "bsimp", "msadams", "msbdf", "dp45", "dop853"])
    func everyMethodIsDeterministic(method: String) throws {
        let args = ["simulate", "--dataset", "seed-affine", "--hidden", "2", "--method", method,
                    "--t-end", "3", "--samples", "3", "--init-scale", "0.5", "--rtol", "1e-6", "--atol", "1e-8"]
        let a = try CLI.run(args), b = try CLI.run(args)
        #expect(a.status == 0, "\(method): \(a.stderr)")
        #expect(!a.stdoutData.isEmpty && a.stdoutData == b.stdoutData, "\(method)")
    }

    /// A full disk is an error (exit 73), not a truncated file.
    @Test func fullDiskIsAnError() throws {
        let r = try CLI.run(["simulate", "--samples", "2000", "-o", "/dev/full"])
        #expect(r.status == 73)
        #expect(r.stderr == "linflow: error: /dev/full: write failed: No space left on device\n")
    }
}
