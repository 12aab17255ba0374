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
    /// With held-out data: the test loss over the rows.
    var test: TestLossFigures?

    mutating func add(loss: Double, imbalance: Double?) {
        rows += 1
        finalLoss = loss
        guard let imbalance else { return }
        if let i0 = initialImbalance { imbalanceDrift = max(imbalanceDrift, abs(imbalance - i0)) } else { initialImbalance = imbalance }
    }

    /// The record's figures: final loss, ‖W − W*‖_F of `final` and the imbalance drift, and the
    /// test loss's figures (``TestLossFigures``).
    func record(final: Weights, leastSquares ls: LeastSquares) -> [String: Any] {
        var r: [String: Any] = ["rows": rows, "final_loss": finalLoss,
                                "distance_to_ls": (final.effectiveMap - ls.map).frobeniusNorm]
        if initialImbalance != nil { r["imbalance_drift"] = imbalanceDrift }
        if let test { r.merge(test.record()) { $1 } }
        return r
    }
}

/// The test loss over the written rows: its last value and its smallest, with the time of the
/// row where it is smallest (the first such row): the early-stopping point as far as the rows
/// resolve it.
public struct TestLossFigures: Sendable {
    public private(set) var final = Double.nan
    public private(set) var minimum = Double.nan
    public private(set) var timeOfMinimum = Double.nan

    public init() {}

    mutating func add(_ loss: Double, time t: Double) {
        final = loss
        // A NaN row (a diverged descent) is not a minimum.
        if loss < minimum || (minimum.isNaN && !loss.isNaN) { (minimum, timeOfMinimum) = (loss, t) }
    }

    /// `final_test_loss`, `min_test_loss`, `t_min_test_loss`, each name with `suffix` (compare's `_gd`, …).
    func record(suffix: String = "") -> [String: Any] {
        ["final_test_loss\(suffix)": final, "min_test_loss\(suffix)": minimum, "t_min_test_loss\(suffix)": timeOfMinimum]
    }

    /// The summaries' line on the held-out samples `source`; `label` names the trajectory (compare's three).
    func line(_ source: String, label: String = "") -> String {
        "  test loss\(label) on \(source): \(fmt(final)) at the end, smallest \(fmt(minimum)) at t = \(fmt(timeOfMinimum))"
    }
}
