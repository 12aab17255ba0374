#if canImport(Glibc)
import Glibc
#endif

/// The layer sizes of a deep linear chain x ↦ W_L ⋯ W_2 W_1 x, optionally with biases.
///
/// `sizes = [n0, n1, …, nL]`: n0 inputs, nL outputs, L = depth weight matrices. Layer l
/// (1-based) maps R^{n_{l−1}} → R^{n_l}, so W_l is n_l × n_{l−1}. The paper's two-layer
/// names follow: W_1 = W21 (hidden × input), W_2 = W32 (output × hidden).
///
/// With `bias`, layer l computes W_l h + b_l (ŷ = W32(W21x + b21) + b32 for two layers). Such an
/// affine chain is the linear chain W̃_L ⋯ W̃_1 acting on x̃ = [x; 1], with
///
///     W̃_l = [W_l b_l; 0ᵀ 1]  (l < L, one clamped constant unit per hidden layer),   W̃_L = [W_L b_L],
///
/// whose sizes are ``chainSizes``. ``GradientFlow`` integrates that chain.
public struct Architecture: Equatable, Sendable {
    public let sizes: [Int]
    /// Whether every layer carries a bias vector b_l (n_l entries).
    public let bias: Bool

    public init(sizes: [Int], bias: Bool = false) throws {
        guard sizes.count >= 2 else {
            throw LinflowError.usage("a network needs at least an input and an output size, got \(sizes.count) size(s)")
        }
        if let bad = sizes.first(where: { $0 <= 0 }) {
            throw LinflowError.usage("layer sizes must be positive, got \(bad)")
        }
        // Every count the flow's buffers take (weights, and the n_l × n0 prefix products)
        // must be an Int, with room for the few dozen copies the integrator keeps.
        var total = 0
        for l in 1..<sizes.count {
            let (w, o1) = sizes[l].multipliedReportingOverflow(by: sizes[l - 1])
            let (p, o2) = sizes[l].multipliedReportingOverflow(by: sizes[0])
            let (t, o3) = total.addingReportingOverflow(w &+ (bias ? sizes[l] : 0))
            guard !o1, !o2, !o3, w <= Self.largestCount, p <= Self.largestCount, t <= Self.largestCount else {
                throw LinflowError.usage("a \(sizes.map(String.init).joined(separator: "-")) network has more weights than any machine could hold (more than \(Self.largestCount))")
            }
            total = t
        }
        self.sizes = sizes
        self.bias = bias
    }

    /// The most numbers one buffer may hold: 2⁴⁰ doubles (8 TB), far beyond any memory, so that
    /// sums and products of a few such counts stay Ints.
    public static let largestCount = 1 << 40

    /// Bytes the flow and its integrator hold for this network: about 20 copies of the weights
    /// (state, stages, error, scratch, gradient), the prefixes and back-propagated errors
    /// (2 Σ n_l n0), and Σ11 (n0²), in doubles. An estimate for refusing what cannot fit, not
    /// an accounting.
    public var memoryEstimate: Double {
        let prefixes = (1...depth).reduce(0.0) { $0 + Double(sizes[$1]) * Double(sizes[0]) }
        return 8 * (20 * Double(parameterCount) + 2 * prefixes + Double(sizes[0]) * Double(sizes[0]))
    }

    /// Refuses a network whose ``memoryEstimate`` exceeds the machine's memory, before any
    /// buffer is allocated (the allocator would otherwise abort the process).
    public func checkFitsInMemory(_ available: Double = Self.physicalMemory) throws(LinflowError) {
        let need = memoryEstimate
        guard need <= available else {
            throw .usage("a \(description) network (\(parameterCount) weights) needs about \(Self.gigabytes(need)) of memory; this machine has \(Self.gigabytes(available))")
        }
    }

    /// The machine's physical memory in bytes.
    public static var physicalMemory: Double {
        Double(sysconf(Int32(_SC_PHYS_PAGES))) * Double(sysconf(Int32(_SC_PAGESIZE)))
    }

    static func gigabytes(_ bytes: Double) -> String { String(format: "%.3g GB", bytes / 1e9) }

    public var depth: Int { sizes.count - 1 }
    public var inputs: Int { sizes[0] }
    public var outputs: Int { sizes[depth] }

    /// Shape (rows, cols) of W_l, l in 1...depth.
    public func shape(ofLayer l: Int) -> (rows: Int, cols: Int) { (sizes[l], sizes[l - 1]) }

    /// Parameters of layer l: W_l, then b_l if there are biases.
    private func parameterCount(ofLayer l: Int) -> Int { sizes[l] * sizes[l - 1] + (bias ? sizes[l] : 0) }

