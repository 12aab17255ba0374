import Foundation
import Testing
import Numerics
@testable import LinFlowNumerics
import LinFlowTestSupport
@testable import LinFlowIO
@testable import LinFlowPlot
@testable import LinFlowRuns
@testable import LinFlowSweep

/// Affine chains (the finite-difference checks of their velocity and Hessian-vector product
/// against the sampled loss are in GradientFlowTests, for every architecture there).
@Suite struct BiasTests {
    func random(_ a: Architecture, _ g: inout SplitMix64, scale: Double = 0.6) -> Weights {
        Weights(architecture: a, flat: (0..<a.parameterCount).map { _ in scale * g.normal() })
    }

    /// W_{l+1}ᵀW_{l+1} − W_lW_lᵀ − b_lb_lᵀ is conserved, and the end point is the affine
    /// least-squares map.
    @Test(arguments: [[3, 4, 2], [3, 3, 4, 2]])
    func imbalanceIsConservedAndLimitIsAffineLeastSquares(sizes: [Int]) throws {
        let data = Samples(n: 40, inputs: sizes.first!, outputs: sizes.last!, seed: 2, shift: 0.8)
        let a = try Architecture(sizes: sizes, bias: true)
        let flow = try GradientFlow(architecture: a, correlations: data.correlations)
        var g = SplitMix64(seed: 12)
        let w0 = random(a, &g, scale: 0.5)
        let path = try integrate(flow, from: w0, times: [1, 4, 300])
        for l in 1..<a.depth {
            func q(_ w: Weights) -> Matrix {
                let up = w.layer(l + 1), down = w.layer(l)
                let b = Matrix(rows: down.rows, cols: 1, storage: w.bias(l))
                return up.transposed * up - down * down.transposed - b * b.transposed
            }
            for w in path { #expect(q(w).isApproximatelyEqual(to: q(w0), absoluteTolerance: 1e-8)) }
        }
        // Least squares on [X 1] by the normal equations, solved independently.
        let xt = data.x.map { $0 + [1] }
        let n = xt[0].count
        var gram = Matrix(rows: n, cols: n), rhs = Matrix(rows: n, cols: sizes.last!)
        for (xi, yi) in zip(xt, data.y) {
            for i in 0..<n {
                for j in 0..<n { gram[i, j] += xi[i] * xi[j] }
                for o in 0..<yi.count { rhs[i, o] += xi[i] * yi[o] }
            }
        }
        let affine = solve(gram, rhs).transposed
        #expect(path.last!.effectiveMap.isApproximatelyEqual(to: affine, absoluteTolerance: 1e-6))
    }

    @Test func augmentedCorrelationsAreThoseOfXTilde() throws {
        let data = Samples(n: 50, inputs: 3, outputs: 2, seed: 8, shift: 1.3)
        let augmented = try data.correlations.augmented()
        let direct = Correlations(inputs: data.x.map { $0 + [1] }, outputs: data.y)
        #expect(augmented.sigma11.isApproximatelyEqual(to: direct.sigma11, absoluteTolerance: 1e-12))
        #expect(augmented.sigma31.isApproximatelyEqual(to: direct.sigma31, absoluteTolerance: 1e-12))
        let bare = Correlations(sampleCount: 1, sigma11: .identity(2), sigma31: Matrix(rows: 1, cols: 2), traceSigma33: 0)
        #expect(throws: LinflowError.self) { try bare.augmented() }
        #expect(augmented.constantLastInput && augmented.covarianceFactor == data.correlations.covarianceFactor)
        #expect(throws: LinflowError.self) { try augmented.augmented() }
    }

    /// Bias columns follow their layer's W columns and are read back by --init FILE.
    @Test func weightFileRoundTripsBiases() throws {
        let a = try Architecture(sizes: [2, 3, 1], bias: true)
        var g = SplitMix64(seed: 3)
        let w = random(a, &g)
        let layout = TrajectoryLayout(architecture: a, diagnostics: .all)
        #expect(layout.columns == ["t", "loss", "excess_loss", "W21_1_1", "W21_1_2", "W21_2_1", "W21_2_2", "W21_3_1", "W21_3_2",
                                   "b21_1", "b21_2", "b21_3", "W32_1_1", "W32_1_2", "W32_1_3", "b32_1", "sv_1", "imbalance"])
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString + ".csv").path
        try (layout.headerLine + layout.row(time: 0, loss: 1, excess: 0.25, weights: w)).write(toFile: path, atomically: true, encoding: .utf8)
        let back = try WeightFile.resumePoint(path: path).weights
        #expect(back == w)
        #expect(try Initialization.file(path: path).weights(for: a) == w)
        #expect(throws: LinflowError.self) { try Initialization.file(path: path).weights(for: Architecture(sizes: [2, 3, 1])) }
    }
}

/// The seed-affine dataset: four samples, two inputs, one output, two hidden units with biases.
@Suite struct SeedAffineExampleTests {
    let data = BuiltinDataset.seedAffine
    var x: [[Double]] { data.rows.map { Array($0[0..<2]) } }
    var z: [Double] { data.rows.map { $0[2] } }

    func flow() throws -> GradientFlow {
        try GradientFlow(architecture: Architecture(sizes: [2, 2, 1], bias: true), correlations: data.correlations)
    }

