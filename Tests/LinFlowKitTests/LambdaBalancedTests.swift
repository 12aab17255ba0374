import Foundation
import Testing
import Numerics
@testable import LinFlowNumerics
import LinFlowTestSupport
@testable import LinFlowIO
@testable import LinFlowPlot
@testable import LinFlowRuns
@testable import LinFlowSweep

/// λ-balanced starts, W32ᵀW32 − W21W21ᵀ = λI, and the exact solution of their flow
/// (Riccati with F_λ) against the numerically integrated flow.
@Suite struct LambdaBalancedTests {
    static let lambdas = [-2, -0.5, 0, 0.5, 2]

    /// (n0, n1, n2) for which a start with this λ exists: λ > 0 needs n2 ≥ n1, λ < 0 n0 ≥ n1.
    static func shapes(for lambda: Double) -> [[Int]] {
        if lambda > 0 { return [[2, 3, 4], [5, 3, 3], [3, 2, 6], [4, 1, 2]] }
        if lambda < 0 { return [[4, 3, 2], [3, 3, 5], [6, 2, 3], [2, 1, 4]] }
        return [[2, 5, 3], [4, 3, 2], [3, 4, 6], [2, 2, 2]]
    }

    func balance(_ w: Weights) -> Matrix {
        let a = w.layer(1), b = w.layer(2)
        return b.transposed * b - a * a.transposed
    }

