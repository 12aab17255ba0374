import CGSL

/// Small constructors and slices used by the initialisations and the closed forms.
extension Matrix {
    /// diag(d) (square).
    public static func diagonal(_ d: [Double]) -> Matrix {
        var m = Matrix(rows: d.count, cols: d.count)
        for i in 0..<d.count { m[i, i] = d[i] }
        return m
    }

    /// The first k columns.
    public func leadingColumns(_ k: Int) -> Matrix { columns(Array(0..<k)) }

    /// The columns at `indices`, in that order.
    public func columns(_ indices: [Int]) -> Matrix {
        Matrix(rows: rows, cols: indices.count, storage: (0..<rows).flatMap { r in indices.map { self[r, $0] } })
    }

    /// The submatrix of the rows and columns in the given ranges.
    public func block(rows r: Range<Int>, cols c: Range<Int>) -> Matrix {
        Matrix(rows: r.count, cols: c.count, storage: r.flatMap { i in c.map { self[i, $0] } })
    }

    /// Column j as an array.
    public func column(_ j: Int) -> [Double] { (0..<rows).map { self[$0, j] } }

    /// The largest |a_ij|.
    public var maxAbs: Double { storage.reduce(0) { Swift.max($0, abs($1)) } }
}

extension GaussianSource {
    /// A random n × k matrix with orthonormal columns (k ≤ n), uniform (Haar) on the Stiefel
    /// manifold: the Q of GSL's Householder QR of a matrix of N(0, 1) entries (drawn row-major),
    /// each column's sign fixed so that R has a positive diagonal, which makes Q Haar.
    public func orthonormalColumns(_ n: Int, _ k: Int) -> Matrix {
        precondition(k <= n)
        let a = gsl_matrix_alloc(n, k)!, tau = gsl_vector_alloc(k)!
        let q = gsl_matrix_alloc(n, n)!, r = gsl_matrix_alloc(n, k)!
        defer { gsl_matrix_free(a); gsl_vector_free(tau); gsl_matrix_free(q); gsl_matrix_free(r) }
        for i in 0..<n { for j in 0..<k { gsl_matrix_set(a, i, j, next(standardDeviation: 1)) } }
        // A Gaussian matrix has full rank with probability 1, so these cannot fail.
        _ = gsl_linalg_QR_decomp(a, tau)
        _ = gsl_linalg_QR_unpack(a, tau, q, r)
        var m = Matrix(rows: n, cols: k)
        for j in 0..<k {
            let sign: Double = gsl_matrix_get(r, j, j) < 0 ? -1 : 1
            for i in 0..<n { m[i, j] = sign * gsl_matrix_get(q, i, j) }
        }
        return m
    }
}
