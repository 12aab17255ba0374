import Testing
import Numerics
@testable import LinFlowNumerics
import LinFlowTestSupport
@testable import LinFlowIO
@testable import LinFlowPlot
@testable import LinFlowRuns
@testable import LinFlowSweep

/// The loss to its last digits on the two kinds of data where the form L* + ½tr((W − W*)Σ11(W − W*)ᵀ)
/// on moments lost them: inputs far from the origin (1000 ± 1) and a near-copy of an input
/// (x·(1 + 1e-6·noise), cond Σ11 ≈ 2e13). The reference is 1/(2N) Σₙ ‖yₙ − W xₙ‖² from the samples,
/// summed in double-double, for maps W near and far from the least-squares one; every tolerance
/// is the bound of an error analysis evaluated on the data (``FloorErrorModel``).
@Suite struct LossDigitsTests {
    struct Dataset {
        let x: [[Double]], y: [[Double]]
        var correlations: Correlations { Correlations(inputs: x, outputs: y) }
    }

    static func offset() -> Dataset {
        var g = SplitMix64(seed: 31)
        let b = g.matrix(2, 5)
        var x: [[Double]] = [], y: [[Double]] = []
        for _ in 0..<2000 {
            let xi = (0..<5).map { _ in 1000 + g.normal() }
            x.append(xi)
            y.append((0..<2).map { o in (0..<5).reduce(0.5 + 0.3 * g.normal()) { $0 + b[o, $1] * (xi[$1] - 1000) } })
        }
        return Dataset(x: x, y: y)
    }

    /// Integer "pixels" 0…16 (as in scikit-learn's digits), one-hot targets, and a near-copy of pixel 3.
    static func nearCopy() -> Dataset {
        var g = SplitMix64(seed: 32)
        var x: [[Double]] = [], y: [[Double]] = []
        for _ in 0..<1500 {
            var xi = (0..<12).map { _ in Double(Int((g.uniform() + 1) * 8.5)) }
            xi.append(xi[3] * (1 + 1e-6 * g.normal()))
            x.append(xi)
            let k = Int(xi[0] + xi[5] + xi[7]) % 3
            y.append((0..<3).map { $0 == k ? 1 : 0 })
        }
        return Dataset(x: x, y: y)
    }

    /// 1/(2N) Σₙ ‖yₙ − W xₙ‖² from the samples in double-double (``DD``): exact to far below the
    /// bounds checked against it, on every architecture.
    func reference(_ d: Dataset, _ w: Matrix) -> Double {
        SampleReference.loss(x: d.x, y: d.y, w).double
    }

    /// A bound on the error of the moment form ``Correlations/loss(endToEnd:)`` (and of the
    /// gradient's ``GradientFlow/lossAtLastEvaluation``, the same form): the moments are sums of N
    /// products of the shifted samples d = x − x₁, e = y − y₁, each rounded with error
    /// ≤ η·E|d_i||d_j| (η = λ√N·u, the probabilistic bound of ``FloorErrorModel``, here for sums of
    /// N terms), so by Cauchy–Schwarz ½(tr C33 − 2tr(WC31ᵀ) + tr(WC11Wᵀ)) is off by at most
    /// η·½Σ_o(‖e_o‖ + Σ_i|w_oi|‖d_i‖)² (norms over √N) — condition × ε × scale, where the scale is
    /// the loss of |W| on |data| rather than the loss itself. The mean residual r̄ = ȳ − Wx̄ adds
    /// 2u·|r̄_o|(|ȳ_o| + Σ|w_oi||x̄_i|)·(n0 + 2).
    func momentLossBound(_ d: Dataset, _ w: Matrix) -> Double {
        let n = d.x[0].count, count = Double(d.x.count)
        let eta = FloorErrorModel.eta(sampleCount: d.x.count, columns: 1)
        var rx = [Double](repeating: 0, count: n), ry = [Double](repeating: 0, count: w.rows)
        var mx = [Double](repeating: 0, count: n), my = [Double](repeating: 0, count: w.rows)
        for (xi, yi) in zip(d.x, d.y) {
            for i in 0..<n { rx[i] += (xi[i] - d.x[0][i]) * (xi[i] - d.x[0][i]) / count; mx[i] += xi[i] / count }
            for o in 0..<w.rows { ry[o] += (yi[o] - d.y[0][o]) * (yi[o] - d.y[0][o]) / count; my[o] += yi[o] / count }
        }
        var bound = 0.0
        for o in 0..<w.rows {
            var scale = ry[o].squareRoot(), meanScale = abs(my[o]), r = my[o]
            for i in 0..<n {
                scale += abs(w[o, i]) * rx[i].squareRoot()
                meanScale += abs(w[o, i] * mx[i])
                r -= w[o, i] * mx[i]
            }
            bound += eta * 0.5 * scale * scale + Double.ulpOfOne * abs(r) * meanScale * Double(n + 2)
        }
        return bound
    }

