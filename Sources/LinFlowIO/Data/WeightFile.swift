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
        if HDF5.isHDF5(path: path) { return try HDF5.serialized { try HDF5WeightFile.architecture(of: HDF5Trajectory(path: path)) } }
        return try Columns(csvReader(path), path: path).architecture
    }

    /// The weights of the last row (and of the row before it), read in one pass that also
    /// takes the file's checksum.
    public static func resumePoint(path: String) throws -> ResumePoint {
        if HDF5.isHDF5(path: path) { return try HDF5.serialized { try HDF5WeightFile.resumePoint(path: path) } }
        var hasher = SHA256()
        let reader = try csvReader(path) { hasher.update(bufferPointer: $0) }
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
        let reader = try csvReader(path)
        let columns = try Columns(reader, path: path)
        let time = columns.header.firstIndex(of: "t")
        try reader.forEachRow { row in try body(time.map { row[$0] }, columns.weights(from: Array(row))) }
    }

    /// The reader of a CSV trajectory; a NumPy file is refused as what it is (not as CSV that
    /// would be read as .npy under another name: a start is never read from NumPy).
    private static func csvReader(_ path: String, onChunk: ((UnsafeRawBufferPointer) -> Void)? = nil) throws -> NumericCSVReader {
        if NumericCSVReader.numPyError(path: path) != nil {
            throw LinflowError.data("\(path): is a NumPy file, not a trajectory; \(Setting.start) reads the CSV or HDF5 trajectory of a linflow run")
        }
        return try NumericCSVReader(path: path, onChunk: onChunk)
    }

    /// Where each weight and bias sits in a trajectory header, and the network they form.
    private struct Columns {
        let header: [String]
        /// Layer names (W21, W32, …) from the input.
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
            var seen: [String: Int] = [:]
            var layers: [Int: (name: String, rows: Int, cols: Int, entries: Set<Int>, rowsSeen: Set<Int>)] = [:]
            var biases: [Int: [Int: Int]] = [:]
            for (i, name) in header.enumerated() where name.hasPrefix("W") || name.hasPrefix("b") {
                let parts = name.split(separator: "_", omittingEmptySubsequences: false)
                let indices = parts.dropFirst().map { Int($0) ?? 0 }
                let weight = name.hasPrefix("W")
                let layer = Architecture.layer(named: weight ? parts[0] : "W" + parts[0].dropFirst())
                guard let layer, indices.count == (weight ? 2 : 1), indices.allSatisfy({ $0 >= 1 }) else {
                    let form = weight ? "W21_r_c, W32_r_c, …" : "b21_r, b32_r, …"
                    throw LinflowError.data("\(path): column \(i + 1) is named '\(name)', which is not a \(weight ? "weight" : "bias") of a linflow trajectory (\(form), rows and columns from 1)")
                }
                if let j = seen[name] {
                    throw LinflowError.data("\(path): '\(name)' heads columns \(j + 1) and \(i + 1); \(Setting.start) needs each weight once")
                }
                seen[name] = i
                if weight {
                    var l = layers[layer] ?? (String(parts[0]), 0, 0, [], [])
                    l.rows = max(l.rows, indices[0]); l.cols = max(l.cols, indices[1])
                    l.entries.insert(indices[0] << 32 | indices[1]); l.rowsSeen.insert(indices[0])
                    layers[layer] = l
                    columnOf[String(parts[0]), default: []].append(i)
                } else {
                    biases[layer, default: [:]][indices[0]] = i
                }
            }
            guard !layers.isEmpty else {
                throw LinflowError.data("\(path): no weight columns (W21_1_1, …) in the header")
            }
            // Missing rows or entries: a matrix is named by its largest row and column.
            for l in layers.keys.sorted() {
                let m = layers[l]!
                guard m.entries.count < m.rows * m.cols else { continue }
                let missing = (1...m.rows).lazy.flatMap { r in (1...m.cols).lazy.map { [r, $0] } }.first { !m.entries.contains($0[0] << 32 | $0[1]) }!
                let absentRows = (1...m.rows).filter { !m.rowsSeen.contains($0) }
                let what = absentRows.isEmpty ? "\(m.entries.count) of its \(m.rows * m.cols) entries"
                    : "no column of row\(absentRows.count == 1 ? "" : "s") \(absentRows.map(String.init).joined(separator: ", "))"
                throw LinflowError.data("\(path): \(m.name) reaches row \(m.rows) and column \(m.cols) but has \(what) (\(m.name)_\(missing[0])_\(missing[1]) is missing); \(Setting.start) needs every weight of every layer")
            }
            let sizes = try WeightChain.sizes(layers.mapValues { ($0.rows, $0.cols) }, path: path)
            order = (1..<sizes.count).map(Architecture.layerName)
            for l in 1..<sizes.count { shape[Architecture.layerName(l)] = (sizes[l], sizes[l - 1]) }
            if let extra = biases.keys.sorted().first(where: { $0 >= sizes.count }) {
                throw LinflowError.data("\(path): has bias columns \("b" + Architecture.layerName(extra).dropFirst())_…, but no weights of that layer (the weights form a \(sizes.map(String.init).joined(separator: "-")) network)")
            }
            for (l, rows) in biases { biasColumns["b" + Architecture.layerName(l).dropFirst()] = rows }
            architecture = try Architecture(sizes: sizes, bias: !biasColumns.isEmpty)
            for l in 1...architecture.depth where architecture.bias {
                let name = architecture.biasName(ofLayer: l)
                guard let rows = biasColumns[name], rows.count == sizes[l], rows.keys.max() == sizes[l] else {
                    throw LinflowError.data("\(path): has bias columns, but not \(name)_1 … \(name)_\(sizes[l])")
                }
            }
        }
    }
}

/// The network a trajectory's weight blocks form, the same rules for CSV columns and HDF5
/// datasets: layers from W21 on without a gap, each taking as many inputs as the one before it
/// has outputs. Each mistake has its own line.
enum WeightChain {
    /// `layers`: layer index (1 for W21) → (rows, columns); the sizes n0, n1, …, nL.
    static func sizes(_ layers: [Int: (rows: Int, cols: Int)], path: String) throws -> [Int] {
        let every = "\(Setting.start) needs a trajectory with every weight block (written with \(Setting.weightBlocks) all)"
        guard let first = layers[1] else {
            let found = layers.keys.sorted().map(Architecture.layerName).joined(separator: ", ")
            throw LinflowError.data("\(path): has no W21, the first layer's weights (it has \(found)); \(every)")
        }
        var sizes = [first.cols, first.rows]
        let top = layers.keys.max()!
        for l in stride(from: 2, through: top, by: 1) {
            guard let m = layers[l] else {
                throw LinflowError.data("\(path): has \(Architecture.layerName(layers.keys.filter { $0 > l }.min()!)) but no \(Architecture.layerName(l)); \(every)")
            }
            let (name, before) = (Architecture.layerName(l), Architecture.layerName(l - 1))
            guard m.cols == sizes[l - 1] else {
                throw LinflowError.data("\(path): \(name) is \(m.rows)×\(m.cols) but \(before) is \(sizes[l - 1])×\(sizes[l - 2]): the \(m.cols) columns of \(name) must match the \(sizes[l - 1]) rows of \(before) (one per unit between them)")
            }
            sizes.append(m.rows)
        }
        return sizes
    }
}
