/// The layer sizes of a deep linear chain x ↦ W_L ⋯ W_2 W_1 x.
///
/// `sizes = [n0, n1, …, nL]`: n0 inputs, nL outputs, L = depth weight matrices. Layer l
/// (1-based) maps R^{n_{l−1}} → R^{n_l}, so W_l is n_l × n_{l−1}. The paper's two-layer
/// names follow: W_1 = W21 (hidden × input), W_2 = W32 (output × hidden).
public struct Architecture: Equatable, Sendable {
    public let sizes: [Int]

    public init(sizes: [Int]) throws {
        guard sizes.count >= 2 else {
            throw LinflowError.usage("a network needs at least an input and an output size, got \(sizes.count) size(s)")
        }
        if let bad = sizes.first(where: { $0 <= 0 }) {
            throw LinflowError.usage("layer sizes must be positive, got \(bad)")
        }
        self.sizes = sizes
    }

    /// Two-layer network n0 → hidden → nOut.
    public init(inputs: Int, hidden: Int, outputs: Int) throws {
        try self.init(sizes: [inputs, hidden, outputs])
    }

    public var depth: Int { sizes.count - 1 }
    public var inputs: Int { sizes[0] }
    public var outputs: Int { sizes[depth] }

    /// Shape (rows, cols) of W_l, l in 1...depth.
    public func shape(ofLayer l: Int) -> (rows: Int, cols: Int) { (sizes[l], sizes[l - 1]) }

    /// Offset of W_l in the flat parameter vector (W_1 first, each row-major).
    public func offset(ofLayer l: Int) -> Int {
        var o = 0
        for k in 1..<l { o += sizes[k] * sizes[k - 1] }
        return o
    }

    public var parameterCount: Int { (1...depth).reduce(0) { $0 + sizes[$1] * sizes[$1 - 1] } }

    /// The paper's name of W_l: W21, W32, …; from W10 on the two indices are separated by a
    /// dot (W10.9) so that names stay unambiguous.
    public func name(ofLayer l: Int) -> String {
        l + 1 <= 9 ? "W\(l + 1)\(l)" : "W\(l + 1).\(l)"
    }

    public var description: String { sizes.map(String.init).joined(separator: "-") }
}

/// The weights of every layer, flattened in the order of ``Architecture/offset(ofLayer:)``.
public struct Weights: Equatable, Sendable {
    public let architecture: Architecture
    public var flat: [Double]

    public init(architecture: Architecture, flat: [Double]) {
        precondition(flat.count == architecture.parameterCount)
        self.architecture = architecture
        self.flat = flat
    }

    public init(architecture: Architecture, layers: [Matrix]) {
        precondition(layers.count == architecture.depth)
        for (i, m) in layers.enumerated() {
            let s = architecture.shape(ofLayer: i + 1)
            precondition(m.rows == s.rows && m.cols == s.cols, "layer \(i + 1) has the wrong shape")
        }
        self.init(architecture: architecture, flat: layers.flatMap { $0.storage })
    }

    /// W_l as a matrix, l in 1...depth.
    public func layer(_ l: Int) -> Matrix {
        let s = architecture.shape(ofLayer: l)
        let o = architecture.offset(ofLayer: l)
        return Matrix(rows: s.rows, cols: s.cols, storage: Array(flat[o..<(o + s.rows * s.cols)]))
    }

    public var layers: [Matrix] { (1...architecture.depth).map(layer) }

    /// The end-to-end map W = W_L ⋯ W_1 (n_L × n_0).
    public var endToEnd: Matrix {
        var p = layer(1)
        for l in 2...max(2, architecture.depth) where l <= architecture.depth { p = layer(l) * p }
        return p
    }

    /// max over adjacent pairs of ‖W_{l+1}ᵀW_{l+1} − W_l W_lᵀ‖_F. Gradient flow conserves each
    /// W_{l+1}ᵀW_{l+1} − W_l W_lᵀ exactly, so a change in this value measures integration error.
    public var imbalance: Double {
        var worst = 0.0
        for l in 1..<architecture.depth {
            let a = layer(l + 1), b = layer(l)
            let d = a.transposed * a - b * b.transposed
            worst = max(worst, d.frobeniusNorm)
        }
        return worst
    }
}
