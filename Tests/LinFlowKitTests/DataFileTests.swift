import Foundation
import Testing
import Numerics
@testable import LinFlowNumerics
import LinFlowTestSupport
@testable import LinFlowIO
@testable import LinFlowPlot
@testable import LinFlowRuns
@testable import LinFlowSweep

/// Data files as their users write them: pandas's CSVs (the bytes it writes), European
/// spreadsheets, NumPy's .npy and .npz (made by numpy in Tests/Fixtures/numpy), and the traps in
/// each; columns chosen by count, name and glob.
@Suite struct DataFileTests {
    func write(_ text: String, ext: String = "csv") -> String {
        write(Data(text.utf8), ext: ext)
    }

    func write(_ data: Data, ext: String = "csv") -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString + "." + ext).path
        FileManager.default.createFile(atPath: path, contents: data)
        return path
    }

    func load(_ path: String, outputs: String? = "1", inputs: String? = nil, header: HeaderMode = .auto,
              delimiter: Delimiter = .comma) throws -> LoadedData {
        let spec = DataFileSpec(path: path, inputs: try inputs.map { try ColumnSelector(argument: $0, option: .inputColumns) },
                                outputs: try outputs.map { try ColumnSelector(argument: $0, option: .outputColumns) },
                                header: header, delimiter: delimiter)
        return try DataSource.file(spec).correlations()
    }

    func message(_ body: () throws -> Void) -> String {
        do { try body(); return "accepted" } catch { return (error as? LinflowError)?.message ?? "\(error)" }
    }

    /// pandas: `pd.DataFrame(a).to_csv(p, index=False)` heads the columns 0,1,…,n−1.
    static let unnamedFrame = "0,1,2\n0.5,1.5,2.0\n1.0,-0.5,3.0\n2.0,0.25,1.0\n"

    @Test func pandasUnnamedHeaderMustBeStated() throws {
        let path = write(Self.unnamedFrame)
        let m = message { _ = try load(path) }
        #expect(m.hasPrefix("\(path):1: the first row reads 0,1,…,2") && m.contains("\(Setting.header) yes or \(Setting.header) no"), "\(m)")
        let yes = try load(path, header: .yes)
        #expect(yes.correlations.sampleCount == 3 && yes.inputNames == ["0", "1"] && yes.outputNames == ["2"])
        let no = try load(path, header: .no)
        #expect(no.correlations.sampleCount == 4 && no.inputNames == ["c1", "c2"])
        // A first row that is not 0,1,…,n−1 is data, as before.
        #expect(try load(write("1,2,3\n4,5,6\n")).correlations.sampleCount == 2)
    }

    /// pandas's default `to_csv()` writes the index as a first column with a blank header cell
    /// (or `Unnamed: 0` once read and written back).
    @Test(arguments: [",a,b,y\n0,1.5,2,3\n1,2.5,1,0\n2,0.5,4,1\n", "Unnamed: 0,a,b,y\n0,1.5,2,3\n1,2.5,1,0\n2,0.5,4,1\n"])
    func pandasIndexColumnIsRefusedUnlessDropped(text: String) throws {
        let path = write(text)
        let m = message { _ = try load(path) }
        #expect(m.contains("a pandas index") && m.contains("\(Setting.inputColumns) a,b") && m.contains("index=False"), "\(m)")
        let kept = try load(path, inputs: "a,b")
        #expect(kept.inputNames == ["a", "b"] && kept.outputNames == ["y"])
        // Σ11 of the columns a and b alone: E[a²] = (1.5² + 2.5² + 0.5²)/3.
        #expect(kept.correlations.sigma11[0, 0].isApproximatelyEqual(to: (2.25 + 6.25 + 0.25) / 3, relativeTolerance: 1e-15))
    }

    @Test func columnsByCountNameAndGlob() throws {
        let path = write("a,b,c,y1,y2\n1,2,3,4,5\n2,1,0,1,3\n0,4,1,2,2\n")
        let byCount = try load(path, outputs: "2")
        let byName = try load(path, outputs: "y1,y2")
        let byGlob = try load(path, outputs: "y*")
        #expect(byCount.outputNames == ["y1", "y2"] && byName.outputNames == ["y1", "y2"] && byGlob.outputNames == ["y1", "y2"])
        #expect(byCount.correlations == byName.correlations && byName.correlations == byGlob.correlations)
        // Names in the listed order; c dropped; Σ31[0,0] = E[y2·b] = (10 + 3 + 8)/3.
        let picked = try load(path, outputs: "y2", inputs: "b,a")
        #expect(picked.inputNames == ["b", "a"] && picked.outputNames == ["y2"])
        #expect(picked.correlations.sigma31[0, 0].isApproximatelyEqual(to: 21.0 / 3, relativeTolerance: 1e-15))
        #expect(picked.correlations.sigma31[0, 1].isApproximatelyEqual(to: (5 + 6 + 0) / 3.0, relativeTolerance: 1e-15))
        #expect(try load(path, outputs: "1", inputs: "2").inputNames == ["a", "b"])
        #expect(message { _ = try load(path, outputs: "z") }.contains("\(Setting.outputColumns) names 'z', which is not a column"))
        #expect(message { _ = try load(path, outputs: "q*") }.contains("\(Setting.outputColumns) 'q*' matches no column"))
        #expect(message { _ = try load(path, outputs: "y1", inputs: "a,y1") }.contains("'y1' is selected by both"))
        // Without a header, the names are c1…cN.
        #expect(try load(write("1,2,3\n4,5,6\n"), outputs: "c3", inputs: "c1").inputNames == ["c1"])
        #expect(message { _ = try load(path, outputs: nil) }.contains("\(Setting.outputColumns)"))
    }

    @Test func delimitersAreNamedAndDecimalCommasRefused() throws {
        let semi = write("a;b;y\n1.5;2;3\n2;1;0\n")
        #expect(message { _ = try load(semi) } == "\(semi):1: one column under the comma, 3 under a semicolon; pass \(Setting.delimiter) semicolon")
        #expect(try load(semi, delimiter: Delimiter(argument: "semicolon")).correlations.sampleCount == 2)
        let tab = write("a\tb\ty\n1\t2\t3\n")
        #expect(message { _ = try load(tab) }.contains("pass \(Setting.delimiter) tab"))
        #expect(try load(tab, delimiter: Delimiter(argument: "tab")).inputNames == ["a", "b"])
        let european = write("a;b;y\n1,5;2;3\n2;1;0\n")
        #expect(message { _ = try load(european, delimiter: Delimiter(argument: ";")) } ==
                "\(european):2:1: '1,5' has a decimal comma; linflow reads decimal points only (save the file with '.' as the decimal separator)")
        #expect(try load(write("a|y\n1|2\n"), delimiter: Delimiter(argument: "|")).correlations.sampleCount == 1)
        #expect(throws: LinflowError.self) { try Delimiter(argument: "5") }
    }

    @Test func commentsAndCROnlyLineEndsAreRead() throws {
        let plain = try load(write("x,y\n1,2\n3,5\n-1,0.5\n"))
        #expect(try load(write("# written by a logger\nx,y\n1,2\n# a note\n3,5\n-1,0.5\n")).correlations == plain.correlations)
        #expect(try load(write("x,y\r1,2\r3,5\r-1,0.5\r")).correlations == plain.correlations)
    }

    @Test(arguments: [("utf-16", "UTF-16LE"), ("utf-32", "UTF-32LE")])
    func wideEncodingsAreNamed(python: String, name: String) throws {
        var bytes: [UInt8]
        let text = "x,y\n1,2\n"
        switch name {
        case "UTF-16LE": bytes = [0xFF, 0xFE] + text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        default: bytes = [0xFF, 0xFE, 0, 0] + text.unicodeScalars.flatMap { [UInt8($0.value & 0xFF), 0, 0, 0] }
        }
        let path = write(Data(bytes))
        #expect(message { _ = try load(path) }.hasPrefix("\(path): is \(name) text"), "\(python)")
    }

    /// |x| ≳ 1e154: x² overflows; refused naming the column, instead of Σ11 = inf.
    @Test func overflowingColumnIsRefusedByName() throws {
        let path = write("a,big,y\n1,3e200,1\n2,-1e200,0\n")
        #expect(message { _ = try load(path) }.hasPrefix("\(path): input column 'big' overflows"))
        let out = write("a,y\n1,3e200\n2,-1e200\n")
        #expect(message { _ = try load(out) }.hasPrefix("\(out): output column 'y' overflows"))
    }

    // MARK: - NumPy

    static let numpyDir: String? = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("linflow-numpy-\(getpid())")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/numpy/make_numpy_files.py")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", script.path, dir.path]
        guard (try? p.run()) != nil else { return nil }
        p.waitUntilExit()
        return p.terminationStatus == 0 ? dir.path : nil
    }()

    func numpy(_ name: String) throws -> String {
        try #require(Self.numpyDir, "python3 with numpy makes the NumPy fixtures") + "/" + name
    }

    /// The same doubles in the same order give the very same correlations (so the same
    /// trajectory bytes), whatever the file format and memory order.
    @Test(arguments: ["c.npy", "fortran.npy", "bigendian.npy"])
    func npyEqualsTheCSVBitForBit(name: String) throws {
        let csv = try load(numpy("samples.csv"), outputs: "2").correlations
        let npy = try load(numpy(name), outputs: "2")
        #expect(npy.correlations == csv)
        #expect(npy.inputNames == ["c1", "c2", "c3", "c4"] && npy.outputNames == ["c5", "c6"])
        #expect(npy.file?.bytes == (try FileManager.default.attributesOfItem(atPath: numpy(name))[.size] as? Int))
    }

    @Test func float32AndNpzArrays() throws {
        #expect(try load(numpy("f32.npy"), outputs: "2").correlations == load(numpy("f32.csv"), outputs: "2").correlations)
        let csv = try load(numpy("samples.csv"), outputs: "2").correlations
        let xy = try load(numpy("xy.npz"), outputs: nil)
        #expect(xy.correlations == csv && xy.inputNames.first == "x[1]" && xy.outputNames == ["y[1]", "y[2]"])
        let named = try load(numpy("named.npz"), outputs: "target", inputs: "inputs")
        let firstTarget = try load(numpy("samples.csv"), outputs: "c5", inputs: "c1,c2,c3,c4")
        #expect(named.correlations == firstTarget.correlations && named.outputNames == ["target"])
    }

    /// numpy.savez_compressed (and a zip written with zlib directly) inflate to the doubles of
    /// numpy.savez: the same correlations bit for bit, with arrays read side by side.
    @Test func compressedNpzEqualsStoredBitForBit() throws {
        let csv = try load(numpy("samples.csv"), outputs: "2").correlations
        for name in ["compressed.npz", "rewritten.npz"] {
            let z = try load(numpy(name), outputs: nil)
            #expect(z.correlations == csv && z.inputNames.first == "x[1]" && z.outputNames == ["y[1]", "y[2]"], "\(name)")
            #expect(z.file?.bytes == (try FileManager.default.attributesOfItem(atPath: numpy(name))[.size] as? Int))
        }
        let named = try load(numpy("named_compressed.npz"), outputs: "target", inputs: "inputs,extra")
        let stored = try load(numpy("named.npz"), outputs: "target", inputs: "inputs,extra")
        #expect(named.correlations == stored.correlations && named.inputNames == stored.inputNames)
        // 20 000 × 20: many blocks of rows and inflate windows, whose edges fall inside rows.
        let wide = try load(numpy("wide_compressed.npz"), outputs: nil)
        #expect(wide.correlations == (try load(numpy("wide.npz"), outputs: nil)).correlations)
        #expect(wide.correlations.sampleCount == 20000 && wide.inputNames.count == 17)
    }

    @Test(arguments: [
        ("corrupt.npz", "corrupt compressed member"),
        ("truncated.npz", "truncated compressed member: the deflate stream ends after"),
        ("fortran_compressed.npz", "a compressed array in Fortran order"),
        ("int.npy", "dtype '<i8'"),
        ("object.npy", "object array"),
        ("3d.npy", "a 3-D array"),
        ("1d.npy", "a 1-D array"),
        ("truncated.npy", "truncated"),
        ("badmagic.npy", "not a NumPy .npy array"),
    ])
    func malformedNumPyFilesAreOneLine(name: String, expected: String) throws {
        let path = try numpy(name)
        do {
            _ = try load(path, outputs: name.hasSuffix(".npz") ? nil : "1")
            Issue.record("\(name) was accepted")
        } catch let e as LinflowError {
            #expect(e.exitCode == 65)
            #expect(e.description.hasPrefix(path) && e.description.contains(expected) && !e.description.contains("\n"), "\(e)")
        }
    }
}