    /// Offset of W_l in the flat parameter vector: layer by layer from the input side, each
    /// W_l row-major and followed by its bias b_l when there are biases (W21, b21, W32, b32, …).
    public func offset(ofLayer l: Int) -> Int {
        (1..<l).reduce(0) { $0 + parameterCount(ofLayer: $1) }
    }

    /// Offset of b_l in the flat parameter vector (right after W_l); only meaningful with biases.
    public func biasOffset(ofLayer l: Int) -> Int { offset(ofLayer: l) + sizes[l] * sizes[l - 1] }

    public var parameterCount: Int { (1...depth).reduce(0) { $0 + parameterCount(ofLayer: $1) } }

    /// The paper's name of W_l: W21, W32, …; from W10 on the two indices are separated by a
    /// dot (W10.9) so that names stay unambiguous.
    public func name(ofLayer l: Int) -> String { Self.layerName(l) }

    /// The name of layer l in any chain deep enough to have it: W21, W32, …, W98, W10.9, ….
    public static func layerName(_ l: Int) -> String {
        l + 1 <= 9 ? "W\(l + 1)\(l)" : "W\(l + 1).\(l)"
    }

    /// The layer a weight name stands for (W21 → 1, W10.9 → 9), nil for any other text.
    public static func layer(named name: Substring) -> Int? {
        guard name.hasPrefix("W") else { return nil }
        let rest = name.dropFirst()
        let l = rest.contains(".") ? rest.split(separator: ".").last.flatMap { Int($0) } : rest.last.flatMap { Int(String($0)) }
        guard let l, l >= 1, layerName(l) == name else { return nil }
        return l
    }

    /// The name of b_l: b21, b32, … (the weight name with b for W).
    public func biasName(ofLayer l: Int) -> String { "b" + name(ofLayer: l).dropFirst() }

    /// Sizes of the linear chain on x̃ = [x; 1] that the flow integrates: [n0+1, n1+1, …,
    /// n_{L−1}+1, nL] with biases (one constant unit per layer but the last), else ``sizes``.
    public var chainSizes: [Int] {
        bias ? sizes.enumerated().map { $0.offset < depth ? $0.element + 1 : $0.element } : sizes
    }

    public var description: String { sizes.map(String.init).joined(separator: "-") + (bias ? " affine" : "") }
}

/// The weights (and biases) of every layer, flattened in the order of ``Architecture/offset(ofLayer:)``.
public struct Weights: Equatable, Sendable {
    public let architecture: Architecture
    public var flat: [Double]

    public init(architecture: Architecture, flat: [Double]) {
        precondition(flat.count == architecture.parameterCount)
        self.architecture = architecture
        self.flat = flat
    }

    /// From the matrices W_1…W_L and, for an affine architecture, the biases b_1…b_L (zero if nil).
    public init(architecture: Architecture, layers: [Matrix], biases: [[Double]]? = nil) {
        precondition(layers.count == architecture.depth)
        var flat: [Double] = []
        flat.reserveCapacity(architecture.parameterCount)
        for (i, m) in layers.enumerated() {
            let s = architecture.shape(ofLayer: i + 1)
            precondition(m.rows == s.rows && m.cols == s.cols, "layer \(i + 1) has the wrong shape")
            flat += m.storage
            if architecture.bias {
                let b = biases?[i] ?? Array(repeating: 0, count: s.rows)
                precondition(b.count == s.rows, "bias \(i + 1) has the wrong length")
                flat += b
            }
        }
        self.init(architecture: architecture, flat: flat)
    }

    /// W_l as a matrix, l in 1...depth.
    public func layer(_ l: Int) -> Matrix {
        let s = architecture.shape(ofLayer: l)
        let o = architecture.offset(ofLayer: l)
        return Matrix(rows: s.rows, cols: s.cols, storage: Array(flat[o..<(o + s.rows * s.cols)]))
    }

    public var layers: [Matrix] { (1...architecture.depth).map(layer) }

    /// b_l, l in 1...depth; empty without biases.
    public func bias(_ l: Int) -> [Double] {
        guard architecture.bias else { return [] }
        let o = architecture.biasOffset(ofLayer: l)
        return Array(flat[o..<(o + architecture.sizes[l])])
    }

    /// The linear part of the end-to-end map, W = W_L ⋯ W_1 (n_L × n_0); biases do not enter it.
    public var endToEnd: Matrix {
        var p = layer(1)
        for l in 2...max(2, architecture.depth) where l <= architecture.depth { p = layer(l) * p }
        return p
    }

