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
    let n = a.rows
    guard n > 0 else { return ([], Matrix(rows: 0, cols: 0)) }
    let (ascending, z) = try dsyevd(a, vectors: true)
    // Column-major Z: eigenvector k is z[k*n ..< (k+1)*n], eigenvalues ascending.
    var vectors = Matrix(rows: n, cols: n)
    for k in 0..<n {
        let src = n - 1 - k
        for i in 0..<n { vectors[i, k] = z[src * n + i] }
    }
    return (ascending.reversed(), vectors)
}

/// Symmetric eigenvalues in decreasing order, by LAPACK's dsyevd without eigenvectors: O(n³)
/// with a small constant, where GSL's symmv computes the vectors too, unblocked (`stats` prints
/// only the values).
public func symmetricEigenvalues(_ a: Matrix) throws -> [Double] {
    guard a.rows > 0 else { return [] }
    return try dsyevd(a, vectors: false).values.reversed()
}

/// LAPACK's dsyevd on a symmetric A: eigenvalues ascending, and with `vectors` the column-major
/// eigenvectors (otherwise the overwritten input). Row-major A read as column-major is Aᵀ; for a
/// symmetric A, "U" of the column-major array is the row-major lower triangle.
private func dsyevd(_ a: Matrix, vectors: Bool) throws -> (values: [Double], z: [Double]) {
    precondition(a.rows == a.cols && a.rows > 0)
    let jobz = vectors ? "V" : "N"
    var z = a.storage
    var w = [Double](repeating: 0, count: a.rows)
    var n32 = Int32(a.rows), info: Int32 = 0
    var lwork: Int32 = -1, liwork: Int32 = -1
    var workQuery = 0.0, iworkQuery: Int32 = 0
    dsyevd_(jobz, "U", &n32, &z, &n32, &w, &workQuery, &lwork, &iworkQuery, &liwork, &info, 1, 1)
    guard info == 0 else { throw lapackFailure("dsyevd (workspace query)", info: info) }
    lwork = Int32(workQuery)
    liwork = max(1, iworkQuery)
    var work = [Double](repeating: 0, count: Int(lwork))
    var iwork = [Int32](repeating: 0, count: Int(liwork))
    dsyevd_(jobz, "U", &n32, &z, &n32, &w, &work, &lwork, &iwork, &liwork, &info, 1, 1)
    guard info == 0 else { throw lapackFailure("dsyevd", info: info) }
    return (w, z)
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

/// The SVD A = U diag(s) Vᵀ of an m × n matrix by LAPACK's divide and conquer (`dgesdd`), thin:
/// U is m × k, V is n × k, k = min(m, n), s decreasing. Used on the samples' R factor for the
/// least-squares map (GSL's one-sided Jacobi/Golub–Kahan SVD is unblocked: seconds at 784 columns).
public func singularValueDecompositionLAPACK(_ a: Matrix) throws -> (u: Matrix, values: [Double], v: Matrix) {
    let m = a.rows, n = a.cols, k = min(m, n)
    guard k > 0 else { return (Matrix(rows: m, cols: 0), [], Matrix(rows: n, cols: 0)) }
    let (s, u, vt) = try dgesdd(a, vectors: true)
    var um = Matrix(rows: m, cols: k), vm = Matrix(rows: n, cols: k)
    for c in 0..<k {
        for i in 0..<m { um[i, c] = u[c * m + i] }
        for j in 0..<n { vm[j, c] = vt[j * k + c] }  // Vᵀ is k × n column-major: (c, j) at j·k + c
    }
    return (um, s, vm)
}

/// The singular values of an m × n matrix, decreasing, by `dgesdd` without vectors.
public func singularValuesLAPACK(_ a: Matrix) throws -> [Double] {
    guard min(a.rows, a.cols) > 0 else { return [] }
    return try dgesdd(a, vectors: false).values
}

/// LAPACK's dgesdd on a row-major A (copied column-major): the singular values, and with
/// `vectors` the thin U (m × k) and Vᵀ (k × n), column-major.
private func dgesdd(_ a: Matrix, vectors: Bool) throws -> (values: [Double], u: [Double], vt: [Double]) {
    let m = a.rows, n = a.cols, k = min(m, n)
    var cm = [Double](repeating: 0, count: m * n)
    for i in 0..<m { for j in 0..<n { cm[j * m + i] = a[i, j] } }
    let jobz = vectors ? "S" : "N"
    var m32 = Int32(m), n32 = Int32(n), ldu = Int32(vectors ? m : 1), ldvt = Int32(vectors ? k : 1), info: Int32 = 0
    var s = [Double](repeating: 0, count: k)
    var u = [Double](repeating: 0, count: vectors ? m * k : 1), vt = [Double](repeating: 0, count: vectors ? k * n : 1)
    var iwork = [Int32](repeating: 0, count: 8 * k)
    var lwork: Int32 = -1, query = 0.0
    dgesdd_(jobz, &m32, &n32, &cm, &m32, &s, &u, &ldu, &vt, &ldvt, &query, &lwork, &iwork, &info, 1)
    guard info == 0 else { throw lapackFailure("dgesdd (workspace query)", info: info) }
    lwork = Int32(query)
    var work = [Double](repeating: 0, count: Int(lwork))
    dgesdd_(jobz, &m32, &n32, &cm, &m32, &s, &u, &ldu, &vt, &ldvt, &work, &lwork, &iwork, &info, 1)
    guard info == 0 else { throw lapackFailure("dgesdd", info: info) }
    return (s, u, vt)
}

/// The streaming step of a TSQR: R ← the R factor of [R; B] for an upper-triangular n × n R and
/// a block B of new rows, by Householder reflections that touch only R's triangle and B (about
/// 2·rows·n² flops). Both are row-major, as the samples arrive: row-major R and B are
/// column-major Rᵀ (lower triangular) and Bᵀ, and QR of [R; B] is the LQ of [Rᵀ Bᵀ], which
/// LAPACK's `dtplqt` computes in place (no transposed copy of the block). B is overwritten.
struct TriangularRowFolder {
    let columns: Int
    private let blockSize: Int32
    private var t: [Double]
    private var work: [Double]

    init(columns n: Int) {
        columns = n
        blockSize = Int32(max(1, min(n, 32)))
        t = []
        work = [Double](repeating: 0, count: Int(blockSize) * max(n, 1))
    }

    /// Folds `rows` rows held column-major at `b` (leading dimension `ldb`) into `r` (n × n, leading dimension n).
    /// Folds `rows` rows held row-major at `b` (`columns` values each, contiguous) into `r`
    /// (row-major n × n, upper triangle). dtplqt fails only on illegal arguments (info < 0), which
    /// would be a bug here.
    mutating func fold(rows: Int, _ b: UnsafeMutablePointer<Double>, into r: UnsafeMutablePointer<Double>) {
        guard rows > 0, columns > 0 else { return }
        var m = Int32(columns), n = Int32(rows), l: Int32 = 0, mb = blockSize, lda = Int32(columns), ldb = Int32(columns)
        var ldt = blockSize, info: Int32 = 0
        if t.count < Int(blockSize) * max(rows, columns) { t = [Double](repeating: 0, count: Int(blockSize) * max(rows, columns)) }
        dtplqt_(&m, &n, &l, &mb, r, &lda, b, &ldb, &t, &ldt, &work, &info)
        precondition(info == 0, "LAPACK dtplqt: illegal argument \(-info)")
    }
}
