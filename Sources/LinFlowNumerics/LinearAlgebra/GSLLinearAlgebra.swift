import CGSL

/// Thin singular value decomposition A = U diag(s) Vᵀ by GSL's Golub–Reinsch algorithm.
public struct SingularValueDecomposition: Sendable {
    /// m × r, r = min(m, n); columns are the left singular vectors.
    public let u: Matrix
    /// Singular values in decreasing order, length r.
    public let values: [Double]
    /// n × r; columns are the right singular vectors.
    public let v: Matrix

    public init(_ a: Matrix) throws {
        _ = GSL.setUp
        // GSL's SVD wants m >= n; decompose the transpose otherwise and swap the factors.
        if a.rows < a.cols {
            let t = try SingularValueDecomposition(a.transposed)
            self.u = t.v
            self.values = t.values
            self.v = t.u
            return
        }
        let m = a.rows, n = a.cols
        guard n > 0 else {
            self.u = Matrix(rows: m, cols: 0)
            self.values = []
            self.v = Matrix(rows: 0, cols: 0)
            return
        }
        let gu = gsl_matrix_alloc(m, n)!
        let gv = gsl_matrix_alloc(n, n)!
        let gs = gsl_vector_alloc(n)!
        defer { gsl_matrix_free(gu); gsl_matrix_free(gv); gsl_vector_free(gs) }
        for r in 0..<m { for c in 0..<n { gsl_matrix_set(gu, r, c, a[r, c]) } }
        // Golub–Reinsch, not GSL's one-sided Jacobi: in GSL 2.7.1 the Jacobi routine stops its
        // sweeps early on matrices of a few dozen columns and returns singular values off by
        // ~1e-7 relative while reporting success (Tests: SingularValueTests).
        let work = gsl_vector_alloc(n)!
        defer { gsl_vector_free(work) }
        try GSL.check(gsl_linalg_SV_decomp(gu, gv, gs, work), "singular value decomposition")
        var u = Matrix(rows: m, cols: n), v = Matrix(rows: n, cols: n)
        for r in 0..<m { for c in 0..<n { u[r, c] = gsl_matrix_get(gu, r, c) } }
        for r in 0..<n { for c in 0..<n { v[r, c] = gsl_matrix_get(gv, r, c) } }
        self.u = u
        self.v = v
        self.values = (0..<n).map { gsl_vector_get(gs, $0) }
    }

    /// Numerical rank: singular values above `max(m, n) · ε · s_max` (the usual LAPACK cut-off).
    public var rank: Int {
        guard let smax = values.first, smax > 0 else { return 0 }
        let tol = Double(max(u.rows, v.rows)) * Double.ulpOfOne * smax
        return values.filter { $0 > tol }.count
    }
}

extension Matrix {
    /// Moore–Penrose pseudo-inverse A⁺ = V diag(1/s) Uᵀ over the singular values above the
    /// rank cut-off. Equals A⁻¹ when A is invertible.
    public func pseudoInverse() throws -> (inverse: Matrix, rank: Int) {
        let svd = try SingularValueDecomposition(self)
        let r = svd.rank
        var p = Matrix(rows: cols, cols: rows)
        for k in 0..<r {
            let inv = 1 / svd.values[k]
            for i in 0..<cols {
                let vik = svd.v[i, k] * inv
                for j in 0..<rows { p[i, j] += vik * svd.u[j, k] }
            }
        }
        return (p, r)
    }
}

extension Matrix {
    /// Moore–Penrose pseudo-inverse of a symmetric positive semidefinite matrix from its
    /// eigen-decomposition A = O diag(λ) Oᵀ (LAPACK's dsyevd, see LAPACK.swift): A⁺ = O_r diag(1/λ) O_rᵀ over the eigenvalues above
    /// the rank cut-off n · ε · λ_max (the SVD's cut-off, as the singular values of such a
    /// matrix are its eigenvalues). Eigenvalues at or below it, including the slightly negative
    /// ones rounding gives a singular A, count as zero. Computed as B Bᵀ with B = O_r diag(λ^-½),
    /// so the result is exactly symmetric. Only the symmetric part of A is meaningful: the
    /// decomposition reads the lower triangle.
    public func symmetricPseudoInverse() throws -> (inverse: Matrix, rank: Int) {
        precondition(rows == cols, "symmetricPseudoInverse needs a square matrix")
        let n = rows
        let (values, o) = try symmetricEigenDivideAndConquer(self)
        guard let lmax = values.first, lmax > 0 else { return (Matrix(rows: n, cols: n), 0) }
        let tol = Double(n) * Double.ulpOfOne * lmax
        let r = values.prefix { $0 > tol }.count  // values are in decreasing order
        var b = Matrix(rows: n, cols: r)
        let scale = values.prefix(r).map { 1 / $0.squareRoot() }
        for i in 0..<n { for k in 0..<r { b[i, k] = o[i, k] * scale[k] } }
        var p = Matrix(rows: n, cols: n)
        if r > 0 {
            b.storage.withUnsafeBufferPointer { pb in
                p.storage.withUnsafeMutableBufferPointer { pp in
                    syrkUpper(.none, n, r, 1, pb.baseAddress!, r, 0, pp.baseAddress!, n)
                }
            }
            for i in 0..<n { for j in (i + 1)..<n { p[j, i] = p[i, j] } }
        }
        return (p, r)
    }
}


/// Symmetric eigen-decomposition A = O diag(λ) Oᵀ by GSL: eigenvalues in decreasing order,
/// orthonormal eigenvectors in the columns of O.
public func symmetricEigen(_ a: Matrix) throws -> (values: [Double], vectors: Matrix) {
    _ = GSL.setUp
    precondition(a.rows == a.cols)
    let n = a.rows
    guard n > 0 else { return ([], Matrix(rows: 0, cols: 0)) }
    let g = gsl_matrix_alloc(n, n)!
    let e = gsl_vector_alloc(n)!
    let o = gsl_matrix_alloc(n, n)!
    let w = gsl_eigen_symmv_alloc(n)!
    defer { gsl_matrix_free(g); gsl_vector_free(e); gsl_matrix_free(o); gsl_eigen_symmv_free(w) }
    for r in 0..<n { for c in 0..<n { gsl_matrix_set(g, r, c, a[r, c]) } }
    try GSL.check(gsl_eigen_symmv(g, e, o, w), "symmetric eigen-decomposition")
    try GSL.check(gsl_eigen_symmv_sort(e, o, GSL_EIGEN_SORT_VAL_DESC), "sorting eigenvalues")
    var vectors = Matrix(rows: n, cols: n)
    for r in 0..<n { for c in 0..<n { vectors[r, c] = gsl_matrix_get(o, r, c) } }
    return ((0..<n).map { gsl_vector_get(e, $0) }, vectors)
}
