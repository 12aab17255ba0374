import Testing
import Numerics
@testable import LinFlowNumerics
import LinFlowTestSupport
@testable import LinFlowIO
@testable import LinFlowPlot
@testable import LinFlowRuns
@testable import LinFlowSweep

/// The right-hand side must be minus the gradient of the loss computed from raw samples.
@Suite struct GradientFlowTests {
    static let architectures: [[Int]] = [[4, 5, 3], [4, 2, 3], [4, 3, 6, 2, 3], [3, 4, 4, 4, 4, 2], [5, 1]]

    /// With biases the data have non-zero means, so that the biases matter.
    @Test(arguments: architectures, [false, true])
    func velocityIsMinusFiniteDifferenceGradient(sizes: [Int], bias: Bool) throws {
        let data = Samples(n: 25, inputs: sizes.first!, outputs: sizes.last!, seed: 7, shift: bias ? 0.7 : 0)
        let a = try Architecture(sizes: sizes, bias: bias)
        let flow = try GradientFlow(architecture: a, correlations: data.correlations)
        var g = SplitMix64(seed: 11)
        for _ in 0..<3 {
            let w = Weights(architecture: a, flat: (0..<a.parameterCount).map { _ in 0.7 * g.normal() })
            let v = flow.velocity(at: w)
            #expect(flow.loss(at: w).isApproximatelyEqual(to: data.loss(w), relativeTolerance: 1e-11))
            let h = 1e-6
            for i in 0..<a.parameterCount {
                var plus = w, minus = w
                plus.flat[i] += h
                minus.flat[i] -= h
                let fd = (data.loss(plus) - data.loss(minus)) / (2 * h)
                #expect(abs(-fd - v.flat[i]) <= 1e-6 * max(1, abs(fd)), "component \(i) of \(sizes)")
            }
        }
    }

    @Test(arguments: architectures, [false, true])
    func velocityDerivativeIsFiniteDifferenceOfVelocity(sizes: [Int], bias: Bool) throws {
        let data = Samples(n: 20, inputs: sizes.first!, outputs: sizes.last!, seed: 3, shift: bias ? 0.5 : 0)
        let a = try Architecture(sizes: sizes, bias: bias)
        let flow = try GradientFlow(architecture: a, correlations: data.correlations)
        var g = SplitMix64(seed: 5)
        let w = Weights(architecture: a, flat: (0..<a.parameterCount).map { _ in 0.6 * g.normal() })
        let dir = Weights(architecture: a, flat: (0..<a.parameterCount).map { _ in g.normal() })
        let h = 1e-5
        var plus = w, minus = w
        for i in 0..<a.parameterCount { plus.flat[i] += h * dir.flat[i]; minus.flat[i] -= h * dir.flat[i] }
        let fp = flow.velocity(at: plus).flat, fm = flow.velocity(at: minus).flat
        let exact = flow.velocityDerivative(at: w, along: dir).flat
        for i in 0..<a.parameterCount {
            let fd = (fp[i] - fm[i]) / (2 * h)
            #expect(abs(fd - exact[i]) <= 1e-6 * max(1, abs(fd)))
        }
    }

    /// The loss computed from correlations (both forms) equals the loss computed from samples.
    @Test func lossFromCorrelationsMatchesSamples() throws {
        let data = Samples(n: 40, inputs: 5, outputs: 3, seed: 21)
        let c = data.correlations
        let ls = try LeastSquares(c)
        let a = try Architecture(sizes: [5, 4, 3])
        var g = SplitMix64(seed: 2)
        for _ in 0..<10 {
            let w = Weights(architecture: a, flat: (0..<a.parameterCount).map { _ in g.normal() })
            let direct = data.loss(w)
            #expect(c.loss(endToEnd: w.endToEnd, leastSquares: ls).isApproximatelyEqual(to: direct, relativeTolerance: 1e-12))
            #expect(c.lossDirect(endToEnd: w.endToEnd).isApproximatelyEqual(to: direct, relativeTolerance: 1e-12))
        }
    }

    /// Both kernels of `gemm` (hand-written loop and OpenBLAS) give the same product, for every
    /// transpose combination and for sizes on both sides of the switch-over.
    @Test(arguments: [(2, 3, 2), (3, 4, 5), (17, 9, 33), (40, 50, 60)])
    func gemmPathsAgree(m: Int, n: Int, k: Int) {
        var g = SplitMix64(seed: UInt64(m * n * k))
        for ta in [Transpose.none, .transpose] {
            for tb in [Transpose.none, .transpose] {
                let a = g.matrix(ta == .none ? m : k, ta == .none ? k : m)
                let b = g.matrix(tb == .none ? k : n, tb == .none ? n : k)
                let c0 = g.matrix(m, n)
                // Reference by definition.
                var ref = c0
                for i in 0..<m {
                    for j in 0..<n {
                        var s = 0.0
                        for p in 0..<k {
                            s += (ta == .none ? a[i, p] : a[p, i]) * (tb == .none ? b[p, j] : b[j, p])
                        }
                        ref[i, j] = 0.5 * s - 2 * c0[i, j]
                    }
                }
                for path in [GemmPath.loop, .blas] {
                    var c = c0
                    a.storage.withUnsafeBufferPointer { pa in
                        b.storage.withUnsafeBufferPointer { pb in
                            c.storage.withUnsafeMutableBufferPointer { pc in
                                gemm(ta, tb, m, n, k, 0.5, pa.baseAddress!, a.cols, pb.baseAddress!, b.cols,
                                     -2, pc.baseAddress!, n, path: path)
                            }
                        }
                    }
                    #expect(c.isApproximatelyEqual(to: ref, absoluteTolerance: 1e-12 * Double(k)))
                    if path == .loop && tb == .transpose {
                        // The blocked dot products sum in the definition's order: same bits.
                        #expect(c == ref)
                    }
                }
            }
        }
    }

    /// The flow evaluated through OpenBLAS and through the loops agrees to rounding.
    @Test func blasAndLoopFlowsAgree() throws {
        let data = Samples(n: 50, inputs: 40, outputs: 30, seed: 9)
        let a = try Architecture(sizes: [40, 35, 33, 30])
        var g = SplitMix64(seed: 4)
        let w = Weights(architecture: a, flat: (0..<a.parameterCount).map { _ in 0.2 * g.normal() })
        let v1 = try GradientFlow(architecture: a, correlations: data.correlations, gemmPath: .blas).velocity(at: w)
        let v2 = try GradientFlow(architecture: a, correlations: data.correlations, gemmPath: .loop).velocity(at: w)
        for (p, q) in zip(v1.flat, v2.flat) { #expect(abs(p - q) <= 1e-12 * max(1, abs(p))) }
    }
}
