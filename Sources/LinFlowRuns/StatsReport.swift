import Foundation
import LinFlowNumerics
import LinFlowIO
import LinFlowPlot

/// `linflow stats`: the correlations of a dataset and what follows from them.
public struct StatsReport {
    public let data: DataSource
    /// Report on x̃ = [x; 1], the input of an affine network (`--bias`): Σ̃11, Σ̃31 and the affine
    /// least-squares map [W b], whose last column is the intercept.
    public let bias: Bool

    public init(data: DataSource, bias: Bool = false) {
        self.data = data
        self.bias = bias
    }

    public func render() throws -> String {
        let loaded = try data.correlations()
        let c = bias ? try loaded.correlations.augmented() : loaded.correlations
        let ls = try LeastSquares(c)
        let svd = try SingularValueDecomposition(c.sigma31)
        let eig = try symmetricEigenvalues(c.sigma11)
        var s = ""
        s += "data: \(loaded.description)\n"
        s += "samples N = \(c.sampleCount), inputs = \(c.inputs) (\(loaded.inputNames.joined(separator: ","))), outputs = \(c.outputs) (\(loaded.outputNames.joined(separator: ",")))\n"
        s += "tr Σ33 = \(c.traceSigma33)\n"
        if bias {
            s += "with \(Setting.bias): the inputs are augmented, x̃ = [x; 1], so Σ11 below is E[x̃x̃ᵀ], Σ31 is E[y x̃ᵀ], and the last column of W* is the intercept b\n"
        }
        s += "\n"
        s += section("Σ11 = 1/N Σ x xᵀ", c.sigma11)
        s += "eigenvalues of Σ11: \(list(eig))\n"
        if let cI = whitenedScale(c.sigma11) {
            s += "Σ11 = \(cI)·I: the inputs are white up to scale, so the closed forms apply.\n"
        }
        s += "\n"
        s += section("Σ31 = 1/N Σ y xᵀ", c.sigma31)
        s += "singular values of Σ31: \(list(svd.values))\n"
        s += section("left singular vectors U (columns)", svd.u)
        s += section("right singular vectors V (columns)", svd.v)
        s += "\n"
        if bias {
            s += section("least-squares map [W* b*], W* = C31 C11\(ls.sigma11IsSingular ? "⁺" : "⁻¹") (centred), b* = ȳ − W* x̄", ls.map)
        } else {
            s += section("least-squares map W* = Σ31 Σ11\(ls.sigma11IsSingular ? "⁺" : "⁻¹")", ls.map)
        }
        if ls.sigma11IsSingular {
            let what = bias ? "the covariance C11 is singular (rank \(ls.sigma11Rank - 1) of \(c.inputs - 1))" : "Σ11 is singular (rank \(ls.sigma11Rank) of \(c.inputs))"
            s += "note: \(what); W* uses the pseudo-inverse and is the minimum-norm minimiser.\n"
        }
        s += "floor formula: \(ls.formula)\n"
        s += String(format: "floor error bound (docs/theory.md, \"The floor and the excess\"): %.2g\n", ls.floorErrorBound)
        s += "loss floor L* = \(ls.lossFloor)\n"
        return s
    }

    private func list(_ v: [Double]) -> String { v.map { String(format: "%.10g", $0) }.joined(separator: ", ") }

    private func section(_ title: String, _ m: Matrix) -> String {
        var s = "\(title) (\(m.rows)×\(m.cols)):\n"
        for r in 0..<m.rows {
            s += "  " + (0..<m.cols).map { String(format: "% .6g", m[r, $0]).padding(toLength: 13, withPad: " ", startingAt: 0) }.joined(separator: " ") + "\n"
        }
        return s
    }
}
