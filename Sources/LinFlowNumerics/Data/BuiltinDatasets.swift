/// Datasets that ship inside linflow, so that every command has something to run on.
public struct BuiltinDataset: Sendable {
    public let name: String
    public let summary: String
    public let inputNames: [String]
    public let outputNames: [String]
    /// Each row: inputs followed by outputs.
    public let rows: [[Double]]
    /// A horizon over which gradient flow from the default start has learned every mode.
    public let suggestedHorizon: Double

    public var inputs: Int { inputNames.count }
    public var outputs: Int { outputNames.count }

    public var correlations: Correlations {
        Correlations(inputs: rows.map { Array($0[0..<inputs]) }, outputs: rows.map { Array($0[inputs...]) })
    }

    public var csv: String {
        var s = (inputNames + outputNames).joined(separator: ",") + "\n"
        for r in rows { s += r.map { $0.description }.joined(separator: ",") + "\n" }
        return s
    }

    public static let all: [BuiltinDataset] = [hierarchy, seedAffine]

    public static func named(_ name: String) -> BuiltinDataset? { all.first { $0.name == name } }

    /// Saxe, McClelland & Ganguli's hierarchical items × properties data: eight items, one-hot
    /// inputs, and one property per node of a three-level binary tree (15 properties). Its Σ31
    /// has singular values 0.484, 0.331, 0.217 (×2), 0.125 (×4), so gradient flow from a small
    /// start learns the tree level by level, in sigmoidal stages. Σ11 = I/8.
    public static let hierarchy: BuiltinDataset = {
        let items = ["goldfish", "tuna", "robin", "canary", "rose", "daisy", "pine", "oak"]
        // Tree nodes from the root down: living thing; animal, plant; fish, bird, flower, tree;
        // then one property per item.
        let nodeProperties = ["grow", "move", "roots", "gills", "wings", "petals", "bark"]
        let leafProperties = items.map { "is_\($0)" }
        var rows: [[Double]] = []
        for (i, _) in items.enumerated() {
            var x = [Double](repeating: 0, count: 8)
            x[i] = 1
            var y = [Double](repeating: 0, count: 15)
            y[0] = 1                  // every item grows
            y[1 + i / 4] = 1          // animal or plant
            y[3 + i / 2] = 1          // fish, bird, flower or tree
            y[7 + i] = 1              // the item itself
            rows.append(x + y)
        }
        return BuiltinDataset(
            name: "hierarchy",
            summary: "Saxe et al.'s 8 items (one-hot) x 15 hierarchical properties; stage-like learning",
            inputNames: items, outputNames: nodeProperties + leafProperties, rows: rows,
            suggestedHorizon: 80)
    }()

    /// A small affine regression: four samples, two inputs, one output (z ≈ w0 + w1 x1 + w2 x2
    /// with residuals, so the loss floor is positive). Use with `--bias` for a 2-2-1 affine network.
    public static let seedAffine = BuiltinDataset(
        name: "seed-affine",
        summary: "a small affine regression: 4 samples, inputs x1,x2, output z (a 2-2-1 affine network)",
        inputNames: ["x1", "x2"], outputNames: ["z"],
        rows: [[0, 0, 1.0], [1, 0, 2.9], [0, 1, 0.2], [1, 1, 2.2]],
        suggestedHorizon: 40)
}
