import Foundation
import Testing
@testable import LinFlowNumerics
import LinFlowTestSupport

/// The eigenvalues `stats` prints, checked against the Gram matrix of the samples: for N
/// samples of n inputs, Σ11 = XᵀX/N and XXᵀ/N (N × N) share their nonzero eigenvalues, and
/// Σ11 has n − N more that are zero.
@Suite struct SpectrumTests {
    func samples(_ count: Int, _ n: Int, offset: Double, _ g: inout SplitMix64) -> [[Double]] {
        (0..<count).map { _ in (0..<n).map { _ in offset + g.normal() } }
    }

    func correlations(_ x: [[Double]]) -> Correlations {
        var acc = CorrelationAccumulator(inputs: x[0].count, outputs: 1)
        for (k, row) in x.enumerated() { acc.add(input: row, output: [Double(k)]) }
        return acc.finish()
    }

    /// Eigenvalues of XXᵀ/N, decreasing, padded with n − N zeros.
    func gramEigenvalues(_ x: [[Double]], inputs n: Int) throws -> [Double] {
        let count = x.count
        var gram = Matrix(rows: count, cols: count)
        for i in 0..<count { for j in 0..<count { gram[i, j] = zip(x[i], x[j]).reduce(0) { $0 + $1.0 * $1.1 } / Double(count) } }
        let values = try symmetricEigen(gram).values.sorted(by: >)
        return values + [Double](repeating: 0, count: n - count)
    }

    @Test(arguments: [0.0, 30.0])
    func fewerSamplesThanInputs(offset: Double) throws {
        var g = SplitMix64(seed: 21)
        let x = samples(4, 60, offset: offset, &g)
        let c = correlations(x)
        let expected = try gramEigenvalues(x, inputs: 60)
        let got = try c.sigma11Eigenvalues()
        #expect(got.count == 60)
        // Eigenvalue error of either computation: a few n·ε·λ_max.
        let tol = 1e3 * Double.ulpOfOne * expected[0]
        for (a, b) in zip(got, expected) { #expect(abs(a - b) <= tol, "\(a) vs \(b)") }
        #expect(got[4...].allSatisfy { $0 == 0 })

        // x̃ = [x; 1]: the Gram of the augmented samples.
        let augmented = try c.augmented().sigma11Eigenvalues()
        let expectedAugmented = try gramEigenvalues(x.map { $0 + [1] }, inputs: 61)
        for (a, b) in zip(augmented, expectedAugmented) { #expect(abs(a - b) <= tol, "\(a) vs \(b)") }
    }

    @Test func moreSamplesThanInputsUsesSigma11Itself() throws {
        var g = SplitMix64(seed: 5)
        let x = samples(40, 6, offset: 0.5, &g)
        let c = correlations(x)
        let expected = try symmetricEigen(c.sigma11).values.sorted(by: >)
        let got = try c.sigma11Eigenvalues()
        for (a, b) in zip(got, expected) { #expect(abs(a - b) <= 1e3 * Double.ulpOfOne * expected[0]) }
    }

    @Test func dataTooWideForMemoryIsRefused() throws {
        #expect(throws: LinflowError.self) {
            try CorrelationAccumulator.checkFitsInMemory(inputs: 20_001, outputs: 2, available: 1e9)
        }
        try CorrelationAccumulator.checkFitsInMemory(inputs: 2_000, outputs: 2, available: 1e9)
    }
}
