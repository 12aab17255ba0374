import LinFlowNumerics
import LinFlowIO
import LinFlowPlot
/// The figures every trajectory shares, gathered row by row for the summary and the record.
struct TrajectoryFigures {
    var rows = 0
    var finalLoss = Double.nan
    /// Imbalance at the first row, and the largest |imbalance(t) − imbalance(t0)| since.
    var initialImbalance: Double?
    var imbalanceDrift = 0.0

    mutating func add(loss: Double, imbalance: Double?) {
        rows += 1
        finalLoss = loss
        guard let imbalance else { return }
        if let i0 = initialImbalance { imbalanceDrift = max(imbalanceDrift, abs(imbalance - i0)) } else { initialImbalance = imbalance }
    }

    /// The record's figures: final loss, ‖W − W*‖_F of `final` and the imbalance drift.
    func record(final: Weights, leastSquares ls: LeastSquares) -> [String: Any] {
        var r: [String: Any] = ["rows": rows, "final_loss": finalLoss,
                                "distance_to_ls": (final.effectiveMap - ls.map).frobeniusNorm]
        if initialImbalance != nil { r["imbalance_drift"] = imbalanceDrift }
        return r
    }
}
