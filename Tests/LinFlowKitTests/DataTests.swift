import Foundation
import Testing
import Numerics
@testable import LinFlowKit

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
        #expect(throws: LinflowError.data("\(path): has 2 columns; --outputs 2 leaves no input column")) {
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
}
