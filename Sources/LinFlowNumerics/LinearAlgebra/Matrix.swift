import CGSL

/// A dense real matrix stored row-major: element (r, c) lives at `storage[r * cols + c]`.
///
/// This is the value type used everywhere outside the hot loops (set-up, reports, tests).
/// The ODE right-hand side works on raw buffers through ``gemm(_:_:_:_:_:_:_:_:_:_:_:_:_:)``
/// so that it allocates nothing per evaluation.
public struct Matrix: Equatable, Sendable, CustomStringConvertible {
    public let rows: Int
    public let cols: Int
    public var storage: [Double]

    public init(rows: Int, cols: Int, repeating value: Double = 0) {
        precondition(rows >= 0 && cols >= 0)
        self.rows = rows
        self.cols = cols
        self.storage = Array(repeating: value, count: rows * cols)
    }

    public init(rows: Int, cols: Int, storage: [Double]) {
        precondition(storage.count == rows * cols, "storage does not match \(rows)x\(cols)")
        self.rows = rows
        self.cols = cols
        self.storage = storage
    }

    /// Builds a matrix from nested rows, e.g. `Matrix([[1, 2], [3, 4]])`.
    public init(_ nested: [[Double]]) {
        let r = nested.count
        let c = nested.first?.count ?? 0
        precondition(nested.allSatisfy { $0.count == c }, "ragged rows")
        self.init(rows: r, cols: c, storage: nested.flatMap { $0 })
    }

    public static func identity(_ n: Int) -> Matrix {
        var m = Matrix(rows: n, cols: n)
        for i in 0..<n { m[i, i] = 1 }
        return m
    }

    public subscript(r: Int, c: Int) -> Double {
        get { storage[r * cols + c] }
        set { storage[r * cols + c] = newValue }
    }

    public var transposed: Matrix {
        var t = Matrix(rows: cols, cols: rows)
        for r in 0..<rows {
            for c in 0..<cols { t.storage[c * rows + r] = storage[r * cols + c] }
        }
        return t
    }

    public var trace: Double {
        var s = 0.0
        for i in 0..<min(rows, cols) { s += self[i, i] }
        return s
    }

    /// Frobenius norm ‖A‖_F = √(Σ a_ij²), computed with scaling so it cannot overflow early.
    public var frobeniusNorm: Double {
        let scale = storage.reduce(0.0) { max($0, abs($1)) }
        guard scale > 0, scale.isFinite else { return scale }
        var s = 0.0
        for v in storage { let q = v / scale; s += q * q }
        return scale * s.squareRoot()
    }

    public var isFinite: Bool { storage.allSatisfy { $0.isFinite } }

    public static func * (a: Matrix, b: Matrix) -> Matrix {
        precondition(a.cols == b.rows, "shape mismatch \(a.rows)x\(a.cols) * \(b.rows)x\(b.cols)")
        var c = Matrix(rows: a.rows, cols: b.cols)
        a.storage.withUnsafeBufferPointer { pa in
            b.storage.withUnsafeBufferPointer { pb in
                c.storage.withUnsafeMutableBufferPointer { pc in
                    gemm(.none, .none, a.rows, b.cols, a.cols, 1, pa.baseAddress!, a.cols,
                         pb.baseAddress!, b.cols, 0, pc.baseAddress!, b.cols)
                }
            }
        }
        return c
    }

    public static func + (a: Matrix, b: Matrix) -> Matrix {
        precondition(a.rows == b.rows && a.cols == b.cols)
        return Matrix(rows: a.rows, cols: a.cols, storage: zip(a.storage, b.storage).map(+))
    }

    public static func - (a: Matrix, b: Matrix) -> Matrix {
        precondition(a.rows == b.rows && a.cols == b.cols)
        return Matrix(rows: a.rows, cols: a.cols, storage: zip(a.storage, b.storage).map(-))
    }

    public static func * (s: Double, a: Matrix) -> Matrix {
        Matrix(rows: a.rows, cols: a.cols, storage: a.storage.map { s * $0 })
    }

    public var description: String {
        (0..<rows).map { r in
            (0..<cols).map { c in "\(self[r, c])" }.joined(separator: " ")
        }.joined(separator: "\n")
    }
}

public enum Transpose: Sendable { case none, transpose }

