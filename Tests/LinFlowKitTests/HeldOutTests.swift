import Foundation
import Testing
import Numerics
@testable import LinFlowNumerics
import LinFlowTestSupport
@testable import LinFlowIO
@testable import LinFlowPlot
@testable import LinFlowRuns
@testable import LinFlowSweep

/// Held-out data (`--test`, `--test-fraction`): the test_loss column of every command against
/// ½ mean‖y − f(x)‖² summed over the test samples in the test itself (a forward pass through
/// the written layers, in double-double), the split against its definition, and the
/// teacher–student generator against least squares.
@Suite struct HeldOutTests {
    /// Samples off the origin (so that the biases matter) with a linear rule and noise.
    struct Samples {
        let x: [[Double]], y: [[Double]]
        init(_ count: Int, inputs n: Int, outputs m: Int, seed: UInt64) {
            var g = SplitMix64(seed: seed)
            let w = g.matrix(m, n), shift = (0..<n).map { _ in 2 * g.normal() }
            var x: [[Double]] = [], y: [[Double]] = []
            for _ in 0..<count {
                let xi = (0..<n).map { shift[$0] + g.normal() }
                x.append(xi)
                y.append((0..<m).map { o in (0..<n).reduce(0.7 + 0.3 * g.normal()) { $0 + w[o, $1] * (xi[$1] - shift[$1]) } })
            }
            (self.x, self.y) = (x, y)
        }

        func write(to path: String, header: [String]? = nil) throws {
            let n = x[0].count, m = y[0].count
            let names = header ?? (1...n).map { "x\($0)" } + (1...m).map { "y\($0)" }
            let rows = zip(x, y).map { ($0 + $1).map { "\($0)" }.joined(separator: ",") }
            try ([names.joined(separator: ",")] + rows).joined(separator: "\n").appending("\n").write(toFile: path, atomically: true, encoding: .utf8)
        }
    }

    /// A CSV written by a run, as named columns.
    struct Table {
        let header: [String], rows: [[Double]]
        init(_ path: String) throws {
            let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
            header = lines[0].split(separator: ",").map(String.init)
            rows = lines.dropFirst().map { $0.split(separator: ",").map { Double($0)! } }
        }
        func column(_ name: String) -> [Double] {
            let i = header.firstIndex(of: name)!
            return rows.map { $0[i] }
        }
        /// The layers of row r read by their column names: W_l (n_l × n_{l−1}) and b_l.
        func layers(_ r: Int, sizes: [Int], bias: Bool) -> [(w: [[Double]], b: [Double])] {
            func cell(_ name: String) -> Double { rows[r][header.firstIndex(of: name)!] }
            return (1..<sizes.count).map { l in
                let name = "\(l + 1)\(l)"
                let w = (1...sizes[l]).map { i in (1...sizes[l - 1]).map { j in cell("W\(name)_\(i)_\(j)") } }
                return (w, bias ? (1...sizes[l]).map { cell("b\(name)_\($0)") } : Array(repeating: 0, count: sizes[l]))
            }
        }
    }

    /// ½ mean‖y − f(x)‖² with f the chain of `layers` (x ↦ W_L(…(W_1x + b_1)…) + b_L), every
    /// operation in double-double (``DD``).
    static func sampleLoss(_ s: Samples, _ layers: [(w: [[Double]], b: [Double])]) -> Double {
        var total = DD(0)
        for (xi, yi) in zip(s.x, s.y) {
            var h = xi.map { DD($0) }
            for (w, b) in layers {
                h = zip(w, b).map { row, bias in zip(row, h).reduce(DD(bias)) { $0 + DD($1.0) * $1.1 } }
            }
            for (o, v) in h.enumerated() { let r = DD(yi[o]) - v; total += r * r }
        }
        return (total / DD(Double(2 * s.x.count))).double
    }

    /// The end-to-end [W b] of `layers`, multiplied out in the test: what ``LeastSquares`` states its error bound at.
    static func endToEnd(_ layers: [(w: [[Double]], b: [Double])], bias: Bool) -> Matrix {
        let n = layers[0].w[0].count
        var map = Matrix(rows: n + 1, cols: n + 1)
        for i in 0...n { map[i, i] = 1 }
        for (w, b) in layers {
            let rows = w.count
            var next = Matrix(rows: rows, cols: n + 1)
            for i in 0..<rows {
                for j in 0...n {
                    var s = j == n ? b[i] : 0
                    for k in 0..<w[i].count { s += w[i][k] * map[k, j] }
                    next[i, j] = s
                }
            }
            map = next
        }
        return bias ? map : Matrix(rows: map.rows, cols: n, storage: (0..<map.rows).flatMap { i in (0..<n).map { map[i, $0] } })
    }

