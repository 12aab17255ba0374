import Testing
import Numerics
@testable import LinFlowNumerics
import LinFlowTestSupport
@testable import LinFlowIO
@testable import LinFlowPlot
@testable import LinFlowRuns
@testable import LinFlowSweep

/// dy_i/dt = y_i (1 − y_i), independent logistic equations: y(t) = 1 / (1 + (1/y0 − 1) e^{−t}).
final class Logistic: ODESystem {
    let dimension: Int
    init(dimension: Int) { self.dimension = dimension }
    func evaluate(_ y: UnsafePointer<Double>, _ dydt: UnsafeMutablePointer<Double>) -> Bool {
        for i in 0..<dimension { dydt[i] = y[i] * (1 - y[i]) }
        return true
    }
    func jacobian(_ y: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>) {
        for i in 0..<dimension { for j in 0..<dimension { out[i * dimension + j] = i == j ? 1 - 2 * y[i] : 0 } }
    }
    static func exact(_ y0: Double, _ t: Double) -> Double { 1 / (1 + (1 / y0 - 1) * .exp(-t)) }
}

@Suite struct ErrorNormTests {
    /// A row more than ``ODEIntegrator/longInterval`` steps away is said once, with where the run
    /// is and where it is going: the logistic flow holds rkf45 near its stability limit
    /// (h·|λ| ≈ 3, λ = −1 at y = 1), so t = 10⁶ takes some 3·10⁵ steps.
    @Test func aDistantRowIsSaidOnce() throws {
        let i = try ODEIntegrator(system: Logistic(dimension: 1), initialState: [0.5], method: .rkf45,
                                  relativeTolerance: 1e-8, absoluteTolerance: 1e-10)
        nonisolated(unsafe) var said: [(time: Double, target: Double)] = []
        i.onLongInterval = { said.append(($0, $1)) }
        try i.advance(to: 1e6)
        #expect(i.steps > 2 * ODEIntegrator.longInterval)
        #expect(said.count == 1)
        #expect(said.first.map { $0.time > 0 && $0.time < 1e6 && $0.target == 1e6 } == true)
        #expect(abs(i.state[0] - 1) < 1e-8)
        try i.advance(to: 1e6 + 1)
        #expect(said.count == 1)
    }

    func run(_ y0: [Double], norm: ErrorNorm, rtol: Double = 1e-8, method: StepperMethod = .rkf45) throws -> ODEIntegrator {
        let i = try ODEIntegrator(system: Logistic(dimension: y0.count), initialState: y0, method: method,
                                  relativeTolerance: rtol, absoluteTolerance: rtol * 1e-2, errorNorm: norm)
        for k in 1...10 { try i.advance(to: Double(k)) }
        return i
    }

    /// With two identical components every ratio err_i/D_i is the same, and √((r² + r²)/2) = |r|
    /// exactly in IEEE arithmetic, so the RMS control must take exactly the steps of GSL's max
    /// control. A missing 1/n, a missing square root or a sum of |r| would change them.
    @Test(arguments: [StepperMethod.rkf45, .rk8pd, .rkck])
    func equalComponentsTakeTheStepsOfTheMaxNorm(method: StepperMethod) throws {
        let a = try run([0.01, 0.01], norm: .max, method: method), b = try run([0.01, 0.01], norm: .rms, method: method)
        #expect(a.steps == b.steps)
        #expect(a.state == b.state)
    }

    /// With components on different scales the RMS of the ratios is below their maximum: fewer
    /// steps, and the solution is still within the tolerance's reach of the exact one.
    @Test func spreadComponentsTakeFewerStepsAndStayAccurate() throws {
        let y0 = [1e-3, 0.02, 0.3, 0.5, 0.7, 0.9, 0.99, 1e-4]
        for rtol in [1e-6, 1e-8, 1e-10] {
            let a = try run(y0, norm: .max, rtol: rtol), b = try run(y0, norm: .rms, rtol: rtol)
            #expect(b.steps < a.steps, "rtol \(rtol): rms \(b.steps) vs max \(a.steps)")
            for (y, start) in zip(b.state, y0) {
                let exact = Logistic.exact(start, 10)
                #expect(abs(y - exact) <= 100 * rtol * exact, "rtol \(rtol), y0 \(start)")
            }
        }
    }
}
