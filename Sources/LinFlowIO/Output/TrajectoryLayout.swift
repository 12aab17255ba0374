import LinFlowNumerics
/// The CSV layout shared by `simulate`, `descend`, `analytic` and `--init FILE`:
///
///     t,loss,excess_loss[,test_loss][,objective][,loss_task1,…][,test_loss_task1,…],W21_1_1,…,W21_n1_n0,[b21_1,…,b21_n1,]W32_1_1,…[,sv_1,…,sv_r][,imbalance][,kernel_distance][,mode_1,…,mode_r]
///
/// `loss` is L* + `excess_loss`, the excess L − L* ≥ 0 over the floor (``LeastSquares/loss(endToEnd:)``).
/// `test_loss` (with held-out data, ``testLoss``) is the same function of the end-to-end map on
/// the held-out samples' correlations.
/// With weight decay asked for (``objective``), `objective` is L + (γ/2)Σ_l‖W_l‖²_F (``FlowTerms/penalty(_:)``).
/// Weight columns are 1-based and row-major (`W32_r_c` is row r, column c of W32), layer by
/// layer from the input side; with biases each layer's `bXY_r` columns follow its W columns,
/// in the order of the flat parameter vector. Optional diagnostic columns follow the weights;
/// `mode_α` (``ModeBasis``) come last. ``weights`` (`--weights`) leaves weight blocks out.
///
/// The same row as HDF5 datasets (``blocks``): `t`, `loss`, `excess_loss`, `test_loss`, `W21` (n1×n0 per row), `b21`, …,
/// `sv` (r), `imbalance`, `mode` (r).
public struct TrajectoryLayout: Sendable {
    public let architecture: Architecture
    public let diagnostics: Diagnostics
    /// When set, the columns mode_1…mode_r hold a_α = u_αᵀWv_α in this basis.
    public let modes: ModeBasis?
    /// The weight and bias blocks written.
    public let weights: WeightSelection
    /// When set, the column kernel_distance (``KernelDistance``) against its start.
    public let kernel: KernelDistance?
    /// Whether the column test_loss follows excess_loss (a run with held-out data).
    public var testLoss = false
    /// The flow's weight decay and rates: the rates weigh the imbalance, γ the objective.
    public var terms = FlowTerms()
    /// Whether the column `objective` follows `excess_loss` (when weight decay was asked for, even γ = 0).
    public var objective = false
    /// With a sequence of tasks (≥ 2), the columns loss_task1…loss_taskK after `excess_loss`
    /// (and `objective`): the loss on each task's data; `loss` is that of the task being trained.
    public var taskCount = 0
    /// With test files for every task: the columns test_loss_task1…test_loss_taskK after loss_taskK.
    public var taskTestLosses = false

