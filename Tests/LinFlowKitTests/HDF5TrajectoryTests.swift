import Foundation
import Testing
@testable import LinFlowNumerics
import LinFlowTestSupport
@testable import LinFlowIO
@testable import LinFlowPlot
@testable import LinFlowRuns
@testable import LinFlowSweep

/// The HDF5 sink and reader against each other and against the weights' own matrices (h5py's
/// independent reading is scripts/checks/check_hdf5.py).
@Suite struct HDF5TrajectoryTests {
    func temporary(_ name: String) -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("linflow-h5-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent(name).path
    }

    func weights(_ a: Architecture, _ g: inout SplitMix64) -> Weights {
        Weights(architecture: a, flat: (0..<a.parameterCount).map { _ in g.normal() })
    }

    @Test func columnBlockNamesAreOneBasedRowMajor() {
        #expect(ColumnBlock("t").columnNames == ["t"])
        #expect(ColumnBlock("sv", shape: [2]).columnNames == ["sv_1", "sv_2"])
        #expect(ColumnBlock("W21", shape: [2, 3]).columnNames == ["W21_1_1", "W21_1_2", "W21_1_3", "W21_2_1", "W21_2_2", "W21_2_3"])
    }

    /// Each row's W21[r, c] is W_1's entry (r, c) (not its transpose), b21 is b_1, and the
    /// last row is what --init reads back.
    @Test func rowsRoundTripThroughTheFile() throws {
        let a = try Architecture(sizes: [3, 4, 2], bias: true)
        let layout = TrajectoryLayout(architecture: a, diagnostics: .all)
        let path = temporary("run.h5")
        let sink = try HDF5TrajectorySink(path: path, blocks: layout.blocks)
        var g = SplitMix64(seed: 4)
        let rows = (0..<5).map { _ in weights(a, &g) }
        for (k, w) in rows.enumerated() {
            try sink.write(row: try layout.values(time: Double(k), loss: Double(k) / 7, excess: Double(k) / 9, weights: w))
        }
        #expect(!FileManager.default.fileExists(atPath: path))
        try sink.commit(record: RunRecord(command: "test", arguments: ["test"], settings: ["k": 1]))
        let table = try HDF5Trajectory(path: path)
        #expect(table.rows == 5)
        #expect(table.columnNames == layout.columns)
        #expect(table.blocks.map(\.name) == ["t", "loss", "excess_loss", "W21", "b21", "W32", "b32", "sv", "imbalance"])
        var v: [Double] = []
        for (k, w) in rows.enumerated() {
            try table.read(block: 3, row: k, into: &v)
            let w21 = w.layer(1)
            #expect(v == (0..<4).flatMap { r in (0..<3).map { c in w21[r, c] } })
            try table.read(block: 4, row: k, into: &v)
            #expect(v == w.bias(1))
            try table.read(block: 1, row: k, into: &v)
            #expect(v == [Double(k) / 7])
            try table.read(block: 2, row: k, into: &v)
            #expect(v == [Double(k) / 9])
        }
        #expect(try WeightFile.resumePoint(path: path).weights == rows.last!)
        #expect(try WeightFile.architecture(path: path) == a)
        #expect(table.textAttribute("command") == "test")
        #expect(table.textAttribute("run_record")?.contains("\"command\" : \"test\"") == true)
    }

    @Test func weightSelectionLeavesBlocksOut() throws {
        let a = try Architecture(sizes: [3, 4, 2], bias: true)
        let layout = try TrajectoryLayout(architecture: a, diagnostics: [], weights: WeightSelection(argument: "W32,b21"))
        #expect(layout.blocks.map(\.name) == ["t", "loss", "excess_loss", "b21", "W32"])
        var g = SplitMix64(seed: 5)
        let w = weights(a, &g)
        let values = try layout.values(time: 1, loss: 2, excess: 0.5, weights: w)
        #expect(values == [1, 2, 0.5] + w.bias(1) + w.layer(2).storage)
        #expect(throws: LinflowError.usage("\(Setting.weightBlocks): the 3-4-2 affine network has no block W43; its blocks are W21, W32, b21, b32")) {
            try TrajectoryLayout(architecture: a, diagnostics: [], weights: WeightSelection(argument: "W43"))
        }
        #expect(throws: LinflowError.self) { try WeightSelection(argument: "W21,,W32") }
        #expect(try TrajectoryLayout(architecture: a, diagnostics: [], weights: .none).blocks.map(\.name) == ["t", "loss", "excess_loss"])
    }

    /// HDF5's failures become one-line errors of the right kind, never a crash or a stack dump.
    @Test func failuresAreOneLineErrors() throws {
        let text = temporary("x.csv")
        try "t,loss\n0,1\n".write(toFile: text, atomically: true, encoding: .utf8)
        #expect(throws: LinflowError.noInput("\(text): not an HDF5 file (or unreadable)")) { try HDF5Trajectory(path: text) }
        // A file with HDF5's signature but nothing after it.
        let broken = temporary("broken.h5")
        try Data(HDF5.signature + [UInt8](repeating: 0, count: 64)).write(to: URL(fileURLWithPath: broken))
        do {
            _ = try HDF5Trajectory(path: broken)
            Issue.record("a broken file was read")
        } catch let e as LinflowError {
            #expect(e.description.hasPrefix("\(broken): HDF5 could not open the file"))
            #expect(!e.description.contains("\n"))
        }
        #expect(throws: LinflowError.self) { try HDF5TrajectorySink(path: "/nonexistent-dir/run.h5", blocks: [ColumnBlock("t")]) }
    }

    /// Keeping the partial rows: the destination untouched, the rows in OUT.partial.
    @Test func keepPartialLeavesTheDestination() throws {
        let path = temporary("run.h5")
        try "precious".write(toFile: path, atomically: true, encoding: .utf8)
        let sink = try HDF5TrajectorySink(path: path, blocks: [ColumnBlock("t"), ColumnBlock("v", shape: [2])])
        try sink.write(row: [0, 1, 2])
        try sink.write(row: [1, 3, 4])
        let kept = sink.keepPartial(record: RunRecord(command: "test", arguments: ["test"], settings: [:]))
        #expect(kept == path + ".partial")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "precious")
        let table = try HDF5Trajectory(path: path + ".partial")
        var v: [Double] = []
        try table.read(block: 1, row: 1, into: &v)
        #expect(table.rows == 2 && v == [3, 4])
        let dir = (path as NSString).deletingLastPathComponent
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["run.h5", "run.h5.partial", "run.h5.partial.json"])
    }
}
