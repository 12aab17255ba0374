import Testing
import Numerics
@testable import LinFlowNumerics
import LinFlowTestSupport
@testable import LinFlowIO
@testable import LinFlowPlot
@testable import LinFlowRuns
@testable import LinFlowSweep

/// `allFinite` (the vectorised check behind every RHS evaluation and descent step) against
/// `Double.isFinite`, element by element, on random arrays with non-finite values planted at
/// every position class: in the SIMD body, in the tail, first and last.
@Suite struct FinitenessTests {
    @Test func agreesWithIsFiniteOnRandomArrays() {
        var rng = SplitMix64(seed: 2026)
        let specials: [Double] = [.infinity, -.infinity, .nan, -.nan, .signalingNaN]
        for count in [1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 368, 1001] {
            for trial in 0..<40 {
                var x = (0..<count).map { _ in rng.uniform() * Double.pow(10, Double(Int(rng.next() % 600) - 300)) }
                if trial % 3 != 0, count > 0 {
                    let at = trial % 5 == 0 ? count - 1 : Int(rng.next() % UInt64(count))
                    x[at] = specials[trial % specials.count]
                }
                if trial == 1 { x.append(.greatestFiniteMagnitude); x.append(-.leastNonzeroMagnitude) }
                let expected = x.allSatisfy(\.isFinite)
                let got = x.withUnsafeBufferPointer { allFinite($0.baseAddress!, count: $0.count) }
                #expect(got == expected, "count \(x.count) trial \(trial)")
            }
        }
    }

    @Test func largestFiniteValuesAreFinite() {
        // v − v must be 0, not NaN, for the extremes (no overflow in the subtraction).
        var x = [Double](repeating: .greatestFiniteMagnitude, count: 20)
        x[3] = -.greatestFiniteMagnitude
        x[17] = .leastNonzeroMagnitude
        #expect(x.withUnsafeBufferPointer { allFinite($0.baseAddress!, count: $0.count) })
    }

    /// The fused descent update x ← x + αd gives the scalar loop's numbers bit for bit and the
    /// same verdict as `isFinite` on the result, including overflow to ±∞ in the update itself.
    @Test func fusedUpdateMatchesTheScalarLoop() {
        var rng = SplitMix64(seed: 7)
        for count in [1, 7, 8, 9, 64, 65, 1001] {
            for trial in 0..<12 {
                var x = (0..<count).map { _ in rng.uniform() }
                var d = (0..<count).map { _ in rng.normal() }
                let alpha = trial == 3 ? Double.greatestFiniteMagnitude : 0.05
                if trial == 5 { d[Int(rng.next() % UInt64(count))] = .nan }
                if trial == 7 { x[count - 1] = .infinity }
                let expected = zip(x, d).map { $0 + alpha * $1 }
                let ok = x.withUnsafeMutableBufferPointer { xp in
                    d.withUnsafeBufferPointer { dp in addScaledCheckingFinite(alpha, dp.baseAddress!, to: xp.baseAddress!, count: count) }
                }
                #expect(zip(x, expected).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) })
                #expect(ok == expected.allSatisfy(\.isFinite), "count \(count) trial \(trial)")
            }
        }
    }
}
