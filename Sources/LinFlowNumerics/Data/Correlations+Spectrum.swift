import Foundation

extension Correlations {
    /// The eigenvalues of Σ11, in decreasing order.
    ///
    /// Read from samples, Σ11 = FᵀF for the factor F = [R_x; x̄ᵀ] (R_x the input block of
    /// ``covarianceFactor``, so R_xᵀR_x = C11, and Σ11 = C11 + x̄x̄ᵀ); for x̃ = [x; 1]
    /// (``augmented()``) F̃ = [R_x 0; x̄ᵀ 1]. The eigenvalues are then the squared singular values
    /// of F, padded with zeros. With fewer samples than inputs every row of R_x past about N is
    /// zero to rounding: dropping the rows of norm below max(N, n)·ε·‖F‖_F (they move Σ11 by
    /// less than its own rounding) leaves a k × n factor, k ≤ N + 1, whose SVD costs O(k²n)
    /// where an eigensolver on Σ11 costs O(n³) — seconds instead of an hour at N = 3, n = 20 000.
    /// Where nothing is dropped (N ≥ n, the usual case) or the moments were given without the
    /// factor, LAPACK's dsyevd on Σ11 itself.
    public func sigma11Eigenvalues() throws -> [Double] {
        let n = inputs - (constantLastInput ? 1 : 0)
        guard let r = covarianceFactor, let mean = inputMean, n > 0 else { return try symmetricEigenvalues(sigma11) }
        let rowNorms = (0..<n).map { i in (i..<n).reduce(0.0) { $0 + r[i, $1] * r[i, $1] }.squareRoot() }
        let meanNorm = mean.reduce(0.0) { $0 + $1 * $1 }.squareRoot()
        let frobenius = hypot(rowNorms.reduce(0.0) { hypot($0, $1) }, meanNorm)
        let tol = Double(max(sampleCount, n)) * Double.ulpOfOne * frobenius
        let kept = rowNorms.indices.filter { rowNorms[$0] > tol }
        guard kept.count + 1 < inputs else { return try symmetricEigenvalues(sigma11) }
        var f = Matrix(rows: kept.count + 1, cols: inputs)
        for (row, i) in kept.enumerated() { for j in i..<n { f[row, j] = r[i, j] } }
        for j in 0..<inputs { f[kept.count, j] = mean[j] }
        let values = try singularValuesLAPACK(f).map { $0 * $0 }
        return values + [Double](repeating: 0, count: inputs - values.count)
    }
}
