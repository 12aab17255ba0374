import Foundation
import Testing
import Numerics
@testable import LinFlowNumerics
import LinFlowTestSupport
@testable import LinFlowIO
@testable import LinFlowPlot
@testable import LinFlowRuns
@testable import LinFlowSweep

/// `--representations`: hidden representations of one-hot items and their RSM.
@Suite struct RepresentationTests {
    func temporary(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString + name).path
    }

    /// Reads the tidy file back: (t, layer, kind, i, j) → value.
    func read(_ path: String) throws -> [String: Double] {
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").dropFirst()
        var values: [String: Double] = [:]
        for line in lines {
            let f = line.split(separator: ",").map(String.init)
            values[f[0...4].joined(separator: ",")] = Double(f[5])!
        }
        return values
    }

    /// The file against the weights of the trajectory (h = W21 e_i, and through a second hidden
    /// layer W32W21 e_i), the RSM against a Pearson correlation computed here, and Saxe et al.'s
    /// progressive differentiation on the hierarchy: after learning from a small start, items of one branch are
    /// more alike than items of sister branches, and those more than animal against plant.
    @Test func representationsOfTheHierarchy() throws {
        for layers in [[8, 16, 15], [8, 6, 5, 15]] {
            var request = RunRequest(command: .simulate, arguments: ["simulate"])
            request.network = NetworkChoice(layers: layers)
            request.start = StartChoice(kind: "random", seed: 2, scale: layers.count > 3 ? 0.3 : 0.01)
            request.integration = IntegrationChoice()
            request.sampling = SamplingChoice(tEnd: 100, samples: 2)
            request.columns = ColumnChoice()
            request.output = temporary(".csv")
            _ = try Simulation(RunSetup(request)).run(notice: { _ in })
            #expect(try Representations.items(of: .builtin("hierarchy")).first == "goldfish")
            let file = temporary("-rep.csv")
            try Representations.write(trajectory: request.output!, to: file)
            let values = try read(file)
            var last: Weights?
            try WeightFile.forEachRow(path: request.output!) { t, w in
                last = w
                var h = w.layer(1)
                for l in 1..<layers.count - 1 {
                    if l > 1 { h = w.layer(l) * h }
                    for i in 0..<8 {
                        for u in 0..<layers[l] { #expect(values["\(t!),\(l),h,\(i + 1),\(u + 1)"] == h[u, i]) }
                        for j in 0..<8 {
                            let a = h.column(i), b = h.column(j)
                            let ma = a.reduce(0, +) / Double(a.count), mb = b.reduce(0, +) / Double(b.count)
                            let cov = zip(a, b).reduce(0) { $0 + ($1.0 - ma) * ($1.1 - mb) }
                            let va = a.reduce(0) { $0 + ($1 - ma) * ($1 - ma) }, vb = b.reduce(0) { $0 + ($1 - mb) * ($1 - mb) }
                            let rho = try #require(values["\(t!),\(l),rsm,\(i + 1),\(j + 1)"])
                            #expect(rho.isApproximatelyEqual(to: cov / (va * vb).squareRoot(), absoluteTolerance: 1e-12))
                        }
                    }
                }
            }
            let rsm = Representations.similarity(Representations.hidden(try #require(last))[0])
            print("RSM row 1 \(layers):", (0..<8).map { rsm[0, $0] })
            // From a small start only (a large one keeps its random part): the two-layer run.
            guard layers.count == 3 else { continue }
            // goldfish–tuna (same branch) > goldfish–robin (sister branch) > goldfish–rose (other half).
            #expect(rsm[0, 1] > rsm[0, 2] + 0.1 && rsm[0, 2] > rsm[0, 4] + 0.05, "\(layers): \(rsm[0, 1]) \(rsm[0, 2]) \(rsm[0, 4])")
        }
        #expect(throws: LinflowError.self) { try Representations.items(of: .builtin("seed-affine")) }
    }
}
