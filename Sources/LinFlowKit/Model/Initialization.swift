/// How the weights at t = 0 are chosen.
public enum Initialization: Sendable, Equatable {
    /// Every entry i.i.d. N(0, scale²) — standard deviation `scale`, variance scale² — drawn
    /// from GSL's MT19937 seeded with `seed`, in the flat order W21 (row-major), W32, ….
    case gaussian(seed: UInt64, scale: Double)
    /// The last row of a trajectory-layout CSV, so a run can resume where another stopped.
    case file(path: String)

    public func weights(for architecture: Architecture) throws -> Weights {
        switch self {
        case .gaussian(let seed, let scale):
            guard scale >= 0, scale.isFinite else {
                throw LinflowError.usage("--init-scale must be a finite number >= 0, got \(scale)")
            }
            let g = GaussianSource(seed: seed)
            let flat = (0..<architecture.parameterCount).map { _ in g.next(standardDeviation: scale) }
            return Weights(architecture: architecture, flat: flat)
        case .file(let path):
            let w = try WeightFile.lastRow(path: path)
            guard w.architecture == architecture else {
                throw LinflowError.data("\(path): its weights form a \(w.architecture.description) network, but this run is \(architecture.description)")
            }
            return w
        }
    }
}

/// Reads weights from a trajectory-layout CSV (see ``TrajectoryLayout``).
public enum WeightFile {
    /// The architecture implied by the W columns of the header, and the weights of the last row.
    public static func lastRow(path: String) throws -> Weights {
        let reader = try NumericCSVReader(path: path)
        guard let header = reader.header else {
            throw LinflowError.data("\(path): has no header; --init needs the header written by linflow (t,loss,W21_1_1,…)")
        }
        // Layer name → (column indices, rows, cols), in header order.
        var order: [String] = []
        var shape: [String: (rows: Int, cols: Int)] = [:]
        var columnOf: [String: [Int]] = [:]
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
        let architecture = try Architecture(sizes: sizes)
        for l in 1...architecture.depth where order[l - 1] != architecture.name(ofLayer: l) {
            throw LinflowError.data("\(path): expected layer \(architecture.name(ofLayer: l)) in position \(l), found \(order[l - 1])")
        }
        var last: [Double]?
        try reader.forEachRow { last = Array($0) }
        guard let row = last else { throw LinflowError.data("\(path): no data rows after the header") }
        var flat: [Double] = []
        flat.reserveCapacity(architecture.parameterCount)
        for layer in order {
            let s = shape[layer]!
            // Place each value by its (r, c) name, whatever order the columns are in.
            var m = [Double](repeating: 0, count: s.rows * s.cols)
            for i in columnOf[layer]! {
                let parts = header[i].split(separator: "_")
                m[(Int(parts[1])! - 1) * s.cols + Int(parts[2])! - 1] = row[i]
            }
            flat += m
        }
        return Weights(architecture: architecture, flat: flat)
    }
}
