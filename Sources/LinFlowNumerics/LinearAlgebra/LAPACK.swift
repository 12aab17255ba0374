import CGSL

// The two eigenproblems where GSL's unblocked routines are the bottleneck, solved by LAPACK
// (OpenBLAS's): Σ11's decomposition for the least-squares map (GSL's `gsl_eigen_symmv` took
// ~1 s at 784 inputs) and the top eigenpair of the Lanczos tridiagonal (GSL's dense solver is
// O(k³) per call; `dstevx` finds one eigenpair in O(k)). GSL's `symmetricEigen` stays the
// reference the tests compare these with.

/// A LAPACK failure is a ``LinflowError/numerical(_:)`` (exit 3), as GSL's are, so the CLI
/// reports it like every other numerical failure.
private func lapackFailure(_ routine: String, info: Int32) -> LinflowError {
    .numerical("LAPACK \(routine) failed (info \(info))")
}

/// Symmetric eigen-decomposition A = O diag(λ) Oᵀ by LAPACK's divide and conquer (`dsyevd`):
/// eigenvalues in decreasing order, orthonormal eigenvectors in the columns of O. Reads the
/// lower triangle of A (row-major), as ``symmetricEigen(_:)`` does.
public func symmetricEigenDivideAndConquer(_ a: Matrix) throws -> (values: [Double], vectors: Matrix) {
    precondition(a.rows == a.cols)
    let n = a.rows
    guard n > 0 else { return ([], Matrix(rows: 0, cols: 0)) }
    // Row-major A read as column-major is Aᵀ; for a symmetric A, "U" of the column-major array
    // is the row-major lower triangle.
    var z = a.storage
    var w = [Double](repeating: 0, count: n)
    var n32 = Int32(n), info: Int32 = 0
    var lwork: Int32 = -1, liwork: Int32 = -1
    var workQuery = 0.0, iworkQuery: Int32 = 0
    dsyevd_("V", "U", &n32, &z, &n32, &w, &workQuery, &lwork, &iworkQuery, &liwork, &info, 1, 1)
    guard info == 0 else { throw lapackFailure("dsyevd (workspace query)", info: info) }
    lwork = Int32(workQuery)
    liwork = iworkQuery
    var work = [Double](repeating: 0, count: Int(lwork))
    var iwork = [Int32](repeating: 0, count: Int(liwork))
    dsyevd_("V", "U", &n32, &z, &n32, &w, &work, &lwork, &iwork, &liwork, &info, 1, 1)
    guard info == 0 else { throw lapackFailure("dsyevd", info: info) }
    // Column-major Z: eigenvector k is z[k*n ..< (k+1)*n], eigenvalues ascending.
    var vectors = Matrix(rows: n, cols: n)
    for k in 0..<n {
        let src = n - 1 - k
        for i in 0..<n { vectors[i, k] = z[src * n + i] }
    }
    return (w.reversed(), vectors)
}

/// The largest eigenvalue of the symmetric tridiagonal matrix with `diagonal` α and
/// `offDiagonal` β (β_i couples i and i+1) and its unit eigenvector, by LAPACK's `dstevx`
/// (bisection to full accuracy, then inverse iteration): O(k) where a dense solver is O(k³).
public func tridiagonalTopEigenpair(diagonal: [Double], offDiagonal: [Double]) throws -> (value: Double, vector: [Double]) {
    let k = diagonal.count
    precondition(k > 0 && offDiagonal.count >= k - 1)
    var d = diagonal, e = Array(offDiagonal.prefix(k - 1)) + [0]
    var n = Int32(k), il = Int32(k), iu = Int32(k), m: Int32 = 0, info: Int32 = 0, ldz = Int32(k)
    var vl = 0.0, vu = 0.0
    // Twice the underflow threshold: the most accurate eigenvalues dstevx can give.
    var abstol = 2 * Double.leastNormalMagnitude
    var w = [Double](repeating: 0, count: k), z = [Double](repeating: 0, count: k)
    var work = [Double](repeating: 0, count: 5 * k)
    var iwork = [Int32](repeating: 0, count: 5 * k), ifail = [Int32](repeating: 0, count: k)
    dstevx_("V", "I", &n, &d, &e, &vl, &vu, &il, &iu, &abstol, &m, &w, &z, &ldz, &work, &iwork, &ifail, &info, 1, 1)
    guard info == 0, m == 1 else { throw lapackFailure("dstevx", info: info) }
    return (w[0], z)
}
