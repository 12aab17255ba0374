import LinFlowNumerics

extension SampleSet {
    /// Reads every sample of `source` (but the rows `split` holds out), refusing a file of more
    /// than `limit` numbers.
    public static func load(_ source: DataSource, holdingOut split: HeldOutSplit? = nil,
                            limit: Int = SampleSet.maximumValues) throws -> SampleSet {
        switch source {
        case .builtin(let name):
            guard let d = BuiltinDataset.named(name) else { throw LinflowError.usage("no built-in dataset named '\(name)'") }
            return SampleSet(inputs: d.inputs, outputs: d.outputs, values: d.rows.flatMap { $0 })
        case .file(let spec):
            var values: [Double] = [], inputs = 0, outputs = 0, row = 0
            try spec.forEachSample(sizes: { inputs = $0; outputs = $1 }) { x, y in
                defer { row += 1 }
                if let split, split.holdsOut(row: row) { return }
                guard values.count + inputs + outputs <= limit else {
                    throw LinflowError.data("\(spec.path): more than \(limit) numbers; \(Setting.batchSize) holds the samples in memory and is limited to N × columns ≤ \(limit) (full-batch descent streams any size)")
                }
                values.append(contentsOf: UnsafeBufferPointer(start: x, count: inputs))
                values.append(contentsOf: UnsafeBufferPointer(start: y, count: outputs))
            }
            return SampleSet(inputs: inputs, outputs: outputs, values: values)
        }
    }
}

extension Initialization {
    /// The start's weights, reading a `.file` start as a trajectory or weight file (``WeightFile``).
    public func weights(for architecture: Architecture, correlations: Correlations? = nil) throws -> Weights {
        try weights(for: architecture, correlations: correlations, readFile: { try WeightFile.resumePoint(path: $0).weights })
    }
}
