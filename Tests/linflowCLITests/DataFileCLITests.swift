import Foundation
import Testing

/// The data options through the executable: what the summary and the run record say about the
/// columns, that a .npy gives the CSV's trajectory bytes, overflow refused. (Their usage errors
/// are among DescentCLITests.badOptionsAreOneLineUsageErrors.)
@Suite struct DataFileCLITests {
    /// The same doubles as CSV and as .npy (written here byte by byte in NumPy's format 1.0)
    /// give the same trajectory bytes; the summary names the columns; the record lists them.
    @Test func npyAndCSVGiveTheSameTrajectory() throws {
        let dir = CLI.temporaryDirectory()
        let rows: [[Double]] = (0..<40).map { n in
            let a = sin(Double(n)), b = cos(1.3 * Double(n)), c = Double(n % 7) / 7
            return [a, b, c, 0.5 * a - b + 0.1 * c, a * b]
        }
        let csv = dir.appendingPathComponent("d.csv").path
        try ("a,b,c,y1,y2\n" + rows.map { $0.map { "\($0)" }.joined(separator: ",") }.joined(separator: "\n") + "\n")
            .write(toFile: csv, atomically: true, encoding: .utf8)
        var header = "{'descr': '<f8', 'fortran_order': False, 'shape': (\(rows.count), 5), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)]
        bytes += Array(header.utf8)
        for v in rows.joined() { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes += $0 } }
        let npy = dir.appendingPathComponent("d.npy").path
        FileManager.default.createFile(atPath: npy, contents: Data(bytes))
        let common = ["simulate", "--hidden", "3", "--t-end", "5", "--samples", "4", "--seed", "2"]
        let a = try CLI.run(common + ["--data", csv, "--outputs", "y*", "-o", dir.appendingPathComponent("a.csv").path])
        let b = try CLI.run(common + ["--data", npy, "--outputs", "2", "-o", dir.appendingPathComponent("b.csv").path])
        #expect(a.status == 0 && b.status == 0, "\(a.stderr) \(b.stderr)")
        let ta = try Data(contentsOf: dir.appendingPathComponent("a.csv")), tb = try Data(contentsOf: dir.appendingPathComponent("b.csv"))
        #expect(!ta.isEmpty && ta == tb)
        let first = a.stderr.split(separator: "\n").first.map(String.init) ?? ""
        #expect(first.contains("[inputs 3 (a…c), outputs 2 (y1, y2)]"), "\(first)")
        #expect(b.stderr.contains("[inputs 3 (c1…c3), outputs 2 (c4, c5)]"), "\(b.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("a.csv.json"))) as! [String: Any]
        let d = json["data"] as! [String: Any]
        #expect(d["input_columns"] as? [String] == ["a", "b", "c"] && d["output_columns"] as? [String] == ["y1", "y2"])
        #expect(d["source"] as? String == csv)
    }

    /// Squares that overflow: stats used to exit 0 and call Σ11 = inf "white".
    @Test func overflowIsADataErrorBeforeAnyWork() throws {
        let dir = CLI.temporaryDirectory()
        let path = dir.appendingPathComponent("o.csv").path
        try "x1,x2,y\n1e160,0,1\n0,1e160,2\n".write(toFile: path, atomically: true, encoding: .utf8)
        for command in ["stats", "simulate"] {
            let r = try CLI.run([command, "--data", path, "--outputs", "1"])
            #expect(r.status == 65 && r.stdout.isEmpty, "\(r.stderr)")
            #expect(r.stderr == "linflow: error: \(path): input column 'x1' overflows: its mean square exceeds the largest double (values of magnitude ≳ 1e154); rescale it\n", "\(r.stderr)")
        }
    }
}
