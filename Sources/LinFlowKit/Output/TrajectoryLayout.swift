/// The CSV layout shared by `simulate`, `descend`, `analytic` and `--init FILE`:
///
///     t,loss,W21_1_1,…,W21_n1_n0,[b21_1,…,b21_n1,]W32_1_1,…[,sv_1,…,sv_r][,imbalance][,kernel_distance][,mode_1,…,mode_r]
///
/// Weight columns are 1-based and row-major (`W32_r_c` is row r, column c of W32), layer by
/// layer from the input side; with biases each layer's `bXY_r` columns follow its W columns,
/// in the order of the flat parameter vector. Optional diagnostic columns follow the weights;
/// `mode_α` (``ModeBasis``) come last.
public struct TrajectoryLayout: Sendable {
    public let architecture: Architecture
    public let diagnostics: Diagnostics
    /// When set, the columns mode_1…mode_r hold a_α = u_αᵀWv_α in this basis.
    public let modes: ModeBasis?
    /// When set, the column kernel_distance (``KernelDistance``) against its start.
    public let kernel: KernelDistance?

    public struct Diagnostics: OptionSet, Sendable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }
        /// Singular values of the end-to-end map, `sv_1 ≥ sv_2 ≥ …`.
        public static let singularValues = Diagnostics(rawValue: 1)
        /// max_l ‖W_{l+1}ᵀW_{l+1} − W_l W_lᵀ‖_F, conserved by the exact flow.
        public static let imbalance = Diagnostics(rawValue: 2)
        public static let all: Diagnostics = [.singularValues, .imbalance]

        /// `--diagnostics all|sv|none`.
        public init(argument: String) throws {
            switch argument {
            case "all": self = .all
            case "sv": self = .singularValues
            case "none": self = []
            default: throw LinflowError.usage("--diagnostics must be all, sv or none, got '\(argument)'")
            }
        }

        /// The `--diagnostics` value that gives these columns.
        public var argument: String {
            self == .all ? "all" : self == .singularValues ? "sv" : self.isEmpty ? "none" : "imbalance"
        }
    }

    /// With `kernel` (`--kernel-distance`), the column kernel_distance follows the diagnostics.
    public init(architecture: Architecture, diagnostics: Diagnostics, modes: ModeBasis? = nil, kernel: KernelDistance? = nil) {
        self.architecture = architecture
        self.diagnostics = diagnostics
        self.modes = modes
        self.kernel = kernel
    }

    /// The names of the flat parameter vector's entries, in its order.
    public var weightColumns: [String] {
        var names: [String] = []
        for l in 1...architecture.depth {
            let s = architecture.shape(ofLayer: l)
            let n = architecture.name(ofLayer: l)
            for r in 1...s.rows { for c in 1...s.cols { names.append("\(n)_\(r)_\(c)") } }
            if architecture.bias { names += (1...s.rows).map { "\(architecture.biasName(ofLayer: l))_\($0)" } }
        }
        return names
    }

    public var rank: Int { min(architecture.inputs, architecture.outputs) }

    public var columns: [String] {
        var names = ["t", "loss"] + weightColumns
        if diagnostics.contains(.singularValues) { names += (1...rank).map { "sv_\($0)" } }
        if diagnostics.contains(.imbalance) { names.append("imbalance") }
        if kernel != nil { names.append("kernel_distance") }
        if let modes { names += (0..<modes.values.count).map { "mode_\($0 + 1)" } }
        return names
    }

    public var headerLine: String { columns.joined(separator: ",") + "\n" }

    /// The imbalance of `weights` if this layout writes it, else nil (it costs products of
    /// every layer with itself).
    public func imbalance(of weights: Weights) -> Double? {
        diagnostics.contains(.imbalance) ? weights.imbalance : nil
    }

    /// One row, with `trailing` values after the layout's own columns (e.g. `descend`'s
    /// sharpness). Doubles are written in Swift's shortest form that reads back to the same bits.
    /// `imbalance`, if the caller has it already (``imbalance(of:)``), is not computed again.
    public func row(time: Double, loss: Double, weights: Weights, imbalance: Double? = nil,
                    trailing: [Double] = []) throws -> String {
        var r = CSVRow(capacity: 24 * (weights.flat.count + 8))
        r.append(time)
        r.append(loss)
        r.append(contentsOf: weights.flat)
        if diagnostics.contains(.singularValues) {
            r.append(contentsOf: try SingularValueDecomposition(weights.endToEnd).values)
        }
        if diagnostics.contains(.imbalance) { r.append(imbalance ?? weights.imbalance) }
        if let kernel { r.append(kernel.distance(at: weights)) }
        if let modes { r.append(contentsOf: modes.strengths(of: weights.endToEnd)) }
        r.append(contentsOf: trailing)
        return r.finishLine()
    }
}
