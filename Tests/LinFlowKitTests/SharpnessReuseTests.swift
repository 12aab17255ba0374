import Foundation
import Testing
@testable import LinFlowNumerics
import LinFlowTestSupport

/// The dense Hessian H = −∂(dθ/dt)/∂θ from the flow's exact Hessian-vector products (themselves
/// checked against differences of the sample loss in HessianProductTests and below).
private func denseHessian(_ flow: GradientFlow, at w: Weights) -> Matrix {
    let n = flow.dimension
    var jacobian = [Double](repeating: 0, count: n * n)
    flow.jacobian(at: w, into: &jacobian)
    return Matrix(rows: n, cols: n, storage: jacobian.map { -$0 })
}

private func randomWeights(_ a: Architecture, scale: Double, _ g: inout SplitMix64) -> Weights {
    Weights(architecture: a, flat: (0..<a.parameterCount).map { _ in scale * g.normal() })
}

@Suite struct TridiagonalTopTests {
    /// Laguerre's top eigenvalue of T and the last component of its eigenvector agree with
    /// LAPACK's dstevx (bisection and inverse iteration), also for clustered diagonals, nearly
    /// decoupled blocks and eigenvectors concentrated away from the last index.
    @Test func topEigenvalueAgreesWithLAPACK() throws {
        var g = SplitMix64(seed: 5)
        for trial in 0..<300 {
            let k = 1 + trial % 37
            var alpha = (0..<k).map { _ in g.normal() }, beta = (0..<max(0, k - 1)).map { _ in abs(g.normal()) + 1e-3 }
            if trial % 3 == 1 { alpha = alpha.map { 5 + 1e-6 * $0 } }  // a cluster at the top
            if trial % 5 == 2, k > 2 { beta[k / 2] = 1e-9 }  // nearly decoupled blocks
            let (value, last2) = try #require(tridiagonalTopEigenvalue(diagonal: alpha, offDiagonal: beta))
            let (lapack, s) = try tridiagonalTopEigenpair(diagonal: alpha, offDiagonal: beta)
            let scale = alpha.map(abs).max()! + 2 * (beta.max() ?? 0)
            #expect(abs(value - lapack) <= 1e-14 * scale, "k = \(k), trial \(trial)")
            // Random tridiagonals have eigenvectors concentrated on a few indices: s_k² spans
            // many orders of magnitude; agreement to 1e-6 relative or 1e-20 absolute.
            let ref = s[k - 1] * s[k - 1]
            #expect(abs(last2 - ref) <= 1e-6 * ref + 1e-20, "k = \(k), trial \(trial): \(last2) vs \(ref)")
        }
    }

    /// On the T_k of a Lanczos run (a random symmetric 80 × 80 matrix, fully re-orthogonalised)
    /// the last component of the top eigenvector, from which Lanczos' residual comes, agrees with
    /// dstevx's at every step, before and after the top Ritz value converges, the value too
    /// when started from T_{k−1}'s (`leading`).
    @Test func lastComponentAlongLanczosAgreesWithLAPACK() throws {
        var g = SplitMix64(seed: 8)
        let n = 80
        var a = g.matrix(n, n)
        a = 0.5 * (a + a.transposed)
        var basis: [[Double]] = [normalized((0..<n).map { _ in g.normal() })]
        var alpha: [Double] = [], beta: [Double] = [], leading: Double?, converged = 0
        for k in 0..<40 {
            let q = basis[k]
            var w = (0..<n).map { i in (0..<n).reduce(0.0) { $0 + a[i, $1] * q[$1] } }
            alpha.append(dot(w, q))
            for v in basis { axpy(-dot(w, v), v, &w) }
            for v in basis { axpy(-dot(w, v), v, &w) }
            let (value, last2) = try #require(tridiagonalTopEigenvalue(diagonal: alpha, offDiagonal: beta, leading: leading))
            let (lapack, s) = try tridiagonalTopEigenpair(diagonal: alpha, offDiagonal: beta)
            #expect(abs(value - lapack) <= 1e-13 * abs(lapack), "step \(k)")
            let ref = s[k] * s[k]
            #expect(abs(last2 - ref) <= 1e-6 * ref + 1e-22, "step \(k): \(last2) vs \(ref)")
            if ref < 1e-12 { converged += 1 }
            leading = value
            let next = norm(w)
            beta.append(next)
            basis.append(w.map { $0 / next })
        }
        #expect(converged > 0, "the run should reach Ritz vectors concentrated away from the last index")
    }

    /// The 2 × 2 case by hand: [[a, b], [b, c]] has top eigenvalue (a + c)/2 + √(((a − c)/2)² + b²).
    @Test func twoByTwoClosedForm() throws {
        let (a, b, c) = (1.0, 2.0, -3.0)
        let (value, last2) = try #require(tridiagonalTopEigenvalue(diagonal: [a, c], offDiagonal: [b]))
        let top = (a + c) / 2 + (((a - c) / 2) * ((a - c) / 2) + b * b).squareRoot()
        #expect(abs(value - top) <= 1e-15 * abs(top))
        // The eigenvector (b, top − a) normalised: its second component squared.
        #expect(abs(last2 - (top - a) * (top - a) / (b * b + (top - a) * (top - a))) <= 1e-15)
    }
}

