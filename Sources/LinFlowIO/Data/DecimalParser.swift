#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
#if canImport(LinFlowNumerics)  // scripts/fuzz compiles these files with LinflowError and Setting alone
import LinFlowNumerics
#endif

/// Decimal text to Double, exactly as strtod rounds it, fast for the numbers data files hold.
///
/// Fast path (Clinger 1990): a cell `[+-]digits[.digits][(e|E)[+-]digits]` whose significant
/// digits form an integer m ≤ 2^53 and whose decimal exponent q satisfies |q| ≤ 22 is
/// m × 10^q or m / 10^−q. Both m and 10^|q| are exact doubles, so that one IEEE multiplication
/// or division is the correctly rounded value of the decimal, which is what strtod returns.
/// Everything else (more digits, large exponents, spaces, inf, nan, hex, …) returns nil from
/// ``parse(_:_:)``, and callers use ``strtod(_:_:)``.
public enum DecimalParser {
    /// 10^0 … 10^22, all exact in binary64. A literal, so that the optimiser initialises it
    /// statically: computed with `map`, every access paid a `swift_once` check (2% of a
    /// 453 MB load).
    private static let powersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    /// The value of the whole of `p[0..<n]` if it is a plain decimal within the fast path's
    /// range; nil otherwise (which does not mean it is not a number).
    @inline(__always)
    public static func parse(_ p: UnsafePointer<UInt8>, _ n: Int) -> Double? {
        var i = 0
        var negative = false
        if i < n && (p[i] == UInt8(ascii: "-") || p[i] == UInt8(ascii: "+")) {
            negative = p[i] == UInt8(ascii: "-")
            i += 1
        }
        var m: UInt64 = 0
        var significant = 0, scale = 0, digits = 0
        // Integer part; leading zeros are not significant.
        while i < n {
            let d = p[i] &- UInt8(ascii: "0")
            if d > 9 { break }
            if m != 0 || d != 0 {
                if significant == 19 { return nil }  // m would overflow; strtod rounds it
                m = m &* 10 &+ UInt64(d)
                significant += 1
            }
            digits += 1
            i += 1
        }
        if i < n && p[i] == UInt8(ascii: ".") {
            i += 1
            while i < n {
                let d = p[i] &- UInt8(ascii: "0")
                if d > 9 { break }
                if m != 0 || d != 0 {
                    if significant == 19 { return nil }
                    m = m &* 10 &+ UInt64(d)
                    significant += 1
                }
                scale += 1
                digits += 1
                i += 1
            }
        }
        if digits == 0 { return nil }
        var exponent = 0
        if i < n && (p[i] | 0x20) == UInt8(ascii: "e") {
            i += 1
            var negativeExponent = false
            if i < n && (p[i] == UInt8(ascii: "-") || p[i] == UInt8(ascii: "+")) {
                negativeExponent = p[i] == UInt8(ascii: "-")
                i += 1
            }
            let first = i
            while i < n {
                let d = p[i] &- UInt8(ascii: "0")
                if d > 9 || i - first == 4 { break }
                exponent = exponent * 10 + Int(d)
                i += 1
            }
            if i == first { return nil }
            if negativeExponent { exponent = -exponent }
        }
        if i != n { return nil }
        if m > 1 << 53 { return nil }
        let q = exponent - scale
        var v = Double(m)
        if m != 0 {
            if q >= 0 {
                if q > 22 { return nil }
                v *= powersOfTen[q]
            } else {
                if q < -22 { return nil }
                v /= powersOfTen[-q]
            }
        }
        return negative ? -v : v
    }

    /// C's strtod on `p[0..<n]`; nil unless it reads all n bytes.
    public static func strtod(_ p: UnsafePointer<UInt8>, _ n: Int) -> Double? {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: n + 1) { buf -> Double? in
            for i in 0..<n { buf[i] = CChar(bitPattern: p[i]) }
            buf[n] = 0
            var endp: UnsafeMutablePointer<CChar>? = nil
            let v = Glibc.strtod(buf.baseAddress!, &endp)
            return endp == buf.baseAddress! + n && n > 0 ? v : nil
        }
    }
}
