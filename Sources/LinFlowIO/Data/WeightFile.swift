import Crypto
import Foundation
import LinFlowNumerics

/// Where a run resumes: the last row of a trajectory written by linflow (`--init FILE`).
public struct ResumePoint: Sendable {
    public let path: String
    /// θ of the last row.
    public let weights: Weights
    /// Its `t`: the resumed run's rows continue on this time axis.
    public let time: Double
    /// The row before it (θ and t), if any: heavy-ball momentum resumes exactly when it is the
    /// step right before the last.
    public let previous: (weights: Weights, time: Double)?
    /// 1-based number of the data row used (the header is not counted).
    public let row: Int
    /// Size and SHA-256 of the file, for the run record.
    public let identity: FileIdentity
}

/// Reads weights from a trajectory written by linflow: a CSV in the ``TrajectoryLayout``, or an
/// HDF5 file (``HDF5TrajectorySink``, read by ``HDF5WeightFile``).
public enum WeightFile {
    /// The architecture implied by the W (and b) columns of the header; reads only the header.
    public static func architecture(path: String) throws -> Architecture {
        if HDF5.isHDF5(path: path) { return try HDF5WeightFile.architecture(of: HDF5Trajectory(path: path)) }
        return try Columns(NumericCSVReader(path: path), path: path).architecture
    }

    /// The weights of the last row (and of the row before it), read in one pass that also
    /// takes the file's checksum.
    public static func resumePoint(path: String) throws -> ResumePoint {
        if HDF5.isHDF5(path: path) { return try HDF5WeightFile.resumePoint(path: path) }
        var hasher = SHA256()
        let reader = try NumericCSVReader(path: path) { hasher.update(bufferPointer: $0) }
        let columns = try Columns(reader, path: path)
        guard let tColumn = columns.header.firstIndex(of: "t") else {
            throw LinflowError.data("\(path): has no t column; \(Setting.start) needs a trajectory written by linflow (t,loss,W21_1_1,…)")
        }
        var last = [Double](), previous = [Double](), rows = 0
        try reader.forEachRow {
            swap(&last, &previous)
            last.removeAll(keepingCapacity: true)
            last.append(contentsOf: $0)
            rows += 1
        }
        guard rows > 0 else { throw LinflowError.data("\(path): no data rows after the header") }
        let time = last[tColumn]
        guard time.isFinite else { throw LinflowError.data("\(path): the t of its last row is \(time)") }
        let identity = FileIdentity(path: path, bytes: reader.byteCount,
                                    sha256: hex(hasher.finalize()))
        return ResumePoint(
            path: path, weights: columns.weights(from: last), time: time,
            previous: rows > 1 ? (columns.weights(from: previous), previous[tColumn]) : nil,
            row: rows, identity: identity)
    }

    /// Calls `body` with the `t` value (nil without a t column) and the weights of every row.
    public static func forEachRow(path: String, _ body: (Double?, Weights) throws -> Void) throws {
        let reader = try NumericCSVReader(path: path)
        let columns = try Columns(reader, path: path)
        let time = columns.header.firstIndex(of: "t")
        try reader.forEachRow { row in try body(time.map { row[$0] }, columns.weights(from: Array(row))) }
    }

    /// Where each weight and bias sits in a trajectory header, and the network they form.
    private struct Columns {
        let header: [String]
        /// Layer names (W21, W32, …) in header order.
        var order: [String] = []
        var shape: [String: (rows: Int, cols: Int)] = [:]
        var columnOf: [String: [Int]] = [:]
        /// Bias name (b21) → (row → column index).
        var biasColumns: [String: [Int: Int]] = [:]
        var architecture: Architecture

        /// The weights in one row, each value placed by its (r, c) name, whatever order the
        /// columns are in.
        func weights(from row: [Double]) -> Weights {
            var flat: [Double] = []
            flat.reserveCapacity(architecture.parameterCount)
            for (l, layer) in order.enumerated() {
                let s = shape[layer]!
                var m = [Double](repeating: 0, count: s.rows * s.cols)
                for i in columnOf[layer]! {
                    let parts = header[i].split(separator: "_")
                    m[(Int(parts[1])! - 1) * s.cols + Int(parts[2])! - 1] = row[i]
                }
                flat += m
                if let b = biasColumns[architecture.biasName(ofLayer: l + 1)], architecture.bias {
                    flat += (1...s.rows).map { row[b[$0]!] }
                }
            }
            return Weights(architecture: architecture, flat: flat)
        }

        init(_ reader: NumericCSVReader, path: String) throws {
            guard let header = reader.header else {
                throw LinflowError.data("\(path): has no header; \(Setting.start) needs the header written by linflow (t,loss,W21_1_1,…)")
            }
            self.header = header
            for (i, name) in header.enumerated() where name.hasPrefix("b") {
                let parts = name.split(separator: "_")
                guard parts.count == 2, let r = Int(parts[1]), r >= 1 else { continue }
                biasColumns[String(parts[0]), default: [:]][r] = i
            }
            for (i, name) in header.enumerated() where name.hasPrefix("W") {
                let parts = name.split(separator: "_")
                guard parts.count == 3, let r = Int(parts[1]), let c = Int(parts[2]), r >= 1, c >= 1 else { continue }
                let layer = String(parts[0])
                if shape[layer] == nil { order.append(layer); shape[layer] = (0, 0); columnOf[layer] = [] }
                shape[layer] = (max(shape[layer]!.rows, r), max(shape[layer]!.cols, c))
                columnOf[layer]!.append(i)
            }
            guard !order.isEmpty else {
                throw LinflowError.data("\(path): no weight columns (W21_1_1, …) in the header")
            }
            var sizes = [shape[order[0]]!.cols]
            for (l, layer) in order.enumerated() {
                let s = shape[layer]!
                guard s.cols == sizes[l], columnOf[layer]!.count == s.rows * s.cols else {
                    throw LinflowError.data("\(path): the weight columns of \(layer) do not form a matrix that chains with the layer before it")
                }
                sizes.append(s.rows)
            }
            architecture = try Architecture(sizes: sizes, bias: !biasColumns.isEmpty)
            for l in 1...architecture.depth where order[l - 1] != architecture.name(ofLayer: l) {
                throw LinflowError.data("\(path): expected layer \(architecture.name(ofLayer: l)) in position \(l), found \(order[l - 1])")
            }
            for l in 1...architecture.depth where architecture.bias {
                let name = architecture.biasName(ofLayer: l)
                guard let rows = biasColumns[name], rows.count == sizes[l], rows.keys.max() == sizes[l] else {
                    throw LinflowError.data("\(path): has bias columns, but not \(name)_1 … \(name)_\(sizes[l])")
                }
            }
        }
    }
}