    @Test(arguments: lambdas)
    func startsAreLambdaBalanced(lambda: Double) throws {
        for sizes in Self.shapes(for: lambda) {
            for seed in 1...4 as ClosedRange<UInt64> {
                for scale in [0, 0.01, 0.7] {
                    let a = try Architecture(sizes: sizes)
                    let w = try Initialization.lambdaBalanced(seed: seed, scale: scale, lambda: lambda).weights(for: a)
                    let d = balance(w)
                    #expect(d.isApproximatelyEqual(to: lambda * Matrix.identity(sizes[1]), absoluteTolerance: 1e-14 * max(1, abs(lambda))),
                            "\(sizes) λ \(lambda) σ \(scale)")
                    #expect(LambdaBalancedStart.lambda(of: w).map { abs($0 - lambda) < 1e-14 * max(1, abs(lambda)) } == true)
                    if scale > 0 && lambda != 0 {
                        // The free layer is the Gaussian one, at scale σ: its mean square entry ≈ σ².
                        let free = lambda > 0 ? w.layer(1) : w.layer(2)
                        #expect(free.frobeniusNorm > 0.1 * scale)
                    }
                }
            }
        }
        let a = try Architecture(sizes: Self.shapes(for: lambda)[0])
        func start(_ seed: UInt64) throws -> Weights {
            try Initialization.lambdaBalanced(seed: seed, scale: 0.1, lambda: lambda).weights(for: a)
        }
        #expect(try start(5) == start(5))
        #expect(try start(5) != start(6))
    }

    /// λ > 0 needs outputs ≥ hidden, λ < 0 inputs ≥ hidden; only two layers.
    @Test(arguments: [
        ([3, 4, 2], 0.5, "outputs ≥ hidden"), ([3, 4, 5], -0.5, "inputs ≥ hidden"),
        ([3, 3, 3, 3], 0.0, "two-layer"), ([3, 2, 3], Double.nan, "finite"), ([3, 2, 3], 1e300, "overflows"),
    ])
    func refusals(sizes: [Int], lambda: Double, message: String) throws {
        let a = try Architecture(sizes: sizes)
        do {
            _ = try Initialization.lambdaBalanced(seed: 1, scale: lambda == 1e300 ? 1e300 : 0.1, lambda: lambda).weights(for: a)
            Issue.record("accepted \(sizes) λ \(lambda)")
        } catch let e as LinflowError {
            #expect(e.description.contains(message), "\(e.description)")
            #expect(e.exitCode == 64)
        }
        #expect(throws: LinflowError.self) { try Initialization(argument: "lambda-balanced", seed: 1, scale: 0.1) }
        #expect(throws: LinflowError.self) { try Initialization(argument: "random", seed: 1, scale: 0.1, lambda: 1) }
    }

    /// Σ11 = cI with a random Σ31, optionally of rank one (a zero singular value).
    /// An anti-aligned start: W21 = a R V_kᵀ, W32 = −b U_k Rᵀ with b² − a² = λ along Σ31's top
    /// singular vectors, so W32W21 = −ab U_kV_kᵀ points against the task. Braun et al.'s
    /// normalised form divides by a matrix B that is singular here; this form must not care.
    func antiAlignedStart(_ data: Correlations, hidden: Int, lambda: Double, a: Double) throws -> Weights {
        let svd = try SingularValueDecomposition(data.sigma31)
        let r = try SingularValueDecomposition(Matrix.identity(hidden) + 0.3 * Matrix(rows: hidden, cols: hidden,
            storage: (0..<(hidden * hidden)).map { sin(Double($0 + 1)) })).u
        let b = (a * a + lambda).squareRoot()
        let w21 = a * (r * svd.v.leadingColumns(hidden).transposed)
        let w32 = -b * (svd.u.leadingColumns(hidden) * r.transposed)
        return Weights(architecture: try Architecture(sizes: [data.inputs, hidden, data.outputs]), layers: [w21, w32])
    }

    static let times = [0.25, 0.5, 1, 2, 4, 8, 16]

    /// A λ so large that the stepped formula would need more than 10⁶ steps is refused (exit 3)
    /// when asked to go that far, not run for hours.
    @Test func hugeLambdaIsRefusedNotRun() throws {
        var g = SplitMix64(seed: 4)
        let data = whiteProblem(3, 4, c: 1, rankOne: false, &g)
        let w0 = try Initialization.lambdaBalanced(seed: 1, scale: 0.1, lambda: 1e8).weights(for: Architecture(sizes: [3, 2, 4]))
        var solution = try RiccatiSolution(start: w0, white: WhiteInputs(data), anyLambda: true)
        try solution.advance(to: 1e-3)
        do {
            try solution.advance(to: 1)
            Issue.record("advanced 10⁸ steps")
        } catch let e as LinflowError { #expect(e.exitCode == 3 && e.description.contains("steps")) }
    }

    /// QQᵀ (end-to-end map, W21ᵀW21, W32W32ᵀ) of the exact solution against rk8pd at rtol 1e-12,
    /// over λ, shapes (more outputs than inputs and the reverse), c, seeds, random and
    /// anti-aligned (singular-B) starts, and Σ31 of full rank and of rank one; the flow's
    /// balance stays λI, and so does the exact solution's.
    @Test(arguments: lambdas)
    func exactSolutionMatchesTheFlow(lambda: Double) throws {
        var g = SplitMix64(seed: 1000 + UInt64(lambda * 10 + 50))
        var worst = 0.0, worstBalance = 0.0
        for (si, sizes) in Self.shapes(for: lambda).enumerated() {
            for trial in 0..<6 {
                let c = [1, 0.125, 2][trial % 3]
                let data = whiteProblem(sizes[0], sizes[2], c: c, rankOne: trial == 5, &g)
                let a = try Architecture(sizes: sizes)
                let w0: Weights
                if trial == 4 && sizes[1] <= min(sizes[0], sizes[2]) {
                    w0 = try antiAlignedStart(data, hidden: sizes[1], lambda: lambda, a: lambda < 0 ? 1.6 : 0.3)
                } else {
                    let scale = [1e-3, 0.05, 0.4, 1.0, 0.0, 0.2][trial]
                    w0 = try Initialization.lambdaBalanced(seed: UInt64(10 * si + trial + 1), scale: scale, lambda: lambda).weights(for: a)
                }
                var solution = try RiccatiSolution(start: w0, white: WhiteInputs(data), anyLambda: true)
                #expect(solution.lambda == 0 || abs(solution.lambda - lambda) < 1e-13)
                let path = try integrate(GradientFlow(architecture: a, correlations: data), from: w0, times: Self.times,
                                         method: .rk8pd, rtol: 1e-12, atol: 1e-14)
                for (t, w) in zip(Self.times, path) {
                    try solution.advance(to: t)
                    let exact = solution.weights
                    let d = max(maxAbsDifference(gram(exact), gram(w)), maxAbsDifference(exact.endToEnd, w.endToEnd))
                    worst = max(worst, d)
                    #expect(d < 1e-8, "\(sizes) λ \(lambda) trial \(trial) t \(t): \(d)")
                    let identity = lambda * Matrix.identity(sizes[1])
                    let drift = max(maxAbsDifference(balance(w), identity), maxAbsDifference(balance(exact), identity))
                    worstBalance = max(worstBalance, drift)
                    #expect(drift < 1e-9, "\(sizes) λ \(lambda) trial \(trial) t \(t): balance drift \(drift)")
                }
            }
        }
        print("λ-balanced exact solution, λ = \(lambda): largest deviation of QQᵀ and W32W21 from rk8pd \(worst), largest drift of the balance \(worstBalance)")
    }

    /// One descent step W ← W − η∇L changes D = W32ᵀW32 − W21W21ᵀ by exactly
    /// η²(W21EᵀEW21ᵀ − W32ᵀEEᵀW32), E = Σ31 − W32W21Σ11 (the O(η) terms cancel), with E formed
    /// here from the samples.
    @Test func descentChangesTheBalanceByEtaSquaredTerms() throws {
        let samples = Samples(n: 25, inputs: 4, outputs: 5, seed: 3)
        let data = samples.correlations
        let a = try Architecture(sizes: [4, 3, 5])
        let w0 = try Initialization.lambdaBalanced(seed: 2, scale: 0.5, lambda: 0.7).weights(for: a)
        var s11 = Matrix(rows: 4, cols: 4), s31 = Matrix(rows: 5, cols: 4)
        for (x, y) in zip(samples.x, samples.y) {
            for i in 0..<4 {
                for j in 0..<4 { s11[i, j] += x[i] * x[j] / 25 }
                for o in 0..<5 { s31[o, i] += y[o] * x[i] / 25 }
            }
        }
        let w21 = w0.layer(1), w32 = w0.layer(2)
        let e = s31 - w32 * w21 * s11
        let predicted = w21 * e.transposed * e * w21.transposed - w32.transposed * e * e.transposed * w32
        for eta in [0.01, 0.1, 0.3] {
            let descent = GradientDescent(gradientSource: try GradientFlow(architecture: a, correlations: data), initial: w0, learningRate: eta)
            descent.advance()
            let change = balance(descent.weights) - balance(w0)
            #expect(change.isApproximatelyEqual(to: eta * eta * predicted, absoluteTolerance: 1e-13), "η \(eta)")
            #expect(maxAbsDifference(change, Matrix(rows: 3, cols: 3)) > 1e-3 * eta * eta)
        }
    }
}
