import Testing
import Numerics
@testable import LinFlowNumerics
import LinFlowTestSupport
@testable import LinFlowIO
@testable import LinFlowPlot
@testable import LinFlowRuns
@testable import LinFlowSweep

/// Integrated trajectories against facts that hold for the exact flow.
@Suite struct DynamicsTests {
    /// W_{l+1}ᵀW_{l+1} − W_l W_lᵀ is constant along gradient flow, at every depth.
    @Test(arguments: [[4, 5, 3], [3, 6, 2], [4, 3, 5, 4, 2], [3, 3, 3, 3, 3, 3, 3]])
    func imbalanceIsConserved(sizes: [Int]) throws {
        let data = Samples(n: 30, inputs: sizes.first!, outputs: sizes.last!, seed: 17)
        let a = try Architecture(sizes: sizes)
        let flow = try GradientFlow(architecture: a, correlations: data.correlations)
        var g = SplitMix64(seed: 8)
        for _ in 0..<4 {
            let w0 = Weights(architecture: a, flat: (0..<a.parameterCount).map { _ in 0.5 * g.normal() })
            let path = try integrate(flow, from: w0, times: [1, 3, 6])
            // The weights really move, so the check is not vacuous.
            #expect(zip(path.last!.flat, w0.flat).contains { abs($0 - $1) > 0.05 })
            for l in 1..<a.depth {
                func q(_ w: Weights) -> Matrix {
                    let up = w.layer(l + 1), down = w.layer(l)
                    return up.transposed * up - down * down.transposed
                }
                let q0 = q(w0)
                for w in path {
                    #expect(q(w).isApproximatelyEqual(to: q0, absoluteTolerance: 1e-8 * max(1, q0.frobeniusNorm)))
                }
            }
        }
    }

    /// From a generic start the end-to-end map converges to W* = Σ31Σ11⁻¹, computed here
    /// independently by solving the normal equations Σ11 W*ᵀ = Σ31ᵀ.
    @Test(arguments: [[4, 4, 3], [4, 6, 5, 3], [3, 5, 2]])
    func convergesToLeastSquares(sizes: [Int]) throws {
        let data = Samples(n: 40, inputs: sizes.first!, outputs: sizes.last!, seed: 31)
        let c = data.correlations
        let wStar = solve(c.sigma11, c.sigma31.transposed).transposed
        let a = try Architecture(sizes: sizes)
        let flow = try GradientFlow(architecture: a, correlations: c)
        for seed in 1...3 as ClosedRange<UInt64> {
            let w0 = try Initialization.gaussian(seed: seed, scale: 0.3).weights(for: a)
            let end = try integrate(flow, from: w0, times: [400]).last!
            #expect(end.endToEnd.isApproximatelyEqual(to: wStar, absoluteTolerance: 1e-6))
            let ls = try LeastSquares(c)
            #expect(ls.map.isApproximatelyEqual(to: wStar, absoluteTolerance: 1e-10))
            #expect(c.loss(endToEnd: end.endToEnd, leastSquares: ls).isApproximatelyEqual(to: data.loss(end), relativeTolerance: 1e-10))
        }
    }

    /// Saxe et al.'s closed form for whitened inputs (Σ11 = I) and an aligned, balanced start:
    /// every mode of W32W21 = U diag(u(t)) Vᵀ follows u(t) = s e^{2st}/(e^{2st} − 1 + s/u0).
    /// Checked on many random problems and starts, including modes starting above s.
    @Test func twoLayerModesFollowSaxeClosedForm() throws {
        var g = SplitMix64(seed: 99)
        for trial in 0..<12 {
            let n0 = 3 + trial % 3, nOut = 2 + trial % 4, r = min(n0, nOut), h = r + trial % 2
            let uFull = randomOrthogonal(nOut, &g), vFull = randomOrthogonal(n0, &g), rFull = randomOrthogonal(h, &g)
            func cols(_ m: Matrix, _ k: Int) -> Matrix {
                Matrix(rows: m.rows, cols: k, storage: (0..<m.rows).flatMap { i in (0..<k).map { m[i, $0] } })
            }
            let U = cols(uFull, r), V = cols(vFull, r), R = cols(rFull, r)
            let s = (0..<r).map { _ in 0.5 + 2.5 * abs(g.uniform()) }
            var u0: [Double] = []
            for k in 0..<r {
                let small: Double = 1e-4 * Double.pow(10, 3 * abs(g.uniform()))
                u0.append(trial % 4 == 3 && k == 0 ? 1.5 * s[k] : small)
            }
            func diag(_ d: [Double]) -> Matrix {
                var m = Matrix(rows: d.count, cols: d.count)
                for i in 0..<d.count { m[i, i] = d[i] }
                return m
            }
            let sigma31 = U * diag(s) * V.transposed
            let c = Correlations(sampleCount: 1, sigma11: .identity(n0), sigma31: sigma31, traceSigma33: 10)
            let a = try Architecture(sizes: [n0, h, nOut])
            let root = diag(u0.map { $0.squareRoot() })
            let w0 = Weights(architecture: a, layers: [R * root * V.transposed, U * root * R.transposed])
            let flow = try GradientFlow(architecture: a, correlations: c)
            let times = [0.5, 1, 2, 4, 8, 16]
            let path = try integrate(flow, from: w0, times: times)
            for (t, w) in zip(times, path) {
                let predicted = U * diag((0..<r).map { k in
                    let e = Double.exp(2 * s[k] * t)
                    return s[k] * e / (e - 1 + s[k] / u0[k])
                }) * V.transposed
                #expect(w.endToEnd.isApproximatelyEqual(to: predicted, absoluteTolerance: 1e-7), "trial \(trial) t \(t)")
            }
        }
    }

    /// Every GSL stepper integrates the same flow to the same point.
    @Test(arguments: StepperMethod.allCases)
    func everyMethodAgreesWithRKF45(method: StepperMethod) throws {
        let data = Samples(n: 20, inputs: 3, outputs: 2, seed: 4)
        let a = try Architecture(sizes: [3, 3, 2])
        let flow = try GradientFlow(architecture: a, correlations: data.correlations)
        let w0 = try Initialization.gaussian(seed: 2, scale: 0.3).weights(for: a)
        let reference = try integrate(flow, from: w0, times: [5]).last!
        // Low-order steppers need many more steps for the same tolerance; give them looser ones.
        let loose = [StepperMethod.rk1imp, .rk2, .rk2imp].contains(method)
        let other = try integrate(flow, from: w0, times: [5], method: method,
                                  rtol: loose ? 1e-7 : 1e-10, atol: loose ? 1e-9 : 1e-12).last!
        for (p, q) in zip(reference.flat, other.flat) { #expect(abs(p - q) < (loose ? 1e-4 : 1e-6)) }
    }

    /// A failed step limit reports where it stopped instead of running on.
    @Test func stepLimitIsReported() throws {
        let data = Samples(n: 20, inputs: 3, outputs: 2, seed: 4)
        let a = try Architecture(sizes: [3, 3, 2])
        let flow = try GradientFlow(architecture: a, correlations: data.correlations)
        let w0 = try Initialization.gaussian(seed: 2, scale: 0.3).weights(for: a)
        let integrator = try ODEIntegrator(system: flow, initialState: w0.flat, method: .rkf45,
                                           relativeTolerance: 1e-10, absoluteTolerance: 1e-12, maxSteps: 20)
        #expect(throws: IntegrationFailure.self) { try integrator.advance(to: 100) }
        #expect(integrator.steps <= 20)
    }
}
