/// The raw samples of a dataset held in memory, which minibatch descent needs (full-batch
/// descent and the flow need only the correlations, formed in one streaming pass).
///
/// Row n is `values[n·(inputs+outputs) ..< (n+1)·(inputs+outputs)]`: inputs, then outputs.
/// At most ``maximumValues`` numbers (N × columns, 400 MB of doubles) are held; a larger file
/// is refused with a message rather than read part-way.
public struct SampleSet: Sendable {
    public let inputs: Int
    public let outputs: Int
    public private(set) var values: [Double] = []

    public static let maximumValues = 50_000_000

    public var columns: Int { inputs + outputs }
    public var count: Int { values.count / columns }

    public init(inputs: Int, outputs: Int, values: [Double]) {
        precondition(values.count % (inputs + outputs) == 0)
        self.inputs = inputs
        self.outputs = outputs
        self.values = values
    }

    /// The correlations of the samples at `indices` (1/|batch| Σ over the batch).
    public func correlations<C: Collection>(of indices: C) -> Correlations where C.Element == Int {
        var acc = CorrelationAccumulator(inputs: inputs, outputs: outputs, blockRows: min(256, max(1, indices.count)), factor: false)
        values.withUnsafeBufferPointer { p in
            for n in indices {
                let row = p.baseAddress! + n * columns
                acc.add(input: row, output: row + inputs)
            }
        }
        return acc.finish()
    }
}

/// Minibatches for stochastic gradient descent: at the start of every epoch the N sample
/// indices are shuffled (Fisher–Yates with GSL's MT19937, seeded once, so a seed fixes every
/// epoch's order) and cut into consecutive batches of B; when B does not divide N the last
/// batch of an epoch holds the N mod B left over. Every sample is used once per epoch.
public final class MinibatchSampler {
    public let sampleCount: Int
    public let batchSize: Int
    /// Epochs begun so far.
    public private(set) var epoch = 0
    private var order: [Int]
    private var position: Int
    private let random: GaussianSource

    public init(sampleCount: Int, batchSize: Int, seed: UInt64) {
        precondition(sampleCount >= 1 && batchSize >= 1)
        self.sampleCount = sampleCount
        self.batchSize = batchSize
        random = GaussianSource(seed: seed)
        order = Array(0..<sampleCount)
        position = sampleCount
    }

    /// The indices of the next batch.
    public func next() -> ArraySlice<Int> {
        if position == sampleCount {
            for i in stride(from: sampleCount - 1, to: 0, by: -1) {
                order.swapAt(i, random.uniformInt(below: i + 1))
            }
            position = 0
            epoch += 1
        }
        let end = min(position + batchSize, sampleCount)
        defer { position = end }
        return order[position..<end]
    }
}
