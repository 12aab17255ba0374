import Foundation
import Testing
import Numerics
@testable import LinFlowNumerics
import LinFlowTestSupport
@testable import LinFlowIO
@testable import LinFlowPlot
@testable import LinFlowRuns
@testable import LinFlowSweep

/// The tangent kernel from Σ11 against the (N·o) × (N·o) kernel built from per-sample Jacobians.
@Suite struct TangentKernelTests {
    /// f(x) = W_L(⋯(W_1x + b_1)⋯) + b_L straight from the weights.
    func output(_ w: Weights, _ x: [Double]) -> [Double] {
        var h = x
        for l in 1...w.architecture.depth {
            let m = w.layer(l), b = w.architecture.bias ? w.bias(l) : Array(repeating: 0, count: m.rows)
            h = (0..<m.rows).map { r in (0..<m.cols).reduce(b[r]) { $0 + m[r, $1] * h[$1] } }
        }
        return h
    }

    /// K = J Jᵀ with J[(n,a), p] = ∂f_a(x_n)/∂θ_p. f is affine in each single parameter, so the
    /// central difference with step 1 is exact up to rounding.
    func directKernel(_ w: Weights, _ samples: Samples) -> Matrix {
        let o = w.architecture.outputs, n = samples.x.count, p = w.flat.count
        var j = Matrix(rows: n * o, cols: p)
        for k in 0..<p {
            var plus = w, minus = w
            plus.flat[k] += 1
            minus.flat[k] -= 1
            for (s, x) in samples.x.enumerated() {
                let fp = output(plus, x), fm = output(minus, x)
                for a in 0..<o { j[s * o + a, k] = (fp[a] - fm[a]) / 2 }
            }
        }
        return j * j.transposed
    }

    func frobeniusInner(_ a: Matrix, _ b: Matrix) -> Double { zip(a.storage, b.storage).reduce(0) { $0 + $1.0 * $1.1 } }

    @Test(arguments: [([3, 4, 2], false), ([3, 2, 3, 2], false), ([2, 3, 3, 2, 3], false), ([3, 4, 2], true), ([3, 2, 3, 2], true)])
    func compactFormEqualsTheDirectKernel(sizes: [Int], bias: Bool) throws {
        let samples = Samples(n: 7, inputs: sizes.first!, outputs: sizes.last!, seed: 11, shift: bias ? 0.8 : 0)
        let c = samples.correlations
        let a = try Architecture(sizes: sizes, bias: bias)
        let w0 = try Initialization.gaussian(seed: 3, scale: 0.6).weights(for: a)
        let w1 = try Initialization.gaussian(seed: 4, scale: 0.6).weights(for: a)
        let k0 = directKernel(w0, samples), k1 = directKernel(w1, samples)
        let n2 = Double(samples.x.count * samples.x.count)
        let s11 = bias ? try c.augmented().sigma11 : c.sigma11
        let t0 = TangentKernel(weights: w0, sigma11: s11), t1 = TangentKernel(weights: w1, sigma11: s11)
        for (x, y) in [(t0.inner(t1), frobeniusInner(k0, k1)), (t0.inner(t0), frobeniusInner(k0, k0)), (t1.inner(t1), frobeniusInner(k1, k1))] {
            #expect((n2 * x).isApproximatelyEqual(to: y, relativeTolerance: 1e-11), "\(sizes) \(bias): \(n2 * x) vs \(y)")
        }
        let direct = 1 - frobeniusInner(k0, k1) / (frobeniusInner(k0, k0) * frobeniusInner(k1, k1)).squareRoot()
        let distance = try KernelDistance(start: w0, correlations: c)
        #expect(direct > 1e-3)
        #expect(distance.distance(at: w1).isApproximatelyEqual(to: direct, relativeTolerance: 1e-9))
        #expect(distance.distance(at: w0) < 1e-15)
        // Scaling every weight rescales the kernel: no distance.
        let scaled = Weights(architecture: a, flat: w0.flat.map { 1.7 * $0 })
        if !bias { #expect(distance.distance(at: scaled) < 1e-14) }
    }

    /// The lazy limit: from λ-balanced starts with a tiny free layer, the kernel has moved less
    /// by the time the loss has fallen a fixed fraction of the way to its floor, the larger |λ|.
    @Test(arguments: [1.0, -1.0])
    func kernelDistanceFallsAsLambdaGrows(sign: Double) throws {
        let sizes = sign > 0 ? [3, 3, 4] : [4, 3, 3]
        var g = SplitMix64(seed: 9)
        let data = Correlations(sampleCount: 1, sigma11: .identity(sizes[0]), sigma31: g.matrix(sizes[2], sizes[0]), traceSigma33: 30)
        let a = try Architecture(sizes: sizes)
        let flow = try GradientFlow(architecture: a, correlations: data)
        var distances: [Double] = []
        for magnitude in [0.0, 0.3, 1, 3, 10, 30] {
            let w0 = try Initialization.lambdaBalanced(seed: 1, scale: 1e-3, lambda: sign * magnitude).weights(for: a)
            let l0 = flow.loss(at: w0), floor = flow.leastSquares.lossFloor
            let target = floor + 0.2 * (l0 - floor)
            let kernel = try KernelDistance(start: w0, correlations: data)
            let ode = try ODEIntegrator(system: flow, initialState: w0.flat, method: .rk8pd, relativeTolerance: 1e-10, absoluteTolerance: 1e-12)
            var t = 0.0, w = w0
            while flow.loss(at: w) > target {
                t += 0.005
                try ode.advance(to: t)
                w = Weights(architecture: a, flat: ode.state)
            }
            distances.append(kernel.distance(at: w))
        }
        print("kernel distance at 80% loss reduction, λ sign \(sign), |λ| = 0, 0.3, 1, 3, 10, 30: \(distances)")
        for (x, y) in zip(distances, distances.dropFirst()) { #expect(y < x, "\(distances)") }
        #expect(distances.first! > 0.1 && distances.last! < 0.01, "\(distances)")
    }
}