    /// The loss column (L* + excess from the samples' R factor), the moment form and the floor
    /// against the samples, each within the bound its error analysis gives (no fixed tolerance:
    /// the near-copy data's floor moves by ~1e-9 relative between BLAS kernels, and the bound
    /// says why — W* ~ 1e4 along the copy's difference).
    @Test(arguments: ["offset", "near-copy"])
    func lossAgreesWithTheSamples(name: String) throws {
        let d = name == "offset" ? Self.offset() : Self.nearCopy()
        let c = d.correlations
        let ls = try LeastSquares(c)
        var g = SplitMix64(seed: 33)
        let far = g.matrix(c.outputs, c.inputs, scale: 0.05)
        var near = ls.map
        for i in 0..<near.storage.count { near.storage[i] *= 1 + 1e-7 * g.normal() }
        for w in [far, near, ls.map] {
            let ref = reference(d, w)
            let (loss, excess) = ls.loss(endToEnd: w)
            let bound = try #require(ls.lossErrorBound(endToEnd: w)) + 4 * Double.ulpOfOne * ref
            #expect(abs(loss - ref) <= bound, "\(name): loss column \(loss) vs \(ref), bound \(bound)")
            #expect(excess >= 0 && loss >= ls.lossFloor)
            // The bound must be a statement: far below the loss. Near W* of the near-copy data it is
            // ~3e-8 relative (η·Σ|w*_j|‖x_j‖/√L with w* ~ 1e4, and Cauchy–Schwarz where rounding
            // errors are in fact nearly orthogonal to the residual); the errors measured are ~1e-15.
            #expect(bound < (w == far ? 1e-12 : 1e-7) * ref, "\(name): bound \(bound) of \(ref)")
            let m = momentLossBound(d, w) + 4 * Double.ulpOfOne * ref
            #expect(abs(c.loss(endToEnd: w) - ref) <= m, "\(name): moment form \(c.loss(endToEnd: w)) vs \(ref), bound \(m)")
        }
        // The floor is the loss of W* (the exact loss at the computed W* exceeds the exact floor
        // only to second order in W*'s error), within its bound.
        let atMap = reference(d, ls.map)
        #expect(abs(ls.lossFloor - atMap) <= ls.floorErrorBound + 4 * Double.ulpOfOne * atMap,
                "\(name): floor \(ls.lossFloor) vs \(atMap), bound \(ls.floorErrorBound)")
        // The hot path's loss (read off the gradient's error) agrees with the samples too.
        let arch = try Architecture(sizes: [c.inputs, 4, c.outputs])
        let flow = try GradientFlow(architecture: arch, correlations: c)
        let weights = Weights(architecture: arch, flat: (0..<arch.parameterCount).map { _ in 0.2 * g.normal() })
        flow.recordsLoss = true
        _ = flow.velocity(at: weights)
        let w = weights.effectiveMap, ref = reference(d, w)
        let m = momentLossBound(d, w) + 4 * Double.ulpOfOne * ref
        #expect(abs(flow.lossAtLastEvaluation - ref) <= m, "\(name): \(flow.lossAtLastEvaluation) vs \(ref), bound \(m)")
        let columnBound = try #require(ls.lossErrorBound(endToEnd: w)) + 4 * Double.ulpOfOne * ref
        #expect(abs(flow.loss(at: weights) - ref) <= columnBound)
    }

    /// What another CPU's BLAS kernels do to the data's sums, done on purpose: the samples moved by
    /// a few ulps, and read in another order (other blocks, other summation order). The floor
    /// must stay within the stated bounds of both runs plus what the perturbation itself moves
    /// the exact floor by (the same first-order analysis with η replaced by the perturbation's
    /// k·u per entry).
    @Test(arguments: ["offset", "near-copy"])
    func floorBoundHoldsUnderRoundingLevelPerturbations(name: String) throws {
        let d = name == "offset" ? Self.offset() : Self.nearCopy()
        let ls = try LeastSquares(d.correlations)
        let ulps = 3.0
        var g = SplitMix64(seed: 35)
        let moved = Dataset(x: d.x.map { $0.map { $0 * (1 + ulps * Double.ulpOfOne / 2 * g.uniform()) } }, y: d.y)
        var order = Array(d.x.indices)
        for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, Int(g.next() % UInt64(i + 1))) }
        let shuffled = Dataset(x: order.map { d.x[$0] }, y: order.map { d.y[$0] })
        let eta = FloorErrorModel.eta(sampleCount: d.x.count, columns: d.correlations.inputs + d.correlations.outputs)
        for (label, other, perturbation) in [("moved", moved, ulps * Double.ulpOfOne / 2), ("shuffled", shuffled, 0)] {
            let lp = try LeastSquares(other.correlations)
            let allowed = ls.floorErrorBound + lp.floorErrorBound + perturbation / eta * ls.floorErrorBound
            #expect(abs(lp.lossFloor - ls.lossFloor) <= allowed, "\(name), \(label): \(lp.lossFloor) vs \(ls.lossFloor), allowed \(allowed)")
            #expect(lp.lossFloor != 0 && allowed < 1e-7 * ls.lossFloor)
        }
    }

    /// Biases: the centred form with x̃ = [x; 1] is the affine loss ½E‖y − Wx − b‖².
    @Test func affineLossIsTheSamplesLoss() throws {
        let d = Self.offset()
        let c = try d.correlations.augmented()
        var g = SplitMix64(seed: 34)
        let w = g.matrix(2, 6, scale: 0.3)
        var direct = 0.0
        for (xi, yi) in zip(d.x, d.y) {
            for o in 0..<2 {
                var r = yi[o] - w[o, 5]
                for i in 0..<5 { r -= w[o, i] * xi[i] }
                direct += r * r
            }
        }
        direct /= Double(2 * d.x.count)
        #expect(c.loss(endToEnd: w).isApproximatelyEqual(to: direct, relativeTolerance: 1e-11))
    }
}
