@testable import LinFlowNumerics
import LinFlowTestSupport
@testable import LinFlowIO
@testable import LinFlowPlot
@testable import LinFlowRuns
@testable import LinFlowSweep

/// Double-double arithmetic (a value hi + lo with |lo| ≤ ½ulp(hi), ~106 bits): the portable
/// reference of the loss tests, where x87's Float80 exists on x86 only. Error-free sums
/// (Knuth's TwoSum) and products (one fused multiply-add): each operation is exact to ~2⁻¹⁰⁴
/// relative, so a sum of N terms in it is good to N·2⁻¹⁰⁴, far below a double's ulp.
struct DD: Comparable {
    var hi: Double
    var lo: Double

    init(_ x: Double) { hi = x; lo = 0 }
    private init(hi: Double, lo: Double) { self.hi = hi; self.lo = lo }

    private static func quick(_ a: Double, _ b: Double) -> DD {
        let s = a + b
        return DD(hi: s, lo: b - (s - a))
    }

    static func + (a: DD, b: DD) -> DD {
        let s = a.hi + b.hi
        let bb = s - a.hi
        let e = (a.hi - (s - bb)) + (b.hi - bb)
        return quick(s, e + a.lo + b.lo)
    }

    static prefix func - (a: DD) -> DD { DD(hi: -a.hi, lo: -a.lo) }
    static func - (a: DD, b: DD) -> DD { a + (-b) }

    static func * (a: DD, b: DD) -> DD {
        let p = a.hi * b.hi
        let e = (-p).addingProduct(a.hi, b.hi)  // fused: exactly a.hi·b.hi − p
        return quick(p, e + (a.hi * b.lo + a.lo * b.hi))
    }

    static func / (a: DD, b: DD) -> DD {
        let q1 = a.hi / b.hi
        var r = a - b * DD(q1)
        let q2 = r.hi / b.hi
        r = r - b * DD(q2)
        let q3 = r.hi / b.hi
        return quick(q1, q2) + DD(q3)
    }

    static func += (a: inout DD, b: DD) { a = a + b }
    static func -= (a: inout DD, b: DD) { a = a - b }
    static func < (a: DD, b: DD) -> Bool { a.hi < b.hi || (a.hi == b.hi && a.lo < b.lo) }

    var double: Double { hi + lo }
}

/// References computed from the samples in double-double.
enum SampleReference {
    /// L(W) = 1/(2N) Σₙ ‖yₙ − W xₙ − b‖² for W (outputs × inputs), or [W b] when `affine`.
    static func loss(x: [[Double]], y: [[Double]], _ w: Matrix, affine: Bool = false) -> DD {
        let n = x[0].count
        var s = DD(0)
        for (xi, yi) in zip(x, y) {
            for o in 0..<w.rows {
                var r = DD(yi[o])
                if affine { r -= DD(w[o, n]) }
                for i in 0..<n { r -= DD(w[o, i]) * DD(xi[i]) }
                s += r * r
            }
        }
        return s / DD(Double(2 * x.count))
    }

    /// The affine least-squares fit in centred form, independently of linflow: means, the
    /// centred normal equations C11 W*ᵀ = C13 (all in double-double, where their condition
    /// number squared costs nothing at these sizes) solved by Gaussian elimination with partial
    /// pivoting, b* = ȳ − W*x̄, and L* = L(W*, b*) from the samples. Returns W* and b* rounded to
    /// doubles and L* in double-double.
    static func affineFit(x: [[Double]], y: [[Double]]) -> (w: Matrix, b: [Double], floor: DD) {
        let n = x[0].count, m = y[0].count, count = DD(Double(x.count))
        var mx = [DD](repeating: DD(0), count: n), my = [DD](repeating: DD(0), count: m)
        for (xi, yi) in zip(x, y) {
            for i in 0..<n { mx[i] += DD(xi[i]) }
            for o in 0..<m { my[o] += DD(yi[o]) }
        }
        mx = mx.map { $0 / count }
        my = my.map { $0 / count }
        // [C11 | C13] as one augmented system, n × (n + m).
        var a = [[DD]](repeating: [DD](repeating: DD(0), count: n + m), count: n)
        for (xi, yi) in zip(x, y) {
            let d = (0..<n).map { DD(xi[$0]) - mx[$0] }
            let e = (0..<m).map { DD(yi[$0]) - my[$0] }
            for i in 0..<n {
                for j in 0..<n { a[i][j] += d[i] * d[j] }
                for o in 0..<m { a[i][n + o] += d[i] * e[o] }
            }
        }
        for k in 0..<n {
            let p = (k..<n).max { abs(a[$0][k].hi) < abs(a[$1][k].hi) }!
            a.swapAt(k, p)
            for i in (k + 1)..<n {
                let f = a[i][k] / a[k][k]
                for j in k..<(n + m) { a[i][j] -= f * a[k][j] }
            }
        }
        var wt = [[DD]](repeating: [DD](repeating: DD(0), count: m), count: n)
        for k in stride(from: n - 1, through: 0, by: -1) {
            for o in 0..<m {
                var s = a[k][n + o]
                for j in (k + 1)..<n { s -= a[k][j] * wt[j][o] }
                wt[k][o] = s / a[k][k]
            }
        }
        var w = Matrix(rows: m, cols: n + 1)
        var b = [Double](repeating: 0, count: m)
        for o in 0..<m {
            var bo = my[o]
            for j in 0..<n { w[o, j] = wt[j][o].double; bo -= wt[j][o] * mx[j] }
            b[o] = bo.double
            w[o, n] = b[o]
        }
        // L* at the double-double solution itself (not its rounding): residuals in double-double.
        var s = DD(0)
        for (xi, yi) in zip(x, y) {
            for o in 0..<m {
                var r = DD(yi[o]) - my[o]
                for i in 0..<n { r -= wt[i][o] * (DD(xi[i]) - mx[i]) }
                s += r * r
            }
        }
        return (w, b, s / (DD(2) * count))
    }
}