    public struct Diagnostics: OptionSet, Sendable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }
        /// Singular values of the end-to-end map, `sv_1 ≥ sv_2 ≥ …`.
        public static let singularValues = Diagnostics(rawValue: 1)
        /// max_l ‖W_{l+1}ᵀW_{l+1}/r_{l+1} − W_l W_lᵀ/r_l‖_F, conserved by the exact flow without
        /// weight decay (``Weights/imbalance(rates:)``).
        public static let imbalance = Diagnostics(rawValue: 2)
        public static let all: Diagnostics = [.singularValues, .imbalance]

        /// `--diagnostics all|sv|none`.
        public init(argument: String) throws {
            switch argument {
            case "all": self = .all
            case "sv": self = .singularValues
            case "none": self = []
            default: throw LinflowError.usage("\(Setting.diagnostics) must be all, sv or none, got '\(argument)'")
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
        weights = .all
        self.kernel = kernel
    }

    /// A layout with only the weight blocks `weights` names; refuses names the network lacks.
    /// `testLoss`: the column test_loss (a run with held-out data).
    public init(architecture: Architecture, diagnostics: Diagnostics, modes: ModeBasis? = nil,
                kernel: KernelDistance? = nil, weights: WeightSelection, testLoss: Bool = false) throws {
        try weights.check(for: architecture)
        self.architecture = architecture
        self.diagnostics = diagnostics
        self.modes = modes
        self.kernel = kernel
        self.weights = weights
        self.testLoss = testLoss
    }

    /// The weight and bias blocks of the flat parameter vector, in its order, with the offset
    /// of each; only those ``weights`` selects.
    var weightBlocks: [(block: ColumnBlock, offset: Int)] {
        var out: [(ColumnBlock, Int)] = []
        for l in 1...architecture.depth {
            let s = architecture.shape(ofLayer: l)
            let w = architecture.name(ofLayer: l)
            if weights.includes(w) { out.append((ColumnBlock(w, shape: [s.rows, s.cols]), architecture.offset(ofLayer: l))) }
            let b = architecture.biasName(ofLayer: l)
            if architecture.bias, weights.includes(b) {
                out.append((ColumnBlock(b, shape: [s.rows]), architecture.biasOffset(ofLayer: l)))
            }
        }
        return out
    }

    /// The row's quantities, in the order of ``columns``.
    public var blocks: [ColumnBlock] {
        var b = [ColumnBlock("t"), ColumnBlock("loss"), ColumnBlock("excess_loss")]
            + (testLoss ? [ColumnBlock("test_loss")] : [])
        if objective { b.append(ColumnBlock("objective")) }
        b += (0..<taskCount).map { ColumnBlock("loss_task\($0 + 1)") }
        if taskTestLosses { b += (0..<taskCount).map { ColumnBlock("test_loss_task\($0 + 1)") } }
        b += weightBlocks.map(\.block)
        if diagnostics.contains(.singularValues) { b.append(ColumnBlock("sv", shape: [rank])) }
        if diagnostics.contains(.imbalance) { b.append(ColumnBlock("imbalance")) }
        if kernel != nil { b.append(ColumnBlock("kernel_distance")) }
        if let modes { b.append(ColumnBlock("mode", shape: [modes.values.count])) }
        return b
    }

    public var rank: Int { min(architecture.inputs, architecture.outputs) }

    public var columns: [String] { blocks.columnNames }

    public var headerLine: String { columns.joined(separator: ",") + "\n" }

    /// The imbalance of `weights` if this layout writes it, else nil (it costs products of
    /// every layer with itself).
    public func imbalance(of weights: Weights) -> Double? {
        diagnostics.contains(.imbalance) ? weights.imbalance(rates: terms.layerRates) : nil
    }

    /// One row's values, in the order of ``blocks``, with `trailing` values after the layout's
    /// own (e.g. `descend`'s sharpness). `imbalance`, if the caller has it already
    /// (``imbalance(of:)``), is not computed again; `testLoss` is written when ``testLoss`` is set.
    public func values(time: Double, loss: Double, excess: Double, testLoss test: Double? = nil, weights w: Weights,
                       imbalance: Double? = nil, taskLosses: [Double] = [], trailing: [Double] = []) throws -> [Double] {
        precondition(testLoss == (test != nil), "a test loss goes with the test_loss column")
        precondition(taskLosses.count == taskCount * (taskTestLosses ? 2 : 1))
        var r: [Double] = [time, loss, excess] + (test.map { [$0] } ?? [])
        if objective { r.append(loss + terms.penalty(w)) }
        r += taskLosses
        if weights == .all {
            r.append(contentsOf: w.flat)
        } else {
            for (block, offset) in weightBlocks { r.append(contentsOf: w.flat[offset..<(offset + block.count)]) }
        }
        if diagnostics.contains(.singularValues) {
            // Values only (LAPACK's dgesdd without vectors): a row needs no U or V, and GSL's
            // Golub–Reinsch builds both, a twentieth of a small flow task's time.
            r.append(contentsOf: try singularValuesLAPACK(w.endToEnd))
        }
        if diagnostics.contains(.imbalance) { r.append(imbalance ?? w.imbalance(rates: terms.layerRates)) }
        if let kernel { r.append(kernel.distance(at: w)) }
        if let modes { r.append(contentsOf: modes.strengths(of: w.endToEnd)) }
        r.append(contentsOf: trailing)
        return r
    }

    /// One CSV row of ``values(time:loss:excess:weights:imbalance:trailing:)``. Doubles are written in
    /// Swift's shortest form that reads back to the same bits.
    public func row(time: Double, loss: Double, excess: Double, testLoss: Double? = nil, weights: Weights,
                    imbalance: Double? = nil, trailing: [Double] = []) throws -> String {
        CSVRow.line(try values(time: time, loss: loss, excess: excess, testLoss: testLoss, weights: weights,
                               imbalance: imbalance, trailing: trailing))
    }
}
