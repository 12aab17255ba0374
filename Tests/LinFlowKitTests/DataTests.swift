import Foundation
import Testing
import Numerics
@testable import LinFlowNumerics
import LinFlowTestSupport
@testable import LinFlowIO
@testable import LinFlowPlot
@testable import LinFlowRuns
@testable import LinFlowSweep

@Suite struct DataTests {
    func write(_ text: String, name: String = UUID().uuidString + ".csv") -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(name).path
        FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        return path
    }

    func readAll(_ path: String) throws -> (header: [String]?, rows: [[Double]]) {
        let r = try NumericCSVReader(path: path)
        var rows: [[Double]] = []
        try r.forEachRow { rows.append(Array($0)) }
        return (r.header, rows)
    }

    @Test func headerIsDetectedAndOptional() throws {
        let a = try readAll(write("x1,x2,y\n1,2,3\n4,5,6\n"))
        #expect(a.header == ["x1", "x2", "y"])
        #expect(a.rows == [[1, 2, 3], [4, 5, 6]])
        let b = try readAll(write("1,2,3\n4,5,6"))
        #expect(b.header == nil)
        #expect(b.rows == [[1, 2, 3], [4, 5, 6]])
    }

    @Test func acceptsBOMCRLFQuotesBlankLinesAndSpaces() throws {
        let a = try readAll(write("\u{FEFF}\"x\",y\r\n\" 1.5\", -2e-3 \r\n\r\n3,\"4\"\r\n"))
        #expect(a.header == ["x", "y"])
        #expect(a.rows == [[1.5, -0.002], [3, 4]])
    }

    @Test(arguments: [
        ("1,2\n3\n", ":2: row has 1 field, expected 2"),
        ("1,2\n3,abc\n", ":2:2: 'abc' is not a number"),
        ("1,2\n3,nan\n", ":2:2: NaN is not allowed"),
        ("1,2\n3,inf\n", ":2:2: 'inf' is infinite"),
        ("1,2\n3,1e999\n", ":2:2: '1e999' is infinite"),
        ("1,2\n3,\n", ":2:2: an empty cell is not a number"),
        ("1,2\n\"3,4\n", ":2: a quoted field is not closed"),
        ("1,2\n3,0x10\n", ":2:2: '0x10' is not a number"),
        ("", ": the file is empty"),
        ("\n\n", ": the file is empty"),
    ])
    func refusesMalformedInput(text: String, expected: String) throws {
        let path = write(text)
        do {
            _ = try readAll(path)
            Issue.record("accepted malformed input \(text.debugDescription)")
        } catch let e as LinflowError {
            #expect(e.description.hasPrefix(path))
            #expect(e.description.contains(expected), "\(e.description)")
            #expect(!e.description.contains("\n"))
        }
    }

    @Test func missingFileIsNoInput() {
        #expect(throws: LinflowError.noInput("/nonexistent/x.csv: No such file or directory")) {
            _ = try NumericCSVReader(path: "/nonexistent/x.csv")
        }
    }

    /// The streaming, blocked accumulation equals the definition Σ11 = 1/N Σ x xᵀ, Σ31 = 1/N Σ y xᵀ.
    @Test func streamingCorrelationsMatchDefinition() throws {
        let s = Samples(n: 1000, inputs: 6, outputs: 3, seed: 12)
        var text = ""
        for (x, y) in zip(s.x, s.y) { text += (x + y).map { "\($0)" }.joined(separator: ",") + "\n" }
        let loaded = try DataSource.file(path: write(text), outputs: 3).correlations().correlations
        let n = Double(s.x.count)
        for i in 0..<6 {
            for j in 0..<6 {
                let d = zip(s.x, s.x).reduce(0.0) { $0 + $1.0[i] * $1.1[j] } / n
                #expect(loaded.sigma11[i, j].isApproximatelyEqual(to: d, absoluteTolerance: 1e-13))
            }
            for o in 0..<3 {
                let d = zip(s.y, s.x).reduce(0.0) { $0 + $1.0[o] * $1.1[i] } / n
                #expect(loaded.sigma31[o, i].isApproximatelyEqual(to: d, absoluteTolerance: 1e-13))
            }
        }
        let t33 = s.y.reduce(0.0) { $0 + $1.reduce(0) { $0 + $1 * $1 } } / n
        #expect(loaded.traceSigma33.isApproximatelyEqual(to: t33, relativeTolerance: 1e-13))
        #expect(loaded.sampleCount == 1000)
    }

    @Test func tooManyOutputsIsRefused() {
        let path = write("1,2\n3,4\n")
        #expect(throws: LinflowError.data("\(path): has 2 columns; \(Setting.outputColumns) 2 leaves no input column")) {
            _ = try DataSource.file(path: path, outputs: 2).correlations()
        }
    }

    @Test func headerOnlyIsRefused() {
        let path = write("x,y\n")
        #expect(throws: LinflowError.data("\(path): no data rows after the header")) {
            _ = try DataSource.file(path: path, outputs: 1).correlations()
        }
    }

    /// The built-in hierarchy has Σ11 = I/8 and the singular values of its tree.
    @Test func hierarchyDataset() throws {
        let c = BuiltinDataset.hierarchy.correlations
        #expect(whitenedScale(c.sigma11) == 0.125)
        let sv = try SingularValueDecomposition(c.sigma31).values
        let expected = [0.48412292, 0.33071891, 0.21650635, 0.21650635, 0.125, 0.125, 0.125, 0.125]
        for (a, b) in zip(sv, expected) { #expect(abs(a - b) < 1e-8) }
    }

    /// Pseudo-inverse: A A⁺ A = A, also for a singular matrix.
    @Test func pseudoInverseOfSingularMatrix() throws {
        var g = SplitMix64(seed: 1)
        let b = g.matrix(4, 2)
        let a = b * b.transposed  // rank 2
        let (p, rank) = try a.pseudoInverse()
        #expect(rank == 2)
        #expect((a * p * a).isApproximatelyEqual(to: a, absoluteTolerance: 1e-12))
    }

    /// The eigen-decomposition pseudo-inverse of a symmetric PSD matrix (the one least squares
    /// uses for Σ11) meets the Penrose conditions A A⁺ A = A, A⁺ A A⁺ = A⁺, is exactly symmetric,
    /// finds the rank and equals the known A⁺ = Q diag(1/λ) Qᵀ of A = Q diag(λ) Qᵀ, for
    /// full-rank and singular A (eigenvalues spread over three decades, the rest zero).
    @Test(arguments: [(1, 1), (5, 5), (5, 2), (30, 30), (30, 17), (80, 80), (80, 1), (80, 79)])
    func symmetricPseudoInverseOfPSDMatrix(n: Int, rank: Int) throws {
        var g = SplitMix64(seed: UInt64(100 * n + rank))
        let q = randomOrthogonal(n, &g)
        let lambda = (0..<n).map { k in k < rank ? Double.pow(10, -3 * Double(k) / Double(max(rank - 1, 1))) * (1 + 0.1 * g.uniform()) : 0 }
        var a = Matrix(rows: n, cols: n), exact = Matrix(rows: n, cols: n)
        for i in 0..<n {
            for j in 0...i {
                var s = 0.0, t = 0.0
                for k in 0..<rank { s += q[i, k] * lambda[k] * q[j, k]; t += q[i, k] / lambda[k] * q[j, k] }
                (a[i, j], a[j, i], exact[i, j], exact[j, i]) = (s, s, t, t)
            }
        }
        let (p, r) = try a.symmetricPseudoInverse()
        #expect(r == rank)
        let rel = { (x: Matrix, y: Matrix) in maxAbsDifference(x, y) / y.storage.map(abs).max()! }
        #expect(rel(a * p * a, a) < 1e-10)
        #expect(rel(p * a * p, p) < 1e-10)
        #expect(rel(p, exact) < 1e-10, "relative difference \(rel(p, exact)) to Q diag(1/λ) Qᵀ")
        for i in 0..<n { for j in 0..<n { #expect(p[i, j] == p[j, i]) } }
    }

    /// It agrees with the SVD pseudo-inverse of random PSD matrices B Bᵀ where GSL's Jacobi SVD
    /// is reliable: small, well-conditioned matrices. (GSL 2.7.1's Jacobi SVD returns success
    /// with inaccurate singular values for larger ones, e.g. 80 × 80, and noise singular values
    /// above the rank cut-off for singular ones, e.g. rank 6 at 20 × 20; docs/performance.md.)
    /// B is n × k, so A has rank min(n, k); k ≥ 2n or ≤ n/2 keeps A well conditioned.
    @Test(arguments: [(4, 8), (6, 3), (12, 30), (12, 5), (20, 40)])
    func symmetricPseudoInverseAgreesWithSVD(n: Int, k: Int) throws {
        var g = SplitMix64(seed: UInt64(7 * n + k))
        let rank = min(n, k)
        let b = g.matrix(n, k)
        var a = b * b.transposed
        for i in 0..<n { for j in 0..<i { a[i, j] = a[j, i] } }
        let (p, r) = try a.symmetricPseudoInverse()
        let (s, rs) = try a.pseudoInverse()
        #expect(r == rank && rs == rank)
        let d = maxAbsDifference(p, s) / s.storage.map(abs).max()!
        #expect(d < 1e-10, "relative difference \(d) to the SVD pseudo-inverse")
    }

    /// Zero and empty matrices have rank 0 and a zero pseudo-inverse; an invertible one gets its inverse.
    @Test func symmetricPseudoInverseEdgeCases() throws {
        let (z, rz) = try Matrix(rows: 3, cols: 3).symmetricPseudoInverse()
        #expect(rz == 0 && z.storage.allSatisfy { $0 == 0 })
        let (e, re) = try Matrix(rows: 0, cols: 0).symmetricPseudoInverse()
        #expect(re == 0 && e.rows == 0)
        let d = Matrix(rows: 2, cols: 2, storage: [4, 0, 0, 0.25])
        let (p, r) = try d.symmetricPseudoInverse()
        #expect(r == 2)
        #expect(p.isApproximatelyEqual(to: Matrix(rows: 2, cols: 2, storage: [0.25, 0, 0, 4]), absoluteTolerance: 1e-15))
    }

    /// The streamed correlations match the definition across block boundaries: N below one
    /// block, exactly one, a multiple, and not a multiple of the block size; Σ11 exactly symmetric.
    @Test(arguments: [1, 6, 7, 8, 21, 30])
    func correlationsAcrossBlockBoundaries(n: Int) {
        let s = Samples(n: n, inputs: 5, outputs: 2, seed: UInt64(40 + n))
        var acc = CorrelationAccumulator(inputs: 5, outputs: 2, blockRows: 7)
        for (x, y) in zip(s.x, s.y) { acc.add(input: x, output: y) }
        let c = acc.finish()
        #expect(c.sampleCount == n)
        let m = Double(n)
        for i in 0..<5 {
            for j in 0..<5 {
                let d = zip(s.x, s.x).reduce(0.0) { $0 + $1.0[i] * $1.1[j] } / m
                #expect(c.sigma11[i, j].isApproximatelyEqual(to: d, absoluteTolerance: 1e-13))
                #expect(c.sigma11[i, j] == c.sigma11[j, i])
            }
            for o in 0..<2 {
                let d = zip(s.y, s.x).reduce(0.0) { $0 + $1.0[o] * $1.1[i] } / m
                #expect(c.sigma31[o, i].isApproximatelyEqual(to: d, absoluteTolerance: 1e-13))
            }
            #expect(c.inputMean![i].isApproximatelyEqual(to: s.x.reduce(0.0) { $0 + $1[i] } / m, absoluteTolerance: 1e-14))
        }
        let t33 = s.y.reduce(0.0) { $0 + $1.reduce(0) { $0 + $1 * $1 } } / m
        #expect(c.traceSigma33.isApproximatelyEqual(to: t33, relativeTolerance: 1e-13))
    }
}

/// The fast decimal parser of the CSV reader agrees with strtod bit for bit wherever it
/// answers, and answers for the plain decimals data files hold.
@Suite struct DecimalParserTests {
    func both(_ s: String) -> (fast: Double?, strtod: Double?) {
        let bytes = Array(s.utf8)
        return bytes.withUnsafeBufferPointer { b in
            let p = b.baseAddress ?? UnsafePointer(bitPattern: 1)!
            return (DecimalParser.parse(p, b.count), DecimalParser.strtod(p, b.count))
        }
    }

    func check(_ s: String) {
        let (fast, slow) = both(s)
        if let fast {
            #expect(fast.bitPattern == slow?.bitPattern, "\(s): fast \(fast), strtod \(String(describing: slow))")
        }
    }

    @Test func edgeCases() {
        for s in ["0", "-0", "+0", "0.0", "-0.0e5", ".5", "5.", "+.5", "-.5e-3", "1e22", "1e23", "9007199254740992",
                  "9007199254740993", "123456789012345678", "1234567890123456789", "12345678901234567890",
                  "0.1", "0.3", "2.2250738585072014e-308", "1.7976931348623157e308", "4.9e-324", "1e-22",
                  "1e-23", "0.000000000000000000001", "1.5e+3", "1E5", "1e", "1e+", "e5", ".", "-", "+", "",
                  "1..2", "1e5.5", "1.5 ", " 1.5", "0x10", "inf", "nan", "1e00022", "1e99999", "00000001.5",
                  "100000000000000000000000", "3.14159265358979", "-2.718281828459045", "1e-0", "7e+0022"] {
            check(s)
        }
        // The fast path covers the everyday forms.
        for s in ["0", "-1.5", "0.123456", "1e-3", "123456.789012", "-0.000001", "9007199254740992"] {
            #expect(both(s).fast != nil, "\(s)")
        }
        #expect(both("-0").fast.map { $0.sign == .minus } == true)
        for s in ["", ".", "1e", "e5", "-", "1..2", " 1"] { #expect(both(s).fast == nil, "\(s)") }
    }

    @Test func randomDecimalsMatchStrtod() {
        var g = SystemRandomNumberGenerator()
        var covered = 0
        for _ in 0..<200_000 {
            var s = ""
            switch Int.random(in: 0..<4, using: &g) {
            case 0: s = "\(Double.random(in: -1e6...1e6, using: &g))"
            case 1: s = String(format: "%.\(Int.random(in: 0...20, using: &g))f", Double.random(in: -1000...1000, using: &g))
            case 2: s = String(format: "%.\(Int.random(in: 1...18, using: &g))e", Double.random(in: -1...1, using: &g) * pow(10, Double.random(in: -30...30, using: &g)))
            default:
                // Random digit strings with a point and an exponent somewhere.
                let digits = (0..<Int.random(in: 1...20, using: &g)).map { _ in String(Int.random(in: 0...9, using: &g)) }.joined()
                let point = Int.random(in: 0...digits.count, using: &g)
                s = (Bool.random(using: &g) ? "-" : "") + digits.prefix(point) + "." + digits.dropFirst(point)
                if Bool.random(using: &g) { s += "e\(Int.random(in: -40...40, using: &g))" }
            }
            let (fast, slow) = both(s)
            if let fast {
                covered += 1
                #expect(fast.bitPattern == slow?.bitPattern, "\(s): fast \(fast), strtod \(String(describing: slow))")
            }
        }
        #expect(covered > 100_000)
    }

    /// Tiny read buffers force lines across chunk boundaries and the buffer to grow; the rows
    /// and the errors are those of the default buffer.
    @Test func chunkBoundariesDoNotChangeRows() throws {
        var text = "a,b,c\n"
        for i in 0..<300 { text += "\(Double(i) * 0.37),\"\(i)\",  -\(i).25e-2\r\n" + (i % 7 == 0 ? "\n" : "") }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString + ".csv").path
        FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        func rows(_ chunk: Int) throws -> [[Double]] {
            let r = try NumericCSVReader(path: path, chunkSize: chunk)
            var out: [[Double]] = []
            try r.forEachRow { out.append(Array($0)) }
            #expect(r.byteCount == text.utf8.count)
            return out
        }
        let reference = try rows(1 << 20)
        #expect(reference.count == 300)
        #expect(reference[3] == [3 * 0.37, 3, -0.0325])
        for chunk in [1, 2, 3, 5, 8, 13, 64] { #expect(try rows(chunk) == reference) }
    }
}

/// The SVD used for Σ31 (stats, modes, aligned starts) and orthogonal starts: singular values of
/// a matrix built as U diag(s) Vᵀ from known factors, at sizes up to 120.
@Suite struct SingularValueTests {
    @Test(arguments: [(5, 3), (30, 30), (80, 80), (120, 40), (40, 120)])
    func recoversKnownSingularValues(rows: Int, cols: Int) throws {
        var g = SplitMix64(seed: UInt64(rows * 1000 + cols))
        let r = min(rows, cols)
        let u = randomOrthogonal(rows, &g), v = randomOrthogonal(cols, &g)
        let s = (0..<r).map { 1e-3 + Double($0 * $0) / Double(r) }.sorted(by: >)
        var a = Matrix(rows: rows, cols: cols)
        for i in 0..<rows {
            for j in 0..<cols {
                var x = 0.0
                for k in 0..<r { x += u[i, k] * s[k] * v[j, k] }
                a[i, j] = x
            }
        }
        let svd = try SingularValueDecomposition(a)
        for (p, q) in zip(svd.values, s) { #expect(abs(p - q) <= 1e-10 * s[0], "\(rows)x\(cols): \(p) vs \(q)") }
        // And the factors reproduce A.
        var recon = Matrix(rows: rows, cols: cols)
        for i in 0..<rows { for j in 0..<cols { for k in 0..<r { recon[i, j] += svd.u[i, k] * svd.values[k] * svd.v[j, k] } } }
        #expect(maxAbsDifference(recon, a) <= 1e-10 * s[0])
    }
}

/// W* = Σ31Σ11⁺ solves the normal equations W*Σ11 = Σ31 at a size where GSL's Jacobi SVD (used
/// before) left a residual of 1% of ‖Σ31‖, and its floor matches the loss at W* from the samples.
@Suite struct LeastSquaresAccuracyTests {
    @Test func normalEquationsHoldAtOneHundredInputs() throws {
        let data = Samples(n: 600, inputs: 100, outputs: 10, seed: 77)
        let c = data.correlations
        let ls = try LeastSquares(c)
        let residual = ls.map * c.sigma11 - c.sigma31
        #expect(residual.frobeniusNorm <= 1e-12 * c.sigma31.frobeniusNorm)
        let a = try Architecture(sizes: [100, 10])
        let floorFromSamples = data.loss(Weights(architecture: a, layers: [ls.map]))
        #expect(ls.lossFloor.isApproximatelyEqual(to: floorFromSamples, relativeTolerance: 1e-10))
    }
}