    /// W̃_l of the chain on x̃ = [x; 1] (see ``Architecture``); W_l itself without biases.
    /// `clamp` is the entry that keeps the constant unit: 1 for weights, 0 for a direction
    /// (a tangent vector does not move the constant).
    public func chainLayer(_ l: Int, clamp: Double = 1) -> Matrix {
        guard architecture.bias else { return layer(l) }
        let (rows, cols) = architecture.shape(ofLayer: l)
        let w = layer(l), b = bias(l)
        var m = Matrix(rows: l < architecture.depth ? rows + 1 : rows, cols: cols + 1)
        for r in 0..<rows {
            for c in 0..<cols { m[r, c] = w[r, c] }
            m[r, cols] = b[r]
        }
        if l < architecture.depth { m[rows, cols] = clamp }
        return m
    }

    /// The weights whose chain matrices are the top rows of `chain` (a clamped row is dropped).
    public init(architecture: Architecture, chainLayers chain: [Matrix]) {
        guard architecture.bias else { self.init(architecture: architecture, layers: chain); return }
        var layers: [Matrix] = [], biases: [[Double]] = []
        for (i, m) in chain.enumerated() {
            let (rows, cols) = architecture.shape(ofLayer: i + 1)
            layers.append(Matrix(rows: rows, cols: cols, storage: (0..<rows).flatMap { r in (0..<cols).map { m[r, $0] } }))
            biases.append((0..<rows).map { m[$0, cols] })
        }
        self.init(architecture: architecture, layers: layers, biases: biases)
    }

    /// The map the loss sees: ``endToEnd`` without biases; with biases the affine map
    /// [W b] = W̃_L ⋯ W̃_1 (n_L × (n_0+1)) acting on x̃ = [x; 1], so ŷ = W x + b.
    public var effectiveMap: Matrix {
        guard architecture.bias else { return endToEnd }
        var p = chainLayer(1)
        if architecture.depth >= 2 { for l in 2...architecture.depth { p = chainLayer(l) * p } }
        return p
    }

    /// max over adjacent pairs of ‖W_{l+1}ᵀW_{l+1} − W_l W_lᵀ − b_l b_lᵀ‖_F (no b term without
    /// biases). Gradient flow conserves each of these matrices exactly (they are the n_l × n_l
    /// blocks of W̃_{l+1}ᵀW̃_{l+1} − W̃_lW̃_lᵀ on the free units), so a change in this value
    /// measures integration error.
    public var imbalance: Double { imbalance(rates: nil) }

    /// max over adjacent pairs of ‖W̃_{l+1}ᵀW̃_{l+1}/r_{l+1} − W̃_lW̃_lᵀ/r_l‖_F on the free units: the
    /// quantity the flow with per-layer rates r_l conserves (``FlowTerms``); ``imbalance`` for nil.
    public func imbalance(rates: [Double]?) -> Double {
        var worst = 0.0
        for l in 1..<architecture.depth {
            let a = chainLayer(l + 1), b = chainLayer(l), n = architecture.sizes[l]
            let r1 = rates?[l - 1] ?? 1, r2 = rates?[l] ?? 1
            let d = (1 / r2) * (a.transposed * a) - (1 / r1) * (b * b.transposed)
            var block = Matrix(rows: n, cols: n)
            for r in 0..<n { for c in 0..<n { block[r, c] = d[r, c] } }
            worst = max(worst, block.frobeniusNorm)
        }
        return worst
    }
}

/// Between the flat parameter vector of an affine chain and its augmented matrices
/// W̃_l = [W_l b_l; 0ᵀ 1] (row-major, ``chainSizes``; the clamped last row only below the
/// output layer), for code that runs the linear-chain algebra on W̃ (``GradientFlow``,
/// ``HessianProduct``).
extension Architecture {
    /// Copies (W_l, b_l) from the flat vector `y` into the top rows of each `chain[l]`, l = 1…L.
    /// The clamped rows are left as they are (the caller sets them once).
    func gatherChain(_ y: UnsafePointer<Double>, into chain: [UnsafeMutablePointer<Double>]) {
        for l in 1...depth {
            let (rows, cols) = shape(ofLayer: l)
            let w = y + offset(ofLayer: l), b = w + rows * cols, m = chain[l]
            for r in 0..<rows {
                (m + r * (cols + 1)).update(from: w + r * cols, count: cols)
                m[r * (cols + 1) + cols] = b[r]
            }
        }
    }

    /// The inverse of ``gatherChain(_:into:)``: the top rows of each `chain[l]` into the flat
    /// vector, dropping the clamped rows.
    func scatterChain(_ chain: [UnsafeMutablePointer<Double>], into y: UnsafeMutablePointer<Double>) {
        for l in 1...depth {
            let (rows, cols) = shape(ofLayer: l)
            let w = y + offset(ofLayer: l), b = w + rows * cols, m = chain[l]
            for r in 0..<rows {
                (w + r * cols).update(from: m + r * (cols + 1), count: cols)
                b[r] = m[r * (cols + 1) + cols]
            }
        }
    }
}

