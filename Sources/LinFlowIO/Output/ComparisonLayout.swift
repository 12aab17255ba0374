import LinFlowNumerics
/// The `compare` CSV, one row per written step k at t = kη:
///
///     t,loss_gd,loss_flow,loss_modified[,test_loss_gd,test_loss_flow,test_loss_modified],gap_flow,gap_flow_W21,…,gap_modified,gap_modified_W21,…
///
/// `gap_flow` = ‖W_gd − W_flow‖_F of the end-to-end maps W = W_L⋯W_1, `gap_flow_W21` =
/// ‖W21_gd − W21_flow‖_F for each layer; `gap_modified*` likewise against the modified flow.
/// With held-out data (``testLoss``) each of the three gets its test loss.
public struct ComparisonLayout: Sendable {
    public let architecture: Architecture
    public let testLoss: Bool

    public init(architecture: Architecture, testLoss: Bool = false) { (self.architecture, self.testLoss) = (architecture, testLoss) }

    public var layerNames: [String] { (1...architecture.depth).map { architecture.name(ofLayer: $0) } }

    public var columns: [String] {
        ["t", "loss_gd", "loss_flow", "loss_modified"] + (testLoss ? ["test_loss_gd", "test_loss_flow", "test_loss_modified"] : [])
            + ["flow", "modified"].flatMap { f in ["gap_\(f)"] + layerNames.map { "gap_\(f)_\($0)" } }
    }

    /// Every column is a scalar dataset in HDF5.
    public var blocks: [ColumnBlock] { columns.map { ColumnBlock($0) } }

    /// ‖W_a − W_b‖_F of the end-to-end maps, then of each layer.
    public func distances(_ a: Weights, _ b: Weights) -> [Double] {
        [(a.endToEnd - b.endToEnd).frobeniusNorm] + zip(a.layers, b.layers).map { ($0 - $1).frobeniusNorm }
    }
}
