import Testing
import Numerics
@testable import LinFlowNumerics
import LinFlowTestSupport
@testable import LinFlowIO
@testable import LinFlowPlot
@testable import LinFlowRuns
@testable import LinFlowSweep

/// LAPACK's eigensolvers (production: Σ11's pseudo-inverse, the Lanczos tridiagonal) against
/// GSL's dense symmetric solver (the reference) and against the defining equations.
@Suite struct LAPACKTests {
    func randomSymmetric(_ n: Int, _ g: inout SplitMix64, psd: Bool) -> Matrix {
        var b = Matrix(rows: n, cols: n)
        for i in 0..<n { for j in 0..<n { b[i, j] = g.normal() } }
        if psd { return b * b.transposed }
        var a = Matrix(rows: n, cols: n)
        for i in 0..<n { for j in 0..<n { a[i, j] = 0.5 * (b[i, j] + b[j, i]) } }
        return a
    }

    @Test(arguments: [1, 2, 5, 31, 120])
    func divideAndConquerMatchesGSLAndTheDefinition(n: Int) throws {
        var g = SplitMix64(seed: UInt64(1000 + n))
        for psd in [false, true] {
            let a = randomSymmetric(n, &g, psd: psd)
            let (values, o) = try symmetricEigenDivideAndConquer(a)
            let reference = try symmetricEigen(a).values
            let scale = reference.map(abs).max()!
            for (x, y) in zip(values, reference) { #expect(abs(x - y) <= 1e-12 * scale) }
            // Decreasing, A o_k = λ_k o_k, OᵀO = I.
            #expect(zip(values, values.dropFirst()).allSatisfy { $0 >= $1 })
            let ao = a * o, oto = o.transposed * o
            for i in 0..<n {
                for k in 0..<n {
                    #expect(abs(ao[i, k] - values[k] * o[i, k]) <= 1e-11 * scale)
                    #expect(abs(oto[i, k] - (i == k ? 1 : 0)) <= 1e-12)
                }
            }
        }
    }

    /// A lower-triangle-only input (upper triangle garbage) must give the same result: the
    /// routine reads the lower triangle, as GSL's does.
    @Test func readsTheLowerTriangle() throws {
        var g = SplitMix64(seed: 5)
        let a = randomSymmetric(7, &g, psd: false)
        var lower = a
        for i in 0..<7 { for j in (i + 1)..<7 { lower[i, j] = 1e6 } }
        let x = try symmetricEigenDivideAndConquer(a).values, y = try symmetricEigenDivideAndConquer(lower).values
        for (u, v) in zip(x, y) { #expect(abs(u - v) <= 1e-12 * x.map(abs).max()!) }
    }

    @Test(arguments: [1, 2, 3, 10, 64, 300])
    func tridiagonalTopEigenpairMatchesTheDenseSolver(k: Int) throws {
        var g = SplitMix64(seed: UInt64(k))
        for trial in 0..<5 {
            // Some with a dominant negative eigenvalue: the largest algebraic one is wanted.
            let shift = trial % 2 == 0 ? 0 : -3.0
            let alpha = (0..<k).map { _ in g.normal() + shift }
            let beta = (0..<max(0, k - 1)).map { _ in trial == 4 ? 1e-9 * g.normal() : g.normal() }
            var t = Matrix(rows: k, cols: k)
            for i in 0..<k {
                t[i, i] = alpha[i]
                if i + 1 < k { t[i, i + 1] = beta[i]; t[i + 1, i] = beta[i] }
            }
            let (value, s) = try tridiagonalTopEigenpair(diagonal: alpha, offDiagonal: beta)
            let reference = try symmetricEigen(t).values[0]
            let scale = max(1, abs(reference))
            #expect(abs(value - reference) <= 1e-13 * scale, "k \(k) trial \(trial)")
            let ts = t * Matrix(rows: k, cols: 1, storage: s)
            #expect(abs(s.map { $0 * $0 }.reduce(0, +) - 1) <= 1e-13)
            for i in 0..<k { #expect(abs(ts[i, 0] - value * s[i]) <= 1e-12 * scale) }
        }
    }
}
