import Testing
@testable import LinFlowNumerics
import LinFlowTestSupport
@testable import LinFlowIO
@testable import LinFlowPlot
@testable import LinFlowRuns
@testable import LinFlowSweep

/// The least-squares floor, the affine fit and the excess loss against independent facts: a
/// centred least-squares solution computed in the test in double-double (``SampleReference``),
/// and the identities the excess must satisfy.
@Suite struct FloorTests {
    /// Inputs offset ± 1 (the augmented E[x̃x̃ᵀ] has condition ~ offset⁴), targets affine in them
    /// with an intercept of the size of the offset (as issue 21's 3000 ± 1 had).
    static func offsetData(_ offset: Double, seed: UInt64 = 41) -> (x: [[Double]], y: [[Double]]) {
        var g = SplitMix64(seed: seed)
        let b = g.matrix(2, 4)
        var x: [[Double]] = [], y: [[Double]] = []
        for _ in 0..<1200 {
            let xi = (0..<4).map { _ in offset + g.normal() }
            x.append(xi)
            y.append((0..<2).map { o in (0..<4).reduce(0.7 + 0.01 * g.normal()) { $0 + b[o, $1] * xi[$1] } })
        }
        return (x, y)
    }

    /// Issue 21: the affine map and floor of `--bias` against the centred least-squares solution,
    /// at offsets 10², 10³, 10⁴. W* to the accuracy its condition allows (C11 is well
    /// conditioned here, so to ~1e-12), the intercept b* = ȳ − W*x̄ to ‖δW*‖·‖x̄‖, the floor within
    /// its stated bound, no "singular" verdict, and the flow's loss at W* on the floor.
    @Test(arguments: [1e2, 1e3, 1e4])
    func affineFloorIsTheCentredLeastSquares(offset: Double) throws {
        let d = Self.offsetData(offset)
        let c = try Correlations(inputs: d.x, outputs: d.y).augmented()
        let ls = try LeastSquares(c)
        let ref = SampleReference.affineFit(x: d.x, y: d.y)
        #expect(!ls.sigma11IsSingular && ls.sigma11Rank == 5)
        for o in 0..<2 {
            for j in 0..<4 {
                #expect(abs(ls.map[o, j] - ref.w[o, j]) <= 1e-11 * (1 + abs(ref.w[o, j])), "W*[\(o),\(j)] \(ls.map[o, j]) vs \(ref.w[o, j])")
            }
            // b* = ȳ − W*x̄: W*'s error times ‖x̄‖₁ ≈ 4·offset.
            #expect(abs(ls.map[o, 4] - ref.b[o]) <= 1e-11 * 4 * offset * (1 + abs(ref.b[o]) / offset), "b*[\(o)] \(ls.map[o, 4]) vs \(ref.b[o])")
        }
        let floor = ref.floor.double
        #expect(abs(ls.lossFloor - floor) <= ls.floorErrorBound + 4 * Double.ulpOfOne * floor,
                "offset \(offset): L* \(ls.lossFloor) vs \(floor), bound \(ls.floorErrorBound)")
        #expect(ls.floorErrorBound < 1e-10 * floor)  // before: 1.6e-2 relative error at offset 1e3
        // The loss of [W* b*] from the samples is the floor (to second order in W*'s error).
        let atMap = SampleReference.loss(x: d.x, y: d.y, ls.map, affine: true).double
        #expect(abs(atMap - floor) <= 1e-9 * floor)
        // The affine network's floor is that one too.
        let flow = try GradientFlow(architecture: Architecture(sizes: [4, 3, 2], bias: true),
                                    correlations: Correlations(inputs: d.x, outputs: d.y))
        #expect(flow.leastSquares.lossFloor == ls.lossFloor && flow.leastSquares.map == ls.map)
    }

    /// The excess is a sum of squares: ≥ 0 everywhere, 0 only at W*, and a quadratic form around
    /// W* that keeps its relative digits where L − L* by subtraction would be rounding noise:
    /// excess(W* + tΔ) = t²·excess(W* + Δ). Off W* it is the samples' L − L*, so a wrong sign
    /// of the intercept or a transposed R_x fails here.
    @Test(arguments: [(false, 1e3), (true, 1e3), (false, 0.0), (true, 0.0)])
    func excessIsANonNegativeQuadraticFormAroundTheMinimum(affine: Bool, offset: Double) throws {
        let d = Self.offsetData(offset, seed: 43)
        let data = Correlations(inputs: d.x, outputs: d.y)
        let c = affine ? try data.augmented() : data
        let ls = try LeastSquares(c)
        var g = SplitMix64(seed: 44)
        let floorRef = affine ? SampleReference.affineFit(x: d.x, y: d.y).floor.double : ls.lossFloor
        #expect(ls.excess(endToEnd: ls.map) <= 1e-20 * floorRef)
        var delta = g.matrix(c.outputs, c.inputs, scale: 1e-4)
        if affine { for o in 0..<c.outputs { delta[o, c.inputs - 1] *= max(1, offset) } }
        func shifted(_ t: Double) -> Matrix { ls.map + t * delta }
        let e1 = ls.excess(endToEnd: shifted(1)), e2 = ls.excess(endToEnd: shifted(1e-2))
        #expect(e1 > 0 && e2 > 0)
        #expect(abs(e2 / e1 - 1e-4) <= 1e-4 * 1e-8, "excess(W* + 0.01Δ)/excess(W* + Δ) = \(e2 / e1)")
        // Off W*: excess + floor is the samples' loss, and the excess the samples' L − L*.
        for scale in [0.01, 0.3] {
            let w = ls.map + (1 / 1e-4 * scale) * delta
            let ref = SampleReference.loss(x: d.x, y: d.y, w, affine: affine).double
            let (loss, excess) = ls.loss(endToEnd: w)
            #expect(excess >= 0 && loss >= ls.lossFloor)
            let bound = try #require(ls.lossErrorBound(endToEnd: w)) + 4 * Double.ulpOfOne * ref
            #expect(abs(loss - ref) <= bound, "loss \(loss) vs \(ref)")
            #expect(abs(excess - (ref - ls.lossFloor)) <= bound + ls.floorErrorBound, "excess \(excess) vs \(ref - ls.lossFloor)")
        }
    }

    /// A column that is an exact copy makes the input factor singular: W* is then the
    /// minimum-norm minimiser (the copy's weight split evenly), the floor is unchanged by the copy,
    /// and the excess stays ≥ 0 along the copy's null direction (where it is exactly 0).
    @Test func exactCopyGivesTheMinimumNormMap() throws {
        let d = Self.offsetData(0, seed: 45)
        let copied = d.x.map { $0 + [$0[1]] }
        let plain = try LeastSquares(Correlations(inputs: d.x, outputs: d.y))
        let ls = try LeastSquares(Correlations(inputs: copied, outputs: d.y))
        #expect(ls.sigma11IsSingular && ls.sigma11Rank == 4)
        #expect(abs(ls.lossFloor - plain.lossFloor) <= 1e-12 * plain.lossFloor)
        for o in 0..<2 {
            #expect(abs(ls.map[o, 1] - ls.map[o, 4]) <= 1e-10 * abs(plain.map[o, 1]))
            #expect(abs(ls.map[o, 1] + ls.map[o, 4] - plain.map[o, 1]) <= 1e-10 * abs(plain.map[o, 1]))
        }
        var w = ls.map
        for o in 0..<2 { w[o, 1] += 5; w[o, 4] -= 5 }  // along the null direction: same predictions
        #expect(ls.excess(endToEnd: w) >= 0 && ls.excess(endToEnd: w) <= 1e-20)
    }

    /// Correlations given as moments only (no samples) still get the centred affine fit.
    @Test func momentsOnlyAffineFitIsCentred() throws {
        let d = Self.offsetData(1e3, seed: 46)
        let full = Correlations(inputs: d.x, outputs: d.y)
        let moments = Correlations(sampleCount: full.sampleCount, covariance11: full.covariance11, covariance31: full.covariance31,
                                   traceCovariance33: full.traceCovariance33, inputMean: full.inputMean!, outputMean: full.outputMean!)
        #expect(moments.covarianceFactor == nil)
        let a = try LeastSquares(moments.augmented()), b = try LeastSquares(full.augmented())
        #expect(a.map.isApproximatelyEqual(to: b.map, absoluteTolerance: 1e-8 * b.map.maxAbs))
        #expect(abs(a.lossFloor - b.lossFloor) <= a.floorErrorBound + b.floorErrorBound)
        #expect(a.excess(endToEnd: b.map) >= 0)
    }
}