@Suite struct SharpnessReuseTests {
    /// The bound of ``HessianDrift`` is at least ‖H(W′) − H(W)‖₂ (dense Hessians, LAPACK's
    /// eigenvalues of the difference), for one to four layers and small to large moves.
    @Test(arguments: [[4, 3], [3, 4, 2], [2, 3, 3, 2], [3, 2, 4, 2, 3]])
    func boundsTheChangeOfTheHessian(sizes: [Int]) throws {
        let data = Samples(n: 20, inputs: sizes.first!, outputs: sizes.last!, seed: 41)
        let a = try Architecture(sizes: sizes)
        let flow = try GradientFlow(architecture: a, correlations: data.correlations)
        let drift = try #require(HessianDrift(flow: flow))
        var g = SplitMix64(seed: 43)
        for (scale, move) in [(0.8, 1e-6), (0.8, 1e-2), (0.3, 0.5), (1.5, 1e-3)] {
            let w = randomWeights(a, scale: scale, &g)
            let w2 = Weights(architecture: a, flat: w.flat.map { $0 + move * g.normal() })
            let difference = denseHessian(flow, at: w2) - denseHessian(flow, at: w)
            let eigen = try symmetricEigenvalues(difference)
            let norm = max(abs(eigen.first!), abs(eigen.last!))
            let bound = drift.bound(from: drift.anchor(at: w), to: w2)
            #expect(norm <= bound, "\(sizes) σ = \(scale), move \(move): ‖ΔH‖ = \(norm), bound \(bound)")
            if sizes.count == 2 { #expect(bound == 0 && norm <= 1e-12) }  // one layer: H is constant
        }
        // The dense Hessian the check relies on agrees with second differences of the sample loss.
        let w = randomWeights(a, scale: 0.5, &g)
        let fd = finiteDifferenceHessian(data, at: w), exact = denseHessian(flow, at: w)
        #expect((fd - exact).frobeniusNorm <= 1e-5 * max(1, exact.frobeniusNorm))
    }

    /// Along a descent that converges, the reusing estimator's every value is within its
    /// tolerance of the dense Hessian's top eigenvalue; it reuses estimates once the weights
    /// settle, and not while they move (where the top eigenvalue changes by more than the
    /// tolerance between rows, a reused value would be caught by the first check).
    @Test(arguments: [([8, 16, 15], 0.2), ([3, 4, 4, 2], 0.1)])
    func reusedEstimatesStayWithinTheTolerance(sizes: [Int], eta: Double) throws {
        let a = try Architecture(sizes: sizes)
        let correlations = sizes == [8, 16, 15] ? BuiltinDataset.hierarchy.correlations
            : Samples(n: 30, inputs: sizes.first!, outputs: sizes.last!, seed: 47).correlations
        let flow = try GradientFlow(architecture: a, correlations: correlations)
        let start = try Initialization.gaussian(seed: 3, scale: 0.1).weights(for: a)
        let descent = GradientDescent(gradientSource: flow, initial: start, learningRate: eta)
        let tolerance = 1e-7
        let estimator = SharpnessEstimator(flow: flow, tolerance: tolerance, reusing: true)
        var reusedWhileMoving = 0, reusedSettled = 0, previousTop: Double?
        for k in 0...6000 {
            if k % 200 == 0 || k == 1 {
                let before = estimator.reused
                let value = estimator.estimate(at: descent.weights)
                let top = try symmetricEigenvalues(denseHessian(flow, at: descent.weights)).first!
                // Lanczos' promise (an eigenvalue within tolerance·|θ|, here the top one),
                // with room for the dense eigensolver's rounding.
                #expect(abs(value - top) <= tolerance * abs(value) + 1e-12 * abs(top), "step \(k): \(value) vs \(top)")
                let reused = estimator.reused > before
                if let previousTop, abs(top - previousTop) > 2 * tolerance * abs(top) {
                    if reused { reusedWhileMoving += 1 }
                } else if reused {
                    reusedSettled += 1
                }
                previousTop = top
            }
            descent.advance()
        }
        #expect(reusedWhileMoving == 0)
        #expect(reusedSettled > 0, "no estimate was reused once the descent settled")
        // At the very same weights the bound is 0: the estimate is reused.
        let again = estimator.reused
        _ = estimator.estimate(at: descent.weights)
        _ = estimator.estimate(at: descent.weights)
        #expect(estimator.reused >= again + 1)
    }

    /// Chains with biases and estimators without the rule never reuse.
    @Test func noReuseWithBiasesOrWithoutTheRule() throws {
        let data = Samples(n: 20, inputs: 3, outputs: 2, seed: 3, shift: 1)
        let biased = try Architecture(sizes: [3, 4, 2], bias: true)
        #expect(HessianDrift(flow: try GradientFlow(architecture: biased, correlations: data.correlations)) == nil)
        let a = try Architecture(sizes: [3, 4, 2])
        let flow = try GradientFlow(architecture: a, correlations: data.correlations)
        var g = SplitMix64(seed: 9)
        let w = randomWeights(a, scale: 0.5, &g)
        let plain = SharpnessEstimator(flow: flow)
        _ = plain.estimate(at: w)
        _ = plain.estimate(at: w)
        #expect(plain.reused == 0)
    }
}
