import Foundation
import Testing

/// Issue 21, "Errors that mislead": each class of mistake closed as a rule, through the built
/// executable: one line on stderr naming what is wrong, a documented exit code, nothing written.
@Suite struct MisleadingErrorsCLITests {
    /// Runs `arguments` in a fresh directory holding the NumPy fixtures (and `files`), and checks
    /// the refusal: `status`, one line starting `linflow: error: ` with `message` in it, nothing
    /// on stdout and no file written. Returns stderr.
    @discardableResult
    func refused(_ arguments: [String], status: Int32, message: String, files: [String: String] = [:],
                 numpy: Bool = false, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let dir = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        if numpy { try DataFileCLITests.makeNumPyFiles(dir) }
        for (name, text) in files { try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        let before = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        let r = try CLI.run(arguments + (arguments.first == "stats" ? [] : ["-o", "out.csv"]), in: dir)
        #expect(r.status == status, "\(arguments): \(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.stderr.hasPrefix("linflow: error: ") && r.stderr.contains(message), "\(arguments): \(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.stdout.isEmpty, sourceLocation: sourceLocation)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == before, "\(arguments) wrote a file",
                sourceLocation: sourceLocation)
        return r.stderr
    }

    // MARK: 1. NaN and ±inf in NumPy files are named as such, by element (not "overflows").

    @Test(arguments: [
        ("nan.npy", ["--outputs", "2"], "nan.npy: element [7, 2] (row 7, column 2, counted from 0) is NaN"),
        ("inf_fortran.npy", ["--outputs", "2"], "inf_fortran.npy: element [11, 5] (row 11, column 5, counted from 0) is infinite (inf)"),
        ("nan.npz", [], "nan.npz: x[7, 2] (row 7, column 2, counted from 0) is NaN"),
        ("neginf_compressed.npz", ["--outputs", "target"], "neginf_compressed.npz: target[250] (row 250, counted from 0) is infinite (-inf)"),
    ])
    func nonFiniteNumPyElementsAreNamed(file: String, options: [String], message: String) throws {
        for command in ["simulate", "stats"] {
            let e = try refused([command, "--data", file] + options, status: 65, message: message, numpy: true)
            #expect(!e.contains("overflow"), "\(e)")
        }
    }

    // MARK: 2. Space-separated files (numpy.savetxt): --delimiter space, and the hint without it.

    /// The same samples written as numpy.savetxt does, and as aligned columns with runs of spaces
    /// and spaces at both ends of a line (CRLF too), give the bytes of the comma-separated file.
    @Test(arguments: [
        "1.5 -2 3e-1\n0.25 4 -1\n2 2 0.5\n-1 0 1\n",
        "  1.5   -2  3e-1  \n 0.25  4 -1\n\n2   2   0.5\n-1 0 1   \n",
        "1.5 -2 3e-1\r\n0.25 4 -1\r\n2 2 0.5\r\n-1 0 1\r\n",
        "\"1.5\"  -2 \"3e-1\"\n0.25 4 -1\n2 2 0.5\n-1 0 1\n",
    ])
    func spaceDelimiterReadsRunsOfSpaces(text: String) throws {
        let dir = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try "1.5,-2,3e-1\n0.25,4,-1\n2,2,0.5\n-1,0,1\n".write(to: dir.appendingPathComponent("c.csv"), atomically: true, encoding: .utf8)
        try text.write(to: dir.appendingPathComponent("s.txt"), atomically: true, encoding: .utf8)
        let run = ["simulate", "--hidden", "2", "--outputs", "1", "--t-end", "2", "--samples", "3"]
        let comma = try CLI.run(run + ["--data", "c.csv"], in: dir)
        try #require(comma.status == 0, "\(comma.stderr)")
        for spelling in ["space", " "] {
            let spaced = try CLI.run(run + ["--data", "s.txt", "--delimiter", spelling], in: dir)
            #expect(spaced.status == 0, "\(spaced.stderr)")
            #expect(spaced.stdout == comma.stdout, "\(text)")
        }
        // Without it, a numeric first line that splits on spaces names the option.
        try refused(run + ["--data", "s.txt"], status: 65, message: "s.txt:1: one column under the comma, 3 numbers separated by spaces (as numpy.savetxt writes); pass --delimiter space",
                    files: ["s.txt": text.replacingOccurrences(of: "\"", with: "")])
    }

