import LinFlowNumerics
/// `--init run.h5`: the weights of the last row of an HDF5 trajectory. The network is read from
/// the datasets' shapes: W21 (rows×n1×n0), W32 (rows×n2×n1), …, chained from the input side, with
/// biases if b21, b32, … are present.
enum HDF5WeightFile {
    static func architecture(of table: HDF5Trajectory) throws -> Architecture {
        let path = table.path
        var layers: [Int: (rows: Int, cols: Int)] = [:]
        for block in table.blocks where block.name.hasPrefix("W") {
            guard let l = Architecture.layer(named: Substring(block.name)) else {
                throw LinflowError.data("\(path): the dataset \(block.name) is not a weight of a linflow trajectory (W21, W32, …)")
            }
            guard block.shape.count == 2 else {
                throw LinflowError.data("\(path): the dataset \(block.name) is not a matrix per row")
            }
            layers[l] = (block.shape[0], block.shape[1])
        }
        guard !layers.isEmpty else {
            throw LinflowError.data("\(path): no dataset W21; \(Setting.start) needs a trajectory written with every weight block (\(Setting.weightBlocks) all)")
        }
        let sizes = try WeightChain.sizes(layers, path: path)
        let names = Set(table.blocks.map(\.name))
        let hasBias = names.contains(where: { $0.hasPrefix("b") })
        let a = try Architecture(sizes: sizes, bias: hasBias)
        for k in 1...a.depth where hasBias {
            let b = a.biasName(ofLayer: k)
            guard let block = table.blocks.first(where: { $0.name == b }), block.shape == [sizes[k]] else {
                throw LinflowError.data("\(path): has bias datasets, but not \(b) of \(sizes[k]) values per row")
            }
        }
        return a
    }

    /// The weights of row `row` (0-based).
    static func weights(_ table: HDF5Trajectory, _ a: Architecture, row: Int) throws -> Weights {
        var flat: [Double] = []
        flat.reserveCapacity(a.parameterCount)
        var values: [Double] = []
        for l in 1...a.depth {
            for name in [a.name(ofLayer: l)] + (a.bias ? [a.biasName(ofLayer: l)] : []) {
                try table.read(block: table.blocks.firstIndex { $0.name == name }!, row: row, into: &values)
                flat += values
            }
        }
        return Weights(architecture: a, flat: flat)
    }

    /// The last row (and the one before it) and the file's size and SHA-256, as
    /// ``WeightFile/resumePoint(path:)`` gives them for a CSV.
    static func resumePoint(path: String) throws -> ResumePoint {
        let table = try HDF5Trajectory(path: path)
        let a = try architecture(of: table)
        guard table.rows > 0 else { throw LinflowError.data("\(path): no rows") }
        guard let tBlock = table.blocks.firstIndex(where: { $0.name == "t" && $0.shape.isEmpty }) else {
            throw LinflowError.data("\(path): has no dataset t; \(Setting.start) needs a trajectory written by linflow")
        }
        func time(_ row: Int) throws -> Double {
            var v: [Double] = []
            try table.read(block: tBlock, row: row, into: &v)
            return v[0]
        }
        let last = table.rows - 1, t = try time(last)
        guard t.isFinite else { throw LinflowError.data("\(path): the t of its last row is \(t)") }
        guard let identity = FileIdentity(readingFile: path) else { throw LinflowError.noInput("\(path): cannot be read") }
        return ResumePoint(
            path: path, weights: try weights(table, a, row: last), time: t,
            previous: last > 0 ? (try weights(table, a, row: last - 1), try time(last - 1)) : nil,
            row: table.rows, identity: identity)
    }
}

#if canImport(Glibc)
import Glibc
#endif