    /// |test_loss − reference| within the error bound of the loss column's own method on the
    /// test samples (``LeastSquares/lossErrorBound(endToEnd:)``, the analysis LossDigitsTests
    /// checks), plus 16ε·reference for the product of the layers in two orders.
    static func check(_ table: Table, column: String = "test_loss", test: Samples, sizes: [Int], bias: Bool,
                      rows: [Int]? = nil, label: String) throws {
        let c = Correlations(inputs: test.x, outputs: test.y)
        let ls = try LeastSquares(bias ? c.augmented() : c)
        let written = table.column(column)
        #expect(written.count == table.rows.count)
        for r in rows ?? Array(table.rows.indices) {
            let layers = table.layers(r, sizes: sizes, bias: bias)
            let ref = sampleLoss(test, layers)
            let bound = try #require(ls.lossErrorBound(endToEnd: endToEnd(layers, bias: bias))) + 16 * Double.ulpOfOne * ref
            #expect(abs(written[r] - ref) <= bound, "\(label), row \(r): \(written[r]) vs \(ref), bound \(bound)")
            // A bound that says something: far below the loss.
            #expect(bound < 1e-9 * ref, "\(label): bound \(bound) of \(ref)")
        }
    }

    static let directory: URL = {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("linflow-heldout-\(getpid())-\(UInt64.random(in: 0..<1 << 40))")
        try? FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }()

    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    static func request(_ command: RunCommand, train: String, outputs: Int, heldOut: HeldOutChoice, sizes: [Int], bias: Bool,
                        output: String) -> RunRequest {
        var r = RunRequest(command: command, arguments: [command.rawValue])
        r.data = DataChoice(file: train, outputs: "\(outputs)")
        r.heldOut = heldOut
        r.network = NetworkChoice(layers: sizes, bias: bias)
        r.start = StartChoice(scale: 0.3)
        r.output = output
        switch command {
        case .simulate: (r.integration, r.sampling, r.columns) = (IntegrationChoice(), SamplingChoice(tEnd: 6, samples: 6), ColumnChoice(diagnostics: []))
        case .descend: (r.descent, r.columns) = (DescentChoice(learningRate: 0.01, steps: 300, every: 60), ColumnChoice(diagnostics: []))
        case .compare: (r.descent, r.integration) = (DescentChoice(learningRate: 0.01, steps: 300, every: 60), IntegrationChoice())
        case .analytic, .stats: break
        }
        return r
    }