/// Below this many multiply-adds a straight loop beats the call overhead of a BLAS dgemm; above
/// it OpenBLAS wins, even at the 8-16-15 sizes of the hierarchical dataset (products of 1–2·10³
/// multiply-adds: 2.9 µs per RHS through OpenBLAS against 4.0 µs through the loops, measured with
/// `linflow simulate --t-end 4000 --diagnostics none`). The 2-2-1 network's products (≤ 8) stay
/// in the loops, where a BLAS call would cost more than the product.
@usableFromInline let blasThreshold = 256

/// The upper triangle of C ← α op(A) op(A)ᵀ + β C for row-major buffers (CBLAS dsyrk), with
/// op(A) n×k: `.none` gives A Aᵀ (A is n×k), `.transpose` gives AᵀA (A is k×n). The strictly
/// lower triangle of C is not touched. Half the multiply-adds of the same product by ``gemm``.
@inlinable
public func syrkUpper(
    _ t: Transpose, _ n: Int, _ k: Int,
    _ alpha: Double, _ a: UnsafePointer<Double>, _ lda: Int,
    _ beta: Double, _ c: UnsafeMutablePointer<Double>, _ ldc: Int
) {
    if n == 0 { return }
    cblas_dsyrk(CblasRowMajor, CblasUpper, t == .none ? CblasNoTrans : CblasTrans,
                Int32(n), Int32(k), alpha, a, Int32(lda), beta, c, Int32(ldc))
}

/// C ← α op(A) op(B) + β C for row-major buffers, with op(A) m×k and op(B) k×n.
///
/// Small products run in a hand-written loop; larger ones go to CBLAS (OpenBLAS).
/// `path` forces one of the two, so that tests can check that they agree.
@inlinable
public func gemm(
    _ ta: Transpose, _ tb: Transpose, _ m: Int, _ n: Int, _ k: Int,
    _ alpha: Double, _ a: UnsafePointer<Double>, _ lda: Int,
    _ b: UnsafePointer<Double>, _ ldb: Int,
    _ beta: Double, _ c: UnsafeMutablePointer<Double>, _ ldc: Int,
    path: GemmPath = .automatic
) {
    if m == 0 || n == 0 { return }
    let useBLAS: Bool
    switch path {
    case .automatic: useBLAS = m * n * k >= blasThreshold
    case .blas: useBLAS = true
    case .loop: useBLAS = false
    }
    if useBLAS {
        cblas_dgemm(CblasRowMajor,
                    ta == .none ? CblasNoTrans : CblasTrans,
                    tb == .none ? CblasNoTrans : CblasTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb),
                    beta, c, Int32(ldc))
        return
    }
    // Loop order i-p-j keeps the innermost access to B and C contiguous when B is not transposed.
    for i in 0..<m {
        let ci = c + i * ldc
        if beta == 0 {
            for j in 0..<n { ci[j] = 0 }
        } else if beta != 1 {
            for j in 0..<n { ci[j] *= beta }
        }
        if tb == .none {
            for p in 0..<k {
                let aip = alpha * (ta == .none ? a[i * lda + p] : a[p * lda + i])
                let bp = b + p * ldb
                for j in 0..<n { ci[j] += aip * bp[j] }
            }
        } else {
            // C += α op(A) Bᵀ: one dot product per entry, each summed in order p = 0…k−1.
            // Four entries at a time: a lone dot product is a chain of dependent adds that
            // waits on the adder's latency, four independent ones fill its pipeline
            // (2× on 8-16-15). The sums, and so the results, are those of the plain loop.
            let ai = a + (ta == .none ? i * lda : i), sa = ta == .none ? 1 : lda
            var j = 0
            while j + 4 <= n {
                let b0 = b + j * ldb, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb
                var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
                for p in 0..<k {
                    let x = ai[p * sa]
                    s0 += x * b0[p]; s1 += x * b1[p]; s2 += x * b2[p]; s3 += x * b3[p]
                }
                ci[j] += alpha * s0; ci[j + 1] += alpha * s1; ci[j + 2] += alpha * s2; ci[j + 3] += alpha * s3
                j += 4
            }
            while j < n {
                let bj = b + j * ldb
                var s = 0.0
                for p in 0..<k { s += ai[p * sa] * bj[p] }
                ci[j] += alpha * s
                j += 1
            }
        }
    }
}

/// Which implementation ``gemm`` uses; `.automatic` picks by size.
public enum GemmPath: Sendable { case automatic, blas, loop }