    /// The seed's matrices: u (3 × 2) with u_0j = b21_j and u_ij = W21[j][i]; v = [b32; W32ᵀ];
    /// X = [1 X0], Y = [1 X u], d = z_pred − z_real; ∂C/∂u = Xᵀd [v1 v2], ∂C/∂v = Yᵀd.
    /// C = ½ Σᵢ (…)² is N times L, so −N × the flow's velocity must equal these.
    @Test func gradientIsTheSeedsMatrixForm() throws {
        let flow = try flow()
        var g = SplitMix64(seed: 21)
        for _ in 0..<5 {
            let w = Weights(architecture: flow.architecture, flat: (0..<9).map { _ in g.normal() })
            let W21 = w.layer(1), b21 = w.bias(1), W32 = w.layer(2), b32 = w.bias(2)[0]
            let X = Matrix(x.map { [1] + $0 })
            let u = Matrix([[b21[0], b21[1]], [W21[0, 0], W21[1, 0]], [W21[0, 1], W21[1, 1]]])
            let v = Matrix([[b32], [W32[0, 0]], [W32[0, 1]]])
            let Y0 = X * u
            let Y = Matrix((0..<4).map { [1, Y0[$0, 0], Y0[$0, 1]] })
            let zPred = Y * v
            let d = Matrix(rows: 4, cols: 1, storage: (0..<4).map { zPred[$0, 0] - z[$0] })
            let dCdu = X.transposed * d * Matrix([[v[1, 0], v[2, 0]]])
            let dCdv = Y.transposed * d
            let velocity = flow.velocity(at: w)
            let grad = Weights(architecture: w.architecture, flat: velocity.flat.map { -4 * $0 })  // N = 4
            let gW21 = grad.layer(1), gb21 = grad.bias(1), gW32 = grad.layer(2), gb32 = grad.bias(2)[0]
            for j in 0..<2 {
                #expect(gb21[j].isApproximatelyEqual(to: dCdu[0, j], absoluteTolerance: 1e-12))
                for i in 0..<2 { #expect(gW21[j, i].isApproximatelyEqual(to: dCdu[i + 1, j], absoluteTolerance: 1e-12)) }
                #expect(gW32[0, j].isApproximatelyEqual(to: dCdv[j + 1, 0], absoluteTolerance: 1e-12))
            }
            #expect(gb32.isApproximatelyEqual(to: dCdv[0, 0], absoluteTolerance: 1e-12))
        }
    }

    /// From a generic start the end-to-end affine map [w1 w2 | w0] satisfies the normal equations
    /// Σ d_i = Σ x_i1 d_i = Σ x_i2 d_i = 0: it is least squares on [1 X].
    @Test func convergedMapSatisfiesTheNormalEquations() throws {
        let flow = try flow()
        let X = Matrix(x.map { [1] + $0 })
        let w = solve(X.transposed * X, X.transposed * Matrix(rows: 4, cols: 1, storage: z))  // [w0; w1; w2]
        for seed in 1...4 as ClosedRange<UInt64> {
            let w0 = try Initialization.gaussian(seed: seed, scale: 0.5).weights(for: flow.architecture)
            let end = try integrate(flow, from: w0, times: [200]).last!
            let m = end.effectiveMap  // [w1 w2 w0]
            #expect(m.isApproximatelyEqual(to: Matrix([[w[1, 0], w[2, 0], w[0, 0]]]), absoluteTolerance: 1e-8))
            let d = (0..<4).map { m[0, 2] + m[0, 0] * x[$0][0] + m[0, 1] * x[$0][1] - z[$0] }
            let normal = (X.transposed * Matrix(rows: 4, cols: 1, storage: d)).storage
            #expect(normal.allSatisfy { abs($0) < 1e-8 })
            #expect(flow.loss(at: end).isApproximatelyEqual(to: flow.leastSquares.lossFloor, absoluteTolerance: 1e-12))
        }
    }

    /// The origin is stationary in every coordinate but the output bias (∂C/∂v0 = Σd_i = −Σz_i):
    /// from it only v0 moves, to z̄, where the flow stops at a saddle above the loss floor.
    /// With centred targets (z̄ = 0) the origin itself is that stationary saddle.
    @Test func originLeadsToAStationarySaddle() throws {
        let flow = try flow()
        let zero = Weights(architecture: flow.architecture, flat: .init(repeating: 0, count: 9))
        let zbar = z.reduce(0, +) / 4
        let v0 = flow.velocity(at: zero).flat
        #expect(Array(v0.dropLast()).allSatisfy { $0 == 0 } && v0.last!.isApproximatelyEqual(to: zbar, relativeTolerance: 1e-14))
        let end = try integrate(flow, from: zero, times: [60]).last!
        #expect(Array(end.flat.dropLast()).allSatisfy { $0 == 0 })
        #expect(end.flat.last!.isApproximatelyEqual(to: zbar, relativeTolerance: 1e-9))
        func assertSaddle(_ f: GradientFlow, _ w: Weights) throws {
            #expect(f.velocity(at: w).flat.allSatisfy { abs($0) < 1e-9 })
            #expect(f.loss(at: w) > f.leastSquares.lossFloor + 0.1)
            var jac = [Double](repeating: 0, count: 81)
            jac.withUnsafeMutableBufferPointer { f.jacobian(at: w, into: $0.baseAddress!) }
            let eig = try symmetricEigenvalues(Matrix(rows: 9, cols: 9, storage: jac))
            #expect(eig.first! > 0.1 && eig.last! < -1e-3, "−H has eigenvalues \(eig): a saddle needs both signs")
        }
        try assertSaddle(flow, end)
        let centred = Correlations(inputs: x, outputs: z.map { [$0 - zbar] })
        let centredFlow = try GradientFlow(architecture: flow.architecture, correlations: centred)
        try assertSaddle(centredFlow, zero)
    }
}