    /// numpy.savetxt's own bytes ('%.18e', 19 digits: every double round-trips) give the
    /// trajectory of the same doubles written as shortest round-trip decimals.
    @Test func numpySavetxtIsReadWithDelimiterSpace() throws {
        let dir = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try DataFileCLITests.makeNumPyFiles(dir)
        let run = ["simulate", "--hidden", "3", "--outputs", "2", "--t-end", "2", "--samples", "3"]
        let csv = try CLI.run(run + ["--data", "samples.csv"], in: dir)
        let txt = try CLI.run(run + ["--data", "savetxt.txt", "--delimiter", "space"], in: dir)
        #expect(csv.status == 0 && txt.status == 0, "\(txt.stderr)")
        #expect(txt.stdout == csv.stdout)
        for name in ["savetxt.txt", "savetxt.csv"] {
            try refused(["stats", "--data", name, "--outputs", "2"], status: 65,
                        message: "\(name):1: one column under the comma, 6 numbers separated by spaces (as numpy.savetxt writes); pass --delimiter space", numpy: true)
        }
    }

    // MARK: 3. An empty last column is not a pandas index.

    @Test(arguments: [
        ("1,2,3,\n4,5,7,\n1,1,2,\n", "d.csv: every row ends with a delimiter (an empty last column); remove the ',' at the end of each line"),
        ("a,b,y,\n1,2,3,\n4,5,7,\n1,1,2,\n", "d.csv: every row ends with a delimiter (an empty last column)"),
        ("a;b;y;\n1;2;3;\n4;5;7;\n", "d.csv: every row ends with a delimiter (an empty last column); remove the ';' at the end"),
        ("1,2,3,\n4,5,7,1\n1,1,2,\n", "d.csv:1:4: an empty cell is not a number"),
        ("a,b,y,c\n1,2,3,\n4,5,7,1\n", "d.csv:2:4: an empty cell is not a number"),
        (",a,b,y\n0,1.5,2,3\n1,2.5,1,0\n2,0.5,4,1\n", "d.csv: column 1 has the header '' and holds 0, 1, …, 2: a pandas index"),
        ("Unnamed: 0,a,b,y\n0,1.5,2,3\n1,2.5,1,0\n2,0.5,4,1\n", "d.csv: column 1 has the header 'Unnamed: 0' and holds 0, 1, …, 2: a pandas index"),
        (",a,b,y\n5,1.5,2,3\n1,2.5,1,0\n2,0.5,4,1\n", "d.csv: column 1 has a blank header cell; name it in the header"),
        ("a,b,,y\n1,1.5,2,3\n1,2.5,1,0\n2,0.5,4,1\n", "d.csv: column 3 has a blank header cell"),
    ])
    func emptyLastColumnIsToldFromAPandasIndex(text: String, message: String) throws {
        let delimiter = text.contains(";") ? ["--delimiter", "semicolon"] : []
        let e = try refused(["simulate", "--data", "d.csv", "--outputs", "1"] + delimiter, status: 65, message: message, files: ["d.csv": text])
        #expect(e.contains("pandas") == message.contains("pandas"), "\(e)")
    }

    // MARK: 4. Each --init file mistake has its own line.

    /// A 8-2-3-15 trajectory with its header edited: columns dropped (by prefix) or renamed.
    @Test(arguments: [
        (["W21_"], [:], "has no W21, the first layer's weights (it has W32, W43); --init needs a trajectory with every weight block (written with --weights all)"),
        (["W32_"], [:], "has W43 but no W32; --init needs a trajectory with every weight block"),
        (["W32_3_"], [:], "W43 is 15×3 but W32 is 2×2: the 3 columns of W43 must match the 2 rows of W32"),
        (["W21_2_8"], [:], "W21 reaches row 2 and column 8 but has 15 of its 16 entries (W21_2_8 is missing)"),
        (["W21_1_"], [:], "W21 reaches row 2 and column 8 but has no column of row 1 (W21_1_1 is missing)"),
        ([], ["W21_1_1": "W21_1"], "column 4 is named 'W21_1', which is not a weight of a linflow trajectory"),
        ([], ["W21_1_1": "W12_1_1"], "column 4 is named 'W12_1_1', which is not a weight of a linflow trajectory"),
        ([], ["W32_1_1": "W21_1_2"], "'W21_1_2' heads columns 5 and 20; --init needs each weight once"),
    ] as [([String], [String: String], String)])
    func eachInitFileMistakeHasItsOwnLine(drop: [String], rename: [String: String], message: String) throws {
        let dir = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try CLI.run(["simulate", "--layers", "8,2,3,15", "--t-end", "1", "--samples", "1"], in: dir)
        try #require(run.status == 0, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let keep = lines[0].indices.filter { i in !drop.contains { lines[0][i].hasPrefix($0) } }
        let header = lines[0].map { rename[$0] ?? $0 }
        let text = ([keep.map { header[$0] }] + lines.dropFirst().map { row in keep.map { row[$0] } })
            .map { $0.joined(separator: ",") }.joined(separator: "\n") + "\n"
        let e = try refused(["simulate", "--init", "w.csv"], status: 65, message: "w.csv: " + message, files: ["w.csv": text])
        #expect(!e.contains("chains with the layer before it"), "\(e)")
    }

