import Foundation
import LinFlowNumerics

/// Where a command's trajectory goes, row by row: a CSV (``CSVTrajectorySink``) or an HDF5
/// file (``HDF5TrajectorySink``) with the same values. Both are atomic: the destination appears
/// only at ``commit(record:)``; ``keepPartial(record:)`` keeps the rows of a failed run as
/// `OUT.partial`; ``discard()`` leaves the destination untouched.
public protocol TrajectorySink: AnyObject {
    /// nil for standard output.
    var path: String? { get }
    /// The values of one row, in the order of the sink's blocks.
    func write(row: [Double]) throws
    /// Completes the file and writes the run record beside it (and, for HDF5, into it).
    func commit(record: RunRecord) throws
    /// Keeps the rows so far as `OUT.partial` with `record`; returns that name (nil on stdout).
    func keepPartial(record: RunRecord) -> String?
    func discard()
}

/// `--format csv|hdf5`; without it, a destination ending in `.h5` or `.hdf5` means HDF5.
public enum TrajectoryFormat: String, Sendable, CaseIterable {
    case csv
    case hdf5

    /// The explicit `format`, else the one `path`'s extension names, else CSV.
    public static func resolve(_ format: TrajectoryFormat?, path: String?) -> TrajectoryFormat {
        if let format { return format }
        guard let path else { return .csv }
        let lower = path.lowercased()
        return lower.hasSuffix(".h5") || lower.hasSuffix(".hdf5") ? .hdf5 : .csv
    }
}

/// How a trajectory is stored: the format and the weight blocks (`--format`, `--weights`).
public struct TrajectoryStorage: Sendable {
    public var format: TrajectoryFormat?
    public var weights: WeightSelection = .all

    public init(format: TrajectoryFormat? = nil, weights: WeightSelection = .all) {
        self.format = format
        self.weights = weights
    }

    /// Refuses, before any work, what cannot be written: HDF5 to standard output, and a weight
    /// selection for `compare`, whose table holds no weights.
    public func validate(output: String?, command: RunCommand) throws(LinflowError) {
        if TrajectoryFormat.resolve(format, path: output) == .hdf5, output == nil || output == "-" {
            throw .usage("\(Setting.format) hdf5 needs \(Setting.output) FILE: HDF5 cannot be written to standard output")
        }
        if command == .compare, weights != .all {
            throw .usage("\(Setting.weightBlocks) does not apply to compare: its table holds losses and gaps, no weights")
        }
    }

    /// A CSV larger than this draws the size warning.
    public static let warningBytes = 1e9
    /// Bytes a CSV value takes on average (17 significant digits, sign, exponent, comma):
    /// measured 24.8 on 784-1000-10's weights.
    static let bytesPerValue = 24.0

    /// Opens the sink for `blocks` at `path` (nil or "-": standard output). `rows` is how many
    /// rows the run will write and `fewerRows` the option that reduces them (for the size
    /// warning, which goes to `notice` before the run starts).
    public func open(_ path: String?, blocks: [ColumnBlock], rows: Int, fewerRows: Setting,
                     notice: (String) -> Void) throws -> TrajectorySink {
        switch TrajectoryFormat.resolve(format, path: path) {
        case .hdf5:
            guard let path, path != "-" else {
                throw LinflowError.usage("\(Setting.format) hdf5 needs \(Setting.output) FILE: HDF5 cannot be written to standard output")
            }
            return try HDF5TrajectorySink(path: path, blocks: blocks)
        case .csv:
            let bytes = Double(rows) * Double(blocks.valueCount) * Self.bytesPerValue
            if bytes > Self.warningBytes {
                // The last layer's block is the one most often worth keeping (it is small when
                // the outputs are few).
                let lastWeights = blocks.last { $0.name.hasPrefix("W") && $0.shape.count == 2 }?.name
                let alternatives = ["write HDF5 instead (\(Setting.output) run.h5: 8 bytes a value, read back by row or column)"]
                    + (lastWeights.map { ["leave weights out (\(Setting.weightBlocks) none, or \(Setting.weightBlocks) \($0))"] } ?? [])
                    + ["write fewer rows (\(fewerRows))"]
                notice("linflow: warning: the CSV will be about \(Self.size(bytes)) (\(rows) rows of \(blocks.valueCount) values); \(alternatives.joined(separator: ", or "))")
            }
            return try CSVTrajectorySink(path: path, blocks: blocks)
        }
    }

    static func size(_ bytes: Double) -> String {
        bytes >= 1e9 ? String(format: "%.1f GB", bytes / 1e9) : String(format: "%.0f MB", bytes / 1e6)
    }
}

extension RunRecord {
    /// The record with how the trajectory was stored: `"output": {"format", "blocks"}`.
    func describing(format: TrajectoryFormat, blocks: [ColumnBlock]) -> RunRecord {
        var r = self
        r.entries["output"] = ["format": format.rawValue, "blocks": blocks.map(\.name)]
        return r
    }
}

/// A trajectory as CSV: the header of the blocks' column names, then one line per row.
public final class CSVTrajectorySink: TrajectorySink {
    private let file: OutputFile
    private let blocks: [ColumnBlock]
    private var closed = false

    public init(path: String?, blocks: [ColumnBlock]) throws {
        file = try OutputFile(path: path)
        self.blocks = blocks
        try file.write(blocks.columnNames.joined(separator: ",") + "\n")
    }

    public var path: String? { file.path }

    public func write(row: [Double]) throws { try file.writeLine(row) }

    public func commit(record: RunRecord) throws {
        closed = true
        try file.commit()
        try record.describing(format: .csv, blocks: blocks).write(beside: file.path)
    }

    public func keepPartial(record: RunRecord) -> String? {
        guard !closed else { return nil }
        closed = true
        guard let partial = file.keepPartial() else { return nil }
        try? record.describing(format: .csv, blocks: blocks).write(beside: partial)
        return partial
    }

    public func discard() {
        guard !closed else { return }
        closed = true
        file.discard()
    }
}
