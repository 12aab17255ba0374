import CGSL

// Passes over whole weight vectors (hundreds of thousands of numbers at 784-1000-10): the
// finiteness checks of every RHS evaluation and descent step, and BLAS level 1 for Lanczos.

/// Whether all `count` values at `x` are finite (no ±∞, no NaN).
///
/// v − v is 0 for a finite v and NaN for ±∞ or NaN, and a sum of exact zeros stays 0, so one
/// SIMD accumulator decides. Unlike `isFinite` with an early exit this compiles to packed
/// subtractions and adds; it runs on every right-hand-side evaluation and descent step.
@inline(__always)
func allFinite(_ x: UnsafePointer<Double>, count: Int) -> Bool {
    var acc = SIMD8<Double>()
    var i = 0
    let raw = UnsafeRawPointer(x)
    while i + 8 <= count {
        let v = raw.loadUnaligned(fromByteOffset: i * MemoryLayout<Double>.stride, as: SIMD8<Double>.self)
        acc += v - v
        i += 8
    }
    var tail = 0.0
    while i < count { tail += x[i] - x[i]; i += 1 }
    return acc.sum() + tail == 0
}

/// x ← x + α d, returning whether every new x is finite (the test of ``allFinite(_:count:)``
/// fused into the same pass).
@inline(__always)
func addScaledCheckingFinite(_ alpha: Double, _ d: UnsafePointer<Double>, to x: UnsafeMutablePointer<Double>, count: Int) -> Bool {
    var acc = SIMD8<Double>()
    var i = 0
    let stride = MemoryLayout<Double>.stride
    let rd = UnsafeRawPointer(d), rx = UnsafeMutableRawPointer(x)
    while i + 8 <= count {
        let v = rx.loadUnaligned(fromByteOffset: i * stride, as: SIMD8<Double>.self)
            + alpha * rd.loadUnaligned(fromByteOffset: i * stride, as: SIMD8<Double>.self)
        rx.storeBytes(of: v, toByteOffset: i * stride, as: SIMD8<Double>.self)
        acc += v - v
        i += 8
    }
    var tail = 0.0
    while i < count { x[i] += alpha * d[i]; tail += x[i] - x[i]; i += 1 }
    return acc.sum() + tail == 0
}

func dot(_ a: [Double], _ b: [Double]) -> Double {
    precondition(a.count == b.count)
    return cblas_ddot(Int32(a.count), a, 1, b, 1)
}

func norm(_ a: [Double]) -> Double { cblas_dnrm2(Int32(a.count), a, 1) }

/// y ← y + α x.
func axpy(_ alpha: Double, _ x: [Double], _ y: inout [Double]) {
    precondition(x.count == y.count)
    cblas_daxpy(Int32(x.count), alpha, x, 1, &y, 1)
}

/// x ← α x.
func scal(_ alpha: Double, _ x: inout [Double]) { cblas_dscal(Int32(x.count), alpha, &x, 1) }

func normalized(_ a: [Double]) -> [Double] {
    let n = norm(a)
    guard n > 0 else { return a }
    var b = a
    scal(1 / n, &b)
    return b
}