    /// simulate and descend: every row's test_loss is the loss of the row's own weights on the
    /// test samples, with and without biases, at depth 2 and 3.
    @Test(arguments: [("simulate", false, 2), ("simulate", true, 2), ("simulate", false, 3), ("simulate", true, 3),
                      ("descend", false, 2), ("descend", true, 2), ("descend", false, 3), ("descend", true, 3)])
    func testLossIsTheLossOnTheTestSamples(command: String, bias: Bool, depth: Int) throws {
        let sizes = depth == 2 ? [3, 4, 2] : [3, 4, 3, 2]
        let train = Samples(60, inputs: 3, outputs: 2, seed: 41), test = Samples(300, inputs: 3, outputs: 2, seed: 42)
        let tag = "\(command)-\(bias)-\(depth)"
        try train.write(to: Self.path("train-\(tag).csv"))
        try test.write(to: Self.path("test-\(tag).csv"))
        let out = Self.path("out-\(tag).csv")
        let r = Self.request(RunCommand(rawValue: command)!, train: Self.path("train-\(tag).csv"), outputs: 2,
                             heldOut: HeldOutChoice(file: Self.path("test-\(tag).csv")), sizes: sizes, bias: bias, output: out)
        let setup = try RunSetup(r)
        if command == "simulate" { _ = try Simulation(setup).run(notice: { _ in }) } else { _ = try Descent(setup).run(notice: { _ in }) }
        let table = try Table(out)
        #expect(table.header[3] == "test_loss")
        try Self.check(table, test: test, sizes: sizes, bias: bias, label: tag)
        // The training loss is not the test loss (the check above would pass a swapped column on
        // equal data): the two sets differ, and so do the columns.
        #expect(table.column("loss") != table.column("test_loss"))
        // The record's figures come from the rows written (read with JSONDecoder, which keeps
        // every digit; Linux's JSONSerialization rounds some doubles).
        let data = try Data(contentsOf: URL(fileURLWithPath: out + ".json"))
        guard case .object(let record) = try JSONDecoder().decode(RecordValue.self, from: data),
              case .object(let result)? = record["result"], case .object(let testEntry)? = record["test"] else {
            Issue.record("no result or test in the record")
            return
        }
        let column = table.column("test_loss"), times = table.column("t")
        func number(_ v: RecordValue?) -> Double? { if case .number(let x)? = v { return x }; return nil }
        #expect(number(result["final_test_loss"]) == column.last)
        #expect(number(result["min_test_loss"]) == column.min())
        #expect(number(result["t_min_test_loss"]) == times[column.firstIndex(of: column.min()!)!])
        #expect(number(testEntry["samples"]) == 300)
        if case .string(let sha)? = testEntry["sha256"] { #expect(sha.count == 64) } else { Issue.record("no sha256") }
    }

    /// compare: descent's test loss is that of `descend`'s weights (the same steps), the flow's
    /// that of a tightly integrated `simulate` at the same times (to its integration error); and
    /// with the training file as the test file, each test_loss_* column is its loss_* column.
    @Test(arguments: [(false, 2), (true, 2), (false, 3), (true, 3)])
    func compareGivesEachTrajectoryItsTestLoss(bias: Bool, depth: Int) throws {
        let sizes = depth == 2 ? [3, 4, 2] : [3, 4, 3, 2]
        let train = Samples(60, inputs: 3, outputs: 2, seed: 43), test = Samples(300, inputs: 3, outputs: 2, seed: 44)
        let tag = "cmp-\(bias)-\(depth)"
        let trainPath = Self.path("train-\(tag).csv"), testPath = Self.path("test-\(tag).csv")
        try train.write(to: trainPath)
        try test.write(to: testPath)
        func run(_ command: RunCommand, _ heldOut: HeldOutChoice, _ name: String, edit: (inout RunRequest) -> Void = { _ in }) throws -> Table {
            var r = Self.request(command, train: trainPath, outputs: 2, heldOut: heldOut, sizes: sizes, bias: bias, output: Self.path(name))
            edit(&r)
            let setup = try RunSetup(r)
            switch command {
            case .compare: _ = try Comparison(setup).run(notice: { _ in })
            case .descend: _ = try Descent(setup).run(notice: { _ in })
            default: _ = try Simulation(setup).run(notice: { _ in })
            }
            return try Table(Self.path(name))
        }
        let cmp = try run(.compare, HeldOutChoice(file: testPath), "c-\(tag).csv")
        let gd = try run(.descend, HeldOutChoice(file: testPath), "d-\(tag).csv")
        #expect(cmp.column("test_loss_gd") == gd.column("test_loss"))
        try Self.check(gd, test: test, sizes: sizes, bias: bias, label: tag + " descent")
        // The flow at t = 0, 0.6, …, 3 integrated at rtol 1e-12: its weights are within ~1e-11 of
        // compare's (rtol 1e-10), which moves the test loss by less than 1e-8 relative here.
        let flow = try run(.simulate, HeldOutChoice(file: testPath), "f-\(tag).csv") { r in
            r.sampling = SamplingChoice(tEnd: 3, samples: 5)
            r.integration = IntegrationChoice(relativeTolerance: 1e-12, absoluteTolerance: 1e-14)
        }
        try Self.check(flow, test: test, sizes: sizes, bias: bias, label: tag + " flow")
        for (a, b) in zip(cmp.column("test_loss_flow"), flow.column("test_loss")) {
            #expect(abs(a - b) <= 1e-8 * b, "\(tag): compare's flow \(a), simulate's \(b)")
        }
        let same = try run(.compare, HeldOutChoice(file: trainPath), "s-\(tag).csv")
        for side in ["gd", "flow", "modified"] { #expect(same.column("test_loss_\(side)") == same.column("loss_\(side)"), "\(tag) \(side)") }
    }

    /// analytic: the closed form's rows on the hierarchy's one-hot (whitened) inputs, tested on
    /// samples with other inputs.
    @Test(arguments: [2, 3])
    func analyticTestLossIsTheLossOnTheTestSamples(depth: Int) throws {
        let d = BuiltinDataset.named("hierarchy")!
        let trainPath = Self.path("h-\(depth).csv"), testPath = Self.path("h-test-\(depth).csv")
        try d.csv.write(toFile: trainPath, atomically: true, encoding: .utf8)
        let test = Samples(200, inputs: d.inputs, outputs: d.outputs, seed: 45)
        try test.write(to: testPath, header: d.inputNames + d.outputNames)
        let sizes = depth == 2 ? [8, 16, 15] : [8, 8, 8, 15]
        var r = RunRequest(command: .analytic, arguments: ["analytic"])
        r.data = DataChoice(file: trainPath, outputs: "15")
        r.heldOut = HeldOutChoice(file: testPath)
        r.network = NetworkChoice(layers: sizes)
        (r.sampling, r.columns, r.output) = (SamplingChoice(tEnd: 20, samples: 10), ColumnChoice(diagnostics: []), Self.path("a-\(depth).csv"))
        r.analytic = AnalyticChoice(check: false)
        _ = try Analytic(RunSetup(r)).run(notice: { _ in })
        try Self.check(Table(Self.path("a-\(depth).csv")), test: test, sizes: sizes, bias: false, label: "analytic depth \(depth)")
    }

    /// A test file with other columns (names or number), or a NaN, is refused before the run starts.
    @Test func mismatchedOrBadTestFilesAreRefused() throws {
        let train = Samples(20, inputs: 3, outputs: 2, seed: 46)
        try train.write(to: Self.path("m-train.csv"))
        let wider = Samples(20, inputs: 4, outputs: 2, seed: 47)
        try wider.write(to: Self.path("m-wider.csv"))
        try train.write(to: Self.path("m-renamed.csv"), header: ["a", "x2", "x3", "y1", "y2"])
        try "x1,x2,x3,y1,y2\n1,2,3,4,5\n1,nan,3,4,5\n".write(toFile: Self.path("m-nan.csv"), atomically: true, encoding: .utf8)
        for (file, text) in [("m-wider.csv", "a test file needs the same columns"), ("m-renamed.csv", "a test file needs the same columns"),
                             ("m-nan.csv", "NaN is not allowed")] {
            let out = Self.path("m-out.csv")
            let r = Self.request(.simulate, train: Self.path("m-train.csv"), outputs: 2, heldOut: HeldOutChoice(file: Self.path(file)),
                                 sizes: [3, 2, 2], bias: false, output: out)
            #expect(throws: LinflowError.self) { _ = try RunSetup(r) }
            do { _ = try RunSetup(r) } catch { #expect(Setting.plain("\(error)").contains(text), "\(file): \(error)") }
            #expect(!FileManager.default.fileExists(atPath: out))
        }
    }

    /// The split holds out exactly the rows of its rule; training sees the others, the test the
    /// held-out ones (both as the correlations of those rows read on their own); the same seed
    /// gives the same split, another seed another one.
    @Test func splitTrainsOnTheComplementOfTheHeldOutRows() throws {
        let all = Samples(500, inputs: 3, outputs: 2, seed: 48)
        try all.write(to: Self.path("split.csv"))
        let spec = DataSource.file(DataFileSpec(path: Self.path("split.csv"), outputs: .count(2)))
        func rows(_ seed: UInt64) -> [Int] {
            // The rule as documented, written out here: SplitMix64's (i + 1)-th output for the seed.
            (0..<500).filter { i in
                var g = SplitMix64(seed: seed)
                var z: UInt64 = 0
                for _ in 0...i { z = g.next() }
                return Double(z >> 11) * 0x1p-53 < 0.25
            }
        }
        let held = rows(7)
        let loaded = try spec.correlations(heldOut: HeldOutChoice(fraction: 0.25, splitSeed: 7))
        let kept = Set(0..<500).subtracting(held).sorted()
        let reference = Correlations(inputs: kept.map { all.x[$0] }, outputs: kept.map { all.y[$0] })
        let heldReference = Correlations(inputs: held.map { all.x[$0] }, outputs: held.map { all.y[$0] })
        // The same rows in the same order through the same accumulator: equal to the bit.
        #expect(loaded.correlations == reference)
        #expect(loaded.test?.correlations == heldReference)
        #expect(loaded.correlations.sampleCount + held.count == 500 && held.count > 90 && held.count < 160)
        let again = try spec.correlations(heldOut: HeldOutChoice(fraction: 0.25, splitSeed: 7))
        #expect(again.test?.correlations == loaded.test?.correlations)
        let other = try spec.correlations(heldOut: HeldOutChoice(fraction: 0.25, splitSeed: 8))
        #expect(rows(8) != held && other.test?.correlations != loaded.test?.correlations)
        if case .split(let s, let total)? = loaded.test?.source { #expect(s.seed == 7 && total == 500) } else { Issue.record("no split") }
        // Minibatches draw from the training rows only.
        let samples = try SampleSet.load(spec, holdingOut: HeldOutSplit(fraction: 0.25, seed: 7))
        #expect(samples.count == kept.count)
    }

    /// The generator: a least-squares fit of many training samples recovers W̄ within its
    /// sampling error, the residual's variance is σ², the test file is drawn like the training
    /// one, and the same seed writes the same bytes.
    @Test func teacherIsRecoveredByLeastSquares() throws {
        let n = 6, m = 3, count = 20_000, sigma = 0.5
        var choice = TeacherChoice()
        (choice.inputs, choice.outputs, choice.singularValues, choice.noise) = (n, m, [3, 1.5], sigma)
        (choice.trainSamples, choice.testSamples, choice.seed, choice.inputSpectrum) = (count, 2000, 5, [1, 2, 0.5, 1, 1, 3])
        try choice.validate()
        let files = try TeacherFiles(output: Self.path("teacher.csv"))
        try files.write(choice.task, trainSamples: count, testSamples: 2000)
        let table = try Table(files.training)
        #expect(table.header == (1...n).map { "x\($0)" } + (1...m).map { "y\($0)" } && table.rows.count == count)
        let x = table.rows.map { Array($0.prefix(n)) }, y = table.rows.map { Array($0.suffix(m)) }
        // The map W̄ as written, and its singular values.
        let mapRows = try String(contentsOfFile: files.map, encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",").map { Double($0)! } }
        let teacher = Matrix(mapRows)
        #expect(teacher.rows == m && teacher.cols == n)
        let s = try SingularValueDecomposition(teacher).values
        #expect(s[0].isApproximatelyEqual(to: 3, relativeTolerance: 1e-12) && s[1].isApproximatelyEqual(to: 1.5, relativeTolerance: 1e-12) && s[2] < 1e-12)
        let written = try String(contentsOfFile: files.singularValues, encoding: .utf8).split(separator: "\n").map { Double($0)! }
        #expect(written == [3, 1.5])
        // Least squares by the normal equations, Ŵ = (XᵀX)⁻¹XᵀY, in the test.
        var gram = Matrix(rows: n, cols: n), xy = Matrix(rows: n, cols: m)
        for (xi, yi) in zip(x, y) {
            for i in 0..<n { for j in 0..<n { gram[i, j] += xi[i] * xi[j] }; for o in 0..<m { xy[i, o] += xi[i] * yi[o] } }
        }
        let fit = solve(gram, xy).transposed
        // Var(ŵ_oi) = σ²[(XᵀX)⁻¹]_ii ≈ σ²/(N λ_i): every entry within 5 standard errors.
        let spectrum = choice.inputSpectrum!
        for o in 0..<m {
            for i in 0..<n {
                let se = sigma / (Double(count) * spectrum[i]).squareRoot()
                #expect(abs(fit[o, i] - teacher[o, i]) < 5 * se, "W̄[\(o), \(i)]: fit \(fit[o, i]), teacher \(teacher[o, i]), se \(se)")
            }
        }
        // The residual variance per output: σ² within 5 standard errors (σ²√(2/N) for Gaussian noise).
        var rss = 0.0
        for (xi, yi) in zip(x, y) { for o in 0..<m { let r = yi[o] - (0..<n).reduce(0) { $0 + fit[o, $1] * xi[$1] }; rss += r * r } }
        let variance = rss / Double(m * (count - n))
        #expect(abs(variance - sigma * sigma) < 5 * sigma * sigma * (2 / Double(m * count)).squareRoot(), "noise variance \(variance)")
        // Each input's variance is its spectrum's entry (within 5 standard errors, λ√(2/N)).
        for i in 0..<n {
            let v = x.reduce(0) { $0 + $1[i] * $1[i] } / Double(count)
            #expect(abs(v - spectrum[i]) < 5 * spectrum[i] * (2 / Double(count)).squareRoot(), "input \(i) variance \(v)")
        }
        // The test file has the training file's columns and W̄.
        let test = try Table(files.test)
        #expect(test.header == table.header && test.rows.count == 2000 && test.rows[0] != table.rows[0])
        // Byte for byte per seed; the test set does not depend on the number of training samples,
        // and a shorter training set is the longer one's first rows.
        let again = try TeacherFiles(output: Self.path("again.csv"))
        try again.write(choice.task, trainSamples: count, testSamples: 2000)
        for (a, b) in [(files.training, again.training), (files.test, again.test), (files.map, again.map), (files.singularValues, again.singularValues)] {
            #expect(FileManager.default.contents(atPath: a) == FileManager.default.contents(atPath: b), "\(a)")
        }
        let short = try TeacherFiles(output: Self.path("short.csv"))
        try short.write(choice.task, trainSamples: 10, testSamples: 2000)
        #expect(FileManager.default.contents(atPath: short.test) == FileManager.default.contents(atPath: files.test))
        #expect(try Table(short.training).rows == Array(table.rows.prefix(10)))
    }
}
