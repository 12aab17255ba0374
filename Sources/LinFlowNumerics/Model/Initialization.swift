import Foundation

/// How the weights at t = 0 are chosen: `--init random|orthogonal|balanced|aligned|lambda-balanced|FILE`, with
/// `--init-scale` σ as each kind's scale parameter and `--seed` seeding GSL's MT19937 for every
/// random draw. Every kind but `random` starts with all biases at zero.
public enum Initialization: Sendable, Equatable {
    /// `random`: every entry, biases included, i.i.d. N(0, σ²) — standard deviation σ — drawn
    /// in the flat order W21 (row-major), [b21,] W32, ….
    case gaussian(seed: UInt64, scale: Double)
    /// `orthogonal`: W_l = σ Q_l with Q_l a random (Haar) n_l × n_{l−1} matrix with orthonormal
    /// columns, or rows when it is wide: every singular value of every layer is σ.
    case orthogonal(seed: UInt64, scale: Double)
    /// `balanced`: W_l = R_l D R_{l−1}ᵀ with random orthonormal frames R_l (n_l × k, k = min_l n_l,
    /// drawn R_0, …, R_L) and one D for every layer: the singular values of a k × k matrix of
    /// N(0, σ²) entries (drawn first). Then W_{l+1}ᵀW_{l+1} = R_l D² R_lᵀ = W_l W_lᵀ: zero-balanced.
    case balanced(seed: UInt64, scale: Double)
    /// `aligned`: Saxe et al.'s decoupled start along the data's Σ31 = U S Vᵀ. With a0 = σ and
    /// random orthonormal frames R_l (n_l × k, drawn R_1, …, R_{L−1}), W_1 = a0^{1/L} R_1 V_kᵀ,
    /// W_l = a0^{1/L} R_l R_{l−1}ᵀ, W_L = a0^{1/L} U_k R_{L−1}ᵀ — for two layers W21 = √a0 R Vᵀ,
    /// W32 = U √a0 Rᵀ. It is balanced, and the end-to-end map starts at a0 U_k V_kᵀ: each of the
    /// top k = min(n0, nL, hidden widths) modes at strength a0. σ is thus a0, not a per-entry scale.
    case aligned(seed: UInt64, scale: Double)
    /// `lambda-balanced` (two layers): W32ᵀW32 − W21W21ᵀ = λI, σ the per-entry standard deviation
    /// of the free layer (``LambdaBalancedStart``).
    case lambdaBalanced(seed: UInt64, scale: Double, lambda: Double)
    /// The last row of a trajectory-layout CSV, so a run can resume where another stopped.
    case file(path: String)

    /// The kinds `--init` names; any other value is read as a file.
    public static let kinds = ["random", "orthogonal", "balanced", "aligned", "lambda-balanced"]

    /// Reads an `--init` value: a value that names an existing file, contains '/' or ends in
    /// .csv is a file; otherwise it must be one of ``kinds``. `lambda` (`--lambda`) belongs to
    /// `lambda-balanced` alone: it is required there and refused with any other value.
    public init(argument text: String, seed: UInt64, scale: Double, lambda: Double? = nil) throws {
        let isFile = FileManager.default.fileExists(atPath: text) || text.contains("/") || text.hasSuffix(".csv")
        if !isFile && text == "lambda-balanced" {
            guard let lambda else { throw LinflowError.usage("\(Setting.start) lambda-balanced needs \(Setting.lambda) λ (W32ᵀW32 − W21W21ᵀ = λI)") }
            try LambdaBalancedStart.check(lambda: lambda)
            self = .lambdaBalanced(seed: seed, scale: scale, lambda: lambda)
            return
        }
        if lambda != nil { throw LinflowError.usage("\(Setting.lambda) applies only to \(Setting.start) lambda-balanced") }
        if isFile {
            self = .file(path: text)
            return
        }
        switch text {
        case "random": self = .gaussian(seed: seed, scale: scale)
        case "orthogonal": self = .orthogonal(seed: seed, scale: scale)
        case "balanced": self = .balanced(seed: seed, scale: scale)
        case "aligned": self = .aligned(seed: seed, scale: scale)
        default:
            throw LinflowError.usage("\(Setting.start) must be \(Self.kinds.joined(separator: ", ")) or a trajectory CSV file, got '\(text)'")
        }
    }

    /// The weights for `architecture`. `correlations` (of the data) are needed by `aligned` only;
    /// `readFile` reads a `.file` start (this layer reads no files: LinFlowIO passes its reader).
    public func weights(for architecture: Architecture, correlations: Correlations? = nil,
                        readFile: (String) throws -> Weights) throws -> Weights {
        switch self {
        case .gaussian(_, let scale), .orthogonal(_, let scale), .balanced(_, let scale), .aligned(_, let scale),
             .lambdaBalanced(_, let scale, _):
            guard scale >= 0, scale.isFinite else {
                throw LinflowError.usage("\(Setting.initialScale) must be a finite number >= 0, got \(scale)")
            }
        case .file: break
        }
        let sizes = architecture.sizes, depth = architecture.depth
        switch self {
        case .gaussian(let seed, let scale):
            let g = GaussianSource(seed: seed)
            let flat = (0..<architecture.parameterCount).map { _ in g.next(standardDeviation: scale) }
            return Weights(architecture: architecture, flat: flat)
        case .orthogonal(let seed, let scale):
            let g = GaussianSource(seed: seed)
            let layers = (1...depth).map { l in
                let (rows, cols) = (sizes[l], sizes[l - 1])
                let q = rows >= cols ? g.orthonormalColumns(rows, cols) : g.orthonormalColumns(cols, rows).transposed
                return scale * q
            }
            return Weights(architecture: architecture, layers: layers)
        case .balanced(let seed, let scale):
            let g = GaussianSource(seed: seed)
            let k = sizes.min()!
            let d = try SingularValueDecomposition(Matrix(rows: k, cols: k, storage: (0..<(k * k)).map { _ in
                g.next(standardDeviation: scale)
            })).values
            let frames = sizes.map { g.orthonormalColumns($0, k) }
            return Weights(architecture: architecture, layers: balancedChain(frames: frames, values: d))
        case .aligned(let seed, let scale):
            guard let correlations else {
                throw LinflowError.usage("\(Setting.start) aligned needs the data's Σ31 to align with")
            }
            return try AlignedStart.weights(for: architecture, sigma31: correlations.sigma31,
                                            strength: scale, source: GaussianSource(seed: seed))
        case .lambdaBalanced(let seed, let scale, let lambda):
            return try LambdaBalancedStart.weights(for: architecture, lambda: lambda, scale: scale,
                                                   source: GaussianSource(seed: seed))
        case .file(let path):
            let w = try readFile(path)
            guard w.architecture == architecture else {
                throw LinflowError.data("\(path): its weights form a \(w.architecture.description) network, but this run is \(architecture.description)")
            }
            return w
        }
    }
}

/// W_l = R_l diag(d) R_{l−1}ᵀ for frames R_0, …, R_L with orthonormal columns: a chain whose
/// layers share the singular values d and whose adjacent singular vectors coincide, so that
/// W_{l+1}ᵀW_{l+1} = R_l diag(d²) R_lᵀ = W_l W_lᵀ.
func balancedChain(frames: [Matrix], values d: [Double]) -> [Matrix] {
    let D = Matrix.diagonal(d)
    return (1..<frames.count).map { l in frames[l] * D * frames[l - 1].transposed }
}