    /// The same rules for an HDF5 trajectory written with some blocks left out.
    @Test(arguments: [
        ("8,2,15", "W32", "has no W21, the first layer's weights (it has W32)"),
        ("8,2,3,15", "W21,W43", "has W43 but no W32"),
    ])
    func hdf5InitFilesFollowTheSameRules(layers: String, weights: String, message: String) throws {
        let dir = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try CLI.run(["simulate", "--layers", layers, "--t-end", "1", "--samples", "1", "--weights", weights, "-o", "w.h5"], in: dir)
        try #require(run.status == 0, "\(run.stderr)")
        let r = try CLI.run(["simulate", "--init", "w.h5", "-o", "out.csv"], in: dir)
        #expect(r.status == 65 && r.stderr.contains("w.h5: " + message) && r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out.csv").path))
    }

    // MARK: 5. λ-balanced starts that double precision cannot hold.

    @Test(arguments: [
        (["--lambda", "1e300"], "--lambda 1e+300 overflows"),
        (["--lambda", "-1e300"], "--lambda -1e+300 overflows"),
        // Refused before the data are read: the missing file is never opened.
        (["--lambda", "1e300", "--data", "missing.csv", "--outputs", "1"], "--lambda 1e+300 overflows"),
        (["--lambda", "1", "--init-scale", "1e80"], "--init-scale 1e+80 with --lambda 1 gives a start whose Gram W21W21ᵀ + |λ|I overflows"),
        (["--lambda", "1e12"], "--lambda 1e+12 swamps W21W21ᵀ"),
        (["--lambda", "-1e12"], "--lambda -1e+12 swamps W32ᵀW32"),
        (["--lambda", "1e-30"], "--lambda 1e-30 is below the rounding of W21W21ᵀ"),
    ])
    func lambdaStartsDoublesCannotHoldAreRefused(options: [String], message: String) throws {
        let e = try refused(["simulate", "--init", "lambda-balanced", "--hidden", "8", "--t-end", "1"] + options, status: 64, message: message)
        #expect(!e.contains("singular value decomposition"), "\(e)")
    }

    /// The limits leave ordinary λ alone, and a zero free layer (σ = 0) has no digits to lose.
    @Test(arguments: [["--lambda", "1"], ["--lambda", "-2"], ["--lambda", "1e6", "--init-scale", "0"], ["--lambda", "1e-10"]])
    func ordinaryLambdaStartsRun(options: [String]) throws {
        let r = try CLI.run(["simulate", "--init", "lambda-balanced", "--hidden", "8", "--t-end", "0.001", "--samples", "1",
                             "--method", "msbdf"] + options)
        #expect(r.status == 0, "\(options): \(r.stderr)")
    }

    // MARK: 6. NumPy files under other names.

    @Test(arguments: [
        (["--data", "data", "--outputs", "2"], "data: is a NumPy .npy file (its first bytes are \\x93NUMPY), not CSV; linflow reads NumPy files by their name: give it a name ending in .npy"),
        (["--data", "archive"], "archive: is a NumPy .npz file (its first bytes are PK\\x03\\x04, a zip archive), not CSV; linflow reads NumPy files by their name: give it a name ending in .npz"),
        (["--data", "samples.csv", "--outputs", "2", "--init", "data"], "data: is a NumPy file, not a trajectory; --init reads the CSV or HDF5 trajectory of a linflow run"),
    ])
    func numPyFilesUnderOtherNamesAreRefused(options: [String], message: String) throws {
        try refused(["simulate"] + options, status: 65, message: message, numpy: true)
    }

