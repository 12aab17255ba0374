import Foundation
import Testing
import Numerics
@testable import LinFlowNumerics
import LinFlowTestSupport
@testable import LinFlowIO
@testable import LinFlowPlot
@testable import LinFlowRuns
@testable import LinFlowSweep

@Suite struct InitializationTests {
    static let architectures: [[Int]] = [[4, 6, 3], [6, 3, 5], [3, 4, 4, 2], [5, 2], [3, 5, 2, 6, 4]]

    @Test(arguments: architectures)
    func orthogonalLayersHaveEverySingularValueSigma(sizes: [Int]) throws {
        let a = try Architecture(sizes: sizes)
        let w = try Initialization.orthogonal(seed: 3, scale: 0.7).weights(for: a)
        for m in w.layers {
            let small = m.rows <= m.cols ? m * m.transposed : m.transposed * m
            #expect(small.isApproximatelyEqual(to: 0.49 * .identity(small.rows), absoluteTolerance: 1e-14))
        }
    }

    @Test(arguments: architectures, [false, true])
    func balancedStartsAreZeroBalanced(sizes: [Int], bias: Bool) throws {
        let a = try Architecture(sizes: sizes, bias: bias)
        for seed in 1...5 as ClosedRange<UInt64> {
            let w = try Initialization.balanced(seed: seed, scale: 0.4).weights(for: a)
            #expect(w.imbalance < 1e-14)
            #expect(w.layers.allSatisfy { $0.frobeniusNorm > 0.05 })
            if bias { #expect((1...a.depth).allSatisfy { w.bias($0).allSatisfy { $0 == 0 } }) }
        }
    }

    /// W21 = √a0 R Vᵀ, W32 = U √a0 Rᵀ and its depth-L form: balanced, end-to-end a0 U_k V_kᵀ.
    @Test(arguments: [[4, 6, 3], [4, 2, 3], [3, 5, 5, 4], [5, 3], [4, 6, 6, 6, 5]])
    func alignedStartIsDecoupled(sizes: [Int]) throws {
        let data = Samples(n: 30, inputs: sizes.first!, outputs: sizes.last!, seed: 1)
        let c = data.correlations
        let a = try Architecture(sizes: sizes)
        let a0 = 0.02
        let w = try Initialization.aligned(seed: 4, scale: a0).weights(for: a, correlations: c)
        let svd = try SingularValueDecomposition(c.sigma31)
        let k = min(svd.values.count, sizes.dropFirst().dropLast().min() ?? .max)
        #expect(w.imbalance < 1e-15)
        let expected = a0 * (svd.u.leadingColumns(k) * svd.v.leadingColumns(k).transposed)
        #expect(w.endToEnd.isApproximatelyEqual(to: expected, absoluteTolerance: 1e-15))
        let strengths = try AlignedStart.modeStrengths(of: w, basis: svd)
        for (i, s) in strengths.enumerated() { #expect(abs(s - (i < k ? a0 : 0)) < 1e-15) }
        // A random start is neither balanced nor aligned.
        let random = try Initialization.gaussian(seed: 4, scale: 0.1).weights(for: a)
        #expect(throws: LinflowError.self) { try AlignedStart.modeStrengths(of: random, basis: svd) }
    }

    @Test func seedsReproduceAndDiffer() throws {
        let a = try Architecture(sizes: [3, 4, 2])
        let c = Samples(n: 10, inputs: 3, outputs: 2, seed: 1).correlations
        for kind in Initialization.kinds {
            func start(_ seed: UInt64) throws -> Weights {
                try Initialization(argument: kind, seed: seed, scale: 0.1, lambda: kind == "lambda-balanced" ? 0 : nil)
                    .weights(for: a, correlations: c)
            }
            #expect(try start(7) == start(7))
            #expect(try start(7) != start(8), "\(kind)")
        }
    }

    @Test func initArgumentNamesAKindOrAFile() throws {
        #expect(try Initialization(argument: "random", seed: 2, scale: 0.5) == .gaussian(seed: 2, scale: 0.5))
        #expect(try Initialization(argument: "aligned", seed: 2, scale: 0.5) == .aligned(seed: 2, scale: 0.5))
        #expect(try Initialization(argument: "run.csv", seed: 2, scale: 0.5) == .file(path: "run.csv"))
        #expect(try Initialization(argument: "dir/balanced", seed: 2, scale: 0.5) == .file(path: "dir/balanced"))
        // A kind's name that is also an existing file is the file: see AnalyticCLITests.
        #expect(throws: LinflowError.usage("\(Setting.start) must be random, orthogonal, balanced, aligned, lambda-balanced or a trajectory CSV file, got 'xavier'")) {
            try Initialization(argument: "xavier", seed: 2, scale: 0.5)
        }
        let a = try Architecture(sizes: [3, 4, 2])
        #expect(throws: LinflowError.self) { try Initialization.aligned(seed: 1, scale: 0.1).weights(for: a) }
        #expect(throws: LinflowError.self) { try Initialization.balanced(seed: 1, scale: -1).weights(for: a) }
    }
}
