import Foundation
import Testing
import LinFlowTestSupport
@testable import LinFlowNumerics
@testable import LinFlowIO
@testable import LinFlowSweep

/// The fast writers give the bytes of the slow, obvious ones: a CSV row is the numbers'
/// `description`s joined by commas, a record is what Foundation's JSONSerialization writes.
@Suite struct OutputBytesTests {
    /// Doubles of every kind: random bit patterns (subnormals, huge and tiny exponents), ±0,
    /// integers, powers of two and ten, values near the switch to exponent notation.
    static func doubles(_ n: Int, seed: UInt64) -> [Double] {
        var g = SplitMix64(seed: seed)
        var special: [Double] = [0, -0.0, 1, -1, 0.1, 1e-5, 1e-4, 0.001, 1e15, 1e16, 1e17, 2e16, 9007199254740992,
                                 9007199254740993, 18014398509481984, .leastNonzeroMagnitude, -.leastNonzeroMagnitude,
                                 .leastNormalMagnitude, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .pi, 5e-324, 1.7976931348623157e308,
                                 .infinity, -.infinity, .nan, 123456789012345680, 0.30000000000000004]
        for e in -1074...1023 { special.append(Double(sign: .plus, exponent: e, significand: 1)) }
        for k in -30...30 { special.append(Double("1e\(k)")!) }
        var values = special
        while values.count < n {
            switch g.next() % 4 {
            case 0: values.append(Double(bitPattern: g.next()))
            case 1: values.append(Double(Int64(bitPattern: g.next()) >> Int64(g.next() % 64)))
            case 2: values.append(g.normal() * Double.pow(10, Double(Int(g.next() % 40) - 20)))
            default: values.append(Double(sign: .plus, exponent: Int(g.next() % 2098) - 1074, significand: 1 + Double(g.next() % 8) / 8))
            }
        }
        return values
    }

