import Foundation
import LinFlowNumerics
import LinFlowIO
import LinFlowPlot

/// `--representations FILE`: the hidden representations of one-hot items and their
/// representational similarity matrix (Saxe, McClelland & Ganguli 2019) at every row of a
/// trajectory.
///
/// When every input is one-hot, input unit i is item i, x = e_i, and its representation in
/// hidden layer l is h_l(i) = W_l⋯W_1 e_i, column i of the partial product (biases, if any, are
/// added along the chain: h_l = W_l h_{l−1} + b_l). The RSM of layer l holds the Pearson
/// correlation across the n_l units of the representations of items i and j,
///
///     ρ_ij = (h_i − h̄_i 1)·(h_j − h̄_j 1) / (‖h_i − h̄_i 1‖ ‖h_j − h̄_j 1‖),
///
/// nan where an item's representation has zero variance (e.g. a one-unit layer or zero weights).
/// The file is tidy CSV, one value per line:
///
///     t,layer,kind,i,j,value
///
/// with kind `h` (i = item, j = unit: h_l(i)_j) or `rsm` (i, j items: ρ_ij), layer l = 1…L−1
/// (1 = the output of W21), items numbered in input-column order (1-based).
public enum Representations {
    /// The names of the items if every input of `source` is one-hot (each row's inputs 0 or 1,
    /// exactly one 1), else a usage error: representations of items need items.
    public static func items(of source: DataSource) throws -> [String] {
        let loaded = try source.correlations()
        let refusal = LinflowError.usage("\(Setting.representations) needs one-hot inputs (each sample one item, e.g. \(Setting.builtinDataset) hierarchy), and \(loaded.description) has other inputs")
        let inputs = loaded.correlations.inputs
        func isOneHot(_ x: UnsafeBufferPointer<Double>) -> Bool {
            var ones = 0
            for i in 0..<inputs {
                if x[i] == 1 { ones += 1 } else if x[i] != 0 { return false }
            }
            return ones == 1
        }
        switch source {
        case .builtin(let name):
            let rows = BuiltinDataset.named(name)!.rows
            guard rows.allSatisfy({ r in r.withUnsafeBufferPointer(isOneHot) }) else { throw refusal }
        case .file(let spec):
            // The selected inputs of each sample, wherever they sit in the file.
            var ok = true
            try spec.forEachSample { x, _ in ok = ok && isOneHot(UnsafeBufferPointer(start: x, count: inputs)) }
            guard ok else { throw refusal }
        }
        return loaded.inputNames
    }

    /// h_l(i) for every hidden layer l = 1…L−1: an n_l × n0 matrix whose column i is item i's.
    public static func hidden(_ w: Weights) -> [Matrix] {
        let a = w.architecture
        var h = Matrix.identity(a.inputs), layers: [Matrix] = []
        for l in 1..<a.depth {
            h = w.layer(l) * h
            if a.bias {
                let b = w.bias(l)
                for r in 0..<h.rows { for c in 0..<h.cols { h[r, c] += b[r] } }
            }
            layers.append(h)
        }
        return layers
    }

    /// The Pearson correlations between the columns of `h` (items × items).
    public static func similarity(_ h: Matrix) -> Matrix {
        let n = h.rows, items = h.cols
        var centred = h
        for c in 0..<items {
            let mean = (0..<n).reduce(0.0) { $0 + h[$1, c] } / Double(n)
            for r in 0..<n { centred[r, c] -= mean }
        }
        let norms = (0..<items).map { c in (0..<n).reduce(0.0) { $0 + centred[$1, c] * centred[$1, c] }.squareRoot() }
        var rho = Matrix(rows: items, cols: items)
        for i in 0..<items {
            for j in 0..<items {
                let dot = (0..<n).reduce(0.0) { $0 + centred[$1, i] * centred[$1, j] }
                rho[i, j] = norms[i] > 0 && norms[j] > 0 ? dot / (norms[i] * norms[j]) : .nan
            }
        }
        return rho
    }

    /// Writes the representations at every row of the trajectory CSV `trajectory` to `output`
    /// (atomically); refuses a network without a hidden layer.
    public static func write(trajectory: String, to output: String) throws {
        let architecture = try WeightFile.architecture(path: trajectory)
        guard architecture.depth >= 2 else {
            throw LinflowError.usage("\(Setting.representations) needs a hidden layer; a \(architecture.description) network has none")
        }
        let out = try OutputFile(path: output)
        do {
            try out.write("t,layer,kind,i,j,value\n")
            try WeightFile.forEachRow(path: trajectory) { t, w in
                let time = t.map { "\($0)" } ?? ""
                var text = ""
                for (l, h) in hidden(w).enumerated() {
                    for i in 0..<h.cols { for u in 0..<h.rows { text += "\(time),\(l + 1),h,\(i + 1),\(u + 1),\(h[u, i])\n" } }
                    let rho = similarity(h)
                    for i in 0..<rho.rows { for j in 0..<rho.cols { text += "\(time),\(l + 1),rsm,\(i + 1),\(j + 1),\(rho[i, j])\n" } }
                }
                try out.write(text)
            }
            try out.commit()
        } catch {
            out.discard()
            throw error
        }
    }
}