    /// Through a pipe (as `--data <(cat c.npy)` gives it): told from its first chunk, read once.
    @Test func numPyThroughAPipeIsRefused() throws {
        let dir = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try DataFileCLITests.makeNumPyFiles(dir)
        let bytes = try Data(contentsOf: dir.appendingPathComponent("c.npy"))
        let r = try CLI.run(["stats", "--data", "/dev/stdin", "--outputs", "2"], in: dir, stdin: bytes)
        #expect(r.status == 65, "\(r.stderr)")
        #expect(r.stderr == "linflow: error: /dev/stdin: is a NumPy .npy file (its first bytes are \\x93NUMPY), not CSV; linflow reads NumPy files by their name: give it a name ending in .npy (save what a pipe gives to such a file)\n", "\(r.stderr)")
        // The same bytes under their own name are read.
        #expect(try CLI.run(["stats", "--data", "c.npy", "--outputs", "2"], in: dir).status == 0)
    }

    // MARK: 7. A run at a stationary point says so, not "a longer --t-end".

    /// The gradient at the last row is computed here from the data and the written weights
    /// (∇_l L = (W_L⋯W_{l+1})ᵀ(Σ31 − WΣ11)(W_{l−1}⋯W_1)ᵀ), apart from linflow's own.
    @Test(arguments: [
        ["--init-scale", "0"], ["--init-scale", "0", "--layers", "8,4,4,15"], ["--init", "orthogonal", "--init-scale", "0"],
        ["--init-scale", "1e-200"], ["--t-end", "3"],
    ])
    func aStationaryRunSaysSo(options: [String]) throws {
        let dir = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try CLI.run(["simulate", "--samples", "2", "-o", "t.csv"] + options, in: dir)
        try #require(r.status == 0, "\(r.stderr)")
        let data = try CLI.run(["datasets", "hierarchy"])
        let samples = parseCSV(data.stdout).rows
        let n = Double(samples.count)
        func moment(_ a: Range<Int>, _ b: Range<Int>) -> [[Double]] {
            a.map { i in b.map { j in samples.reduce(0) { $0 + $1[i] * $1[j] } / n } }
        }
        let sigma11 = moment(0..<8, 0..<8), sigma31 = moment(8..<23, 0..<8)
        let written = parseCSV(try String(contentsOf: dir.appendingPathComponent("t.csv"), encoding: .utf8))
        let last = written.rows.last!
        var layers: [[[Double]]] = []
        for name in ["W21", "W32", "W43"] {
            let cols = written.header.indices.filter { written.header[$0].hasPrefix(name + "_") }
            guard !cols.isEmpty else { break }
            let rows = cols.map { Int(written.header[$0].split(separator: "_")[1])! }.max()!
            let width = cols.count / rows
            layers.append((0..<rows).map { r in (0..<width).map { c in last[cols[r * width + c]] } })
        }
        func mul(_ a: [[Double]], _ b: [[Double]]) -> [[Double]] {
            a.map { row in (0..<b[0].count).map { j in row.indices.reduce(0) { $0 + row[$1] * b[$1][j] } } }
        }
        func t(_ a: [[Double]]) -> [[Double]] { (0..<a[0].count).map { j in a.map { $0[j] } } }
        func identity(_ k: Int) -> [[Double]] { (0..<k).map { i in (0..<k).map { $0 == i ? 1 : 0 } } }
        let map = layers.dropFirst().reduce(layers[0]) { mul($1, $0) }
        let product = mul(map, sigma11)
        let residual = zip(sigma31, product).map { zip($0, $1).map { $0 - $1 } }
        var entries: [Double] = []
        for l in layers.indices {
            let after = layers[(l + 1)...].reduce(identity(layers[l].count)) { mul($1, $0) }
            let before = layers[..<l].reduce(identity(8)) { mul($1, $0) }
            entries += mul(mul(t(after), residual), t(before)).flatMap { $0 }
        }
        let largest = entries.map(abs).max()!
        let norm = largest == 0 ? 0 : largest * entries.reduce(0) { $0 + ($1 / largest) * ($1 / largest) }.squareRoot()
        let stationary = norm == 0
        #expect(r.stderr.contains("the run sits at a stationary point") == stationary, "‖∇L‖ = \(norm): \(r.stderr)")
        #expect(r.stderr.contains("a longer --t-end would let it converge") == !stationary, "‖∇L‖ = \(norm): \(r.stderr)")
    }
}