    /// Over a million numbers: each is its `description`, except a NaN with a payload, which
    /// `description` spells out and the CSV writes as `write(to:)` does (``nanText``).
    @Test func csvLinesAreTheDescriptionsOfTheNumbers() {
        let values = Self.doubles(1_100_000, seed: 7)
        var bytes: [UInt8] = []
        var expected: [UInt8] = []
        for start in stride(from: 0, to: values.count, by: 500) {
            let row = Array(values[start..<min(start + 500, values.count)])
            CSVRow.appendLine(row, to: &bytes)
            for (i, v) in row.enumerated() {
                if i > 0 { expected.append(UInt8(ascii: ",")) }
                expected.append(contentsOf: (v.isNaN ? Self.nanText(v) : v.description).utf8)
            }
            expected.append(UInt8(ascii: "\n"))
        }
        let same = bytes == expected
        let firstDifference = zip(bytes, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset
        #expect(same, "first difference at byte \(firstDifference ?? min(bytes.count, expected.count))")
        #expect(values.filter(\.isNaN).count > 100)
    }

    /// A NaN as the CSV has always written it: `write(to:)`, the stream form of `description`.
    static func nanText(_ v: Double) -> String {
        var s = ""
        v.write(to: &s)
        return s
    }

    @Test func csvFileHoldsTheLinesAsWritten() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("linflow-bytes-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let rows = (0..<300).map { Array(Self.doubles(2000, seed: UInt64($0))[1000..<1380]) }
        let sink = try CSVTrajectorySink(path: dir + "/out.csv", blocks: [ColumnBlock("W21", shape: [19, 20])])
        for r in rows { try sink.write(row: r) }
        try sink.commit(record: RunRecord(command: "simulate", arguments: ["-o", "out.csv"], settings: [:]))
        let header = (1...19).flatMap { i in (1...20).map { "W21_\(i)_\($0)" } }.joined(separator: ",") + "\n"
        let expected = header + rows.map { $0.map { $0.isNaN ? Self.nanText($0) : $0.description }.joined(separator: ",") + "\n" }.joined()
        #expect(FileManager.default.contents(atPath: dir + "/out.csv") == Data(expected.utf8))
    }

    /// A record like a run's: nested results, optionals, non-finite numbers, arrays, keys that
    /// sort differently by code point and by Foundation's numeric, case-insensitive order.
    @Test func recordIsFoundationsJSON() throws {
        let missing: Int? = nil
        let some: Double? = 0.25
        var record = RunRecord(command: "simulate", arguments: ["--out", "a/b.csv", "--rtol=1e-8", "quote\"back\\slash\ttab\u{1}\u{1f}\u{7f} é 🙂"], settings: [
            "method": "dop853", "rtol": 1e-8, "atol": 1e-10, "t_end": 80.0, "samples": 200, "max_steps": missing as Any,
            "maybe": some as Any, "flag": true, "off": false, "seed": UInt64.max, "big": 1e16, "huge": 1e300, "neg0": -0.0,
            "sv_10": 1, "sv_2": 2, "SV_3": 3, "sv_1": [1.5, .nan, -.infinity, 2.0], "W21": "x", "b21": "y", "B21": "z", "a/b": "c/d",
            "empty_list": [Double](), "empty_map": [String: Any](), "names": ["W21", "W32"], "ints": [1, 2, 3],
            "nested": ["result": ["final_loss": 0.123456789, "rows": 201, "modes": [0.1, nil, 3] as [Double?]] as [String: Any],
                       "list": [["k": 1] as [String: Any], [] as [Any], "s", 7.0]] as [String: Any],
        ])
        record.entries["failure"] = "integration failed at t = 3.5: step size 1e-300 below the minimum"
        #expect(String(decoding: try record.data(), as: UTF8.self) == String(decoding: try record.foundationData(), as: UTF8.self))
    }

    /// Random nested values against Foundation's writer.
    @Test func randomRecordsAreFoundationsJSON() throws {
        var g = SplitMix64(seed: 11)
        let words = ["t", "loss", "Loss", "sv_1", "sv_2", "sv_10", "sv_11", "W21", "w21", "b21", "a-b", "a_b", "a.b", "ä", "Z", "z", "10", "9", "x/y", ""]
        let numbers = Self.doubles(5000, seed: 3)
        func value(_ depth: Int) -> Any {
            switch g.next() % (depth > 3 ? 6 : 8) {
            case 0: return numbers[Int(g.next() % UInt64(numbers.count))]
            case 1: return Int(Int64(bitPattern: g.next()) >> Int64(g.next() % 64))
            case 2: return g.next() % 2 == 0
            case 3: return words[Int(g.next() % UInt64(words.count))] + String(UnicodeScalar(UInt8(g.next() % 128)))
            case 4: return NSNull()
            case 5: return g.next() >> (g.next() % 64)
            case 6: return (0..<Int(g.next() % 5)).map { _ in value(depth + 1) }
            default:
                var m: [String: Any] = [:]
                for _ in 0..<Int(g.next() % 8) { m[words[Int(g.next() % UInt64(words.count))]] = value(depth + 1) }
                return m
            }
        }
        for _ in 0..<300 {
            var settings: [String: Any] = [:]
            for _ in 0..<Int(g.next() % 12) { settings[words[Int(g.next() % UInt64(words.count))] + "\(g.next() % 3)"] = value(0) }
            let record = RunRecord(command: "descend", arguments: [], settings: settings)
            #expect(String(decoding: try record.data(), as: UTF8.self) == String(decoding: try record.foundationData(), as: UTF8.self))
        }
    }

    /// An outcome file is what JSONEncoder writes, whatever its reason holds.
    @Test func outcomeIsJSONEncodersJSON() throws {
        let reasons: [String?] = [nil, "descent diverged at step 12 (loss 1e+300)", "d.csv:3:4: 'x/y' is not a number",
                                  "quote \" and back\\slash", "tab\there, line\nbreak, \u{1}", "é, 🙂, \u{7f}", ""]
        for status in ["complete", "diverged", "failed"] {
            for (code, output) in [(0, "out.csv"), (3, "out.csv.partial"), (130, nil)] as [(Int32, String?)] {
                for reason in reasons {
                    let outcome = SweepOutcome(status: status, exitStatus: code, output: output, reason: reason)
                    #expect(String(decoding: try outcome.json(), as: UTF8.self) == String(decoding: try outcome.foundationJSON(), as: UTF8.self))
                }
            }
        }
    }

    /// Reading only some columns gives their values as a full read does, and does not look at
    /// the others (`sweep collect` reads 4 of a trajectory's 380 columns).
    @Test func readingSomeColumnsParsesOnlyThose() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("linflow-bytes-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let values = Self.doubles(3000, seed: 5).filter(\.isFinite)
        var text = "t,w,loss\n"
        for r in 0..<200 { text += "\(values[3 * r]),\(r == 7 ? "x" : values[3 * r + 1].description),\(values[3 * r + 2])\n" }
        try text.write(toFile: dir + "/t.csv", atomically: true, encoding: .utf8)
        var rows: [[Double]] = []
        try NumericCSVReader(path: dir + "/t.csv", header: .yes).forEachRow(only: [true, false, true]) { rows.append(Array($0)) }
        #expect(rows.count == 200)
        #expect(rows.indices.allSatisfy { r in rows[r] == [values[3 * r], r == 0 ? values[1] : 0, values[3 * r + 2]] })
        #expect(throws: LinflowError.self) { try NumericCSVReader(path: dir + "/t.csv", header: .yes).forEachRow { _ in } }
    }

    /// A sweep attempt's directory leaves the flush of the files directly in it to its owner;
    /// files elsewhere, deeper, or in a directory whose name merely starts the same, sync as usual.
    @Test func syncedDirectoriesCoverTheirOwnFilesOnly() {
        let dir = "/tmp/linflow-synced-\(UUID().uuidString)/tasks/3.tmp-host-1-1"
        SyncedDirectories.add(dir)
        defer { SyncedDirectories.remove(dir) }
        #expect(SyncedDirectories.covers(dir + "/out.csv"))
        #expect(SyncedDirectories.covers(dir + "/out.csv.json"))
        #expect(!SyncedDirectories.covers(dir + "/sub/out.csv"))
        #expect(!SyncedDirectories.covers(dir + "0/out.csv"))
        #expect(!SyncedDirectories.covers("out.csv"))
        SyncedDirectories.remove(dir)
        #expect(!SyncedDirectories.covers(dir + "/out.csv"))
    }
}
