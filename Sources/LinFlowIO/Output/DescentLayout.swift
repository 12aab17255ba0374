import LinFlowNumerics
/// The `descend` CSV: the ``TrajectoryLayout`` of `simulate` with one more column, `sharpness`
/// (λ_max of the Hessian of the full-data loss at that row).
public struct DescentLayout: Sendable {
    public let trajectory: TrajectoryLayout
    /// Whether the `sharpness` column is written (`--no-sharpness` drops it).
    public var sharpness = true

    public init(trajectory: TrajectoryLayout, sharpness: Bool = true) {
        self.trajectory = trajectory
        self.sharpness = sharpness
    }

    public var blocks: [ColumnBlock] { trajectory.blocks + (sharpness ? [ColumnBlock("sharpness")] : []) }
    public var columns: [String] { blocks.columnNames }

    public func values(time: Double, loss: Double, excess: Double, testLoss: Double? = nil, weights: Weights,
                       imbalance: Double?, taskLosses: [Double] = [], sharpness value: Double?) throws -> [Double] {
        try trajectory.values(time: time, loss: loss, excess: excess, testLoss: testLoss, weights: weights, imbalance: imbalance,
                              taskLosses: taskLosses,
                              trailing: sharpness ? value.map { [$0] } ?? [] : [])
    }
}
