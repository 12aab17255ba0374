import Crypto
import Foundation
import LinFlowNumerics

/// Where a run's data come from: a data file (CSV, .npy or .npz) or a built-in dataset.
public enum DataSource: Sendable, Equatable {
    case file(DataFileSpec)
    case builtin(String)

    public static let defaultDataset = "hierarchy"

    /// A CSV or .npy whose last `outputs` columns are the targets.
    public static func file(path: String, outputs: Int) -> DataSource {
        .file(DataFileSpec(path: path, outputs: .count(outputs)))
    }

    /// Reads the data once, streaming, into their correlations. Refuses correlations that
    /// overflow (a column whose squares exceed the largest double) before anything uses them.
    ///
    /// With `heldOut` (validated, ``HeldOutChoice/validate(data:)``) the held-out samples are read
    /// into correlations of their own (``LoadedData/test``): the rows of the file that the split
    /// holds out, in the same pass (and left out of the training correlations), or a second file
    /// in a pass of its own, whose columns must be those of the data file.
    public func correlations(heldOut: HeldOutChoice = HeldOutChoice()) throws -> LoadedData {
        switch self {
        case .builtin(let name):
            guard let d = BuiltinDataset.named(name) else {
                let names = BuiltinDataset.all.map(\.name).joined(separator: ", ")
                throw LinflowError.usage("no built-in dataset named '\(name)' (there are: \(names))")
            }
            return LoadedData(correlations: d.correlations, description: "built-in dataset '\(name)'",
                              inputNames: d.inputNames, outputNames: d.outputNames,
                              suggestedHorizon: d.suggestedHorizon, file: nil)
        case .file(let spec):
            let split = heldOut.split
            var acc = CorrelationAccumulator(inputs: 0, outputs: 0), held = acc, row = 0
            let summary = try spec.forEachSample(sizes: {
                acc = CorrelationAccumulator(inputs: $0, outputs: $1)
                held = CorrelationAccumulator(inputs: $0, outputs: $1)
            }) { x, y in
                if let split, split.holdsOut(row: row) { held.add(input: x, output: y) } else { acc.add(input: x, output: y) }
                row += 1
            }
            if let split, acc.count == 0 || held.count == 0 {
                throw LinflowError.usage("\(Setting.testFraction) \(split.fraction) with \(Setting.splitSeed) \(split.seed) holds out \(held.count) of the \(row) rows of \(spec.path), leaving \(acc.count == 0 ? "none to train on" : "none to test on"); change the fraction or the seed")
            }
            let c = acc.finish()
            try c.checkFinite(inputNames: summary.inputNames, outputNames: summary.outputNames, file: spec.path)
            // The summaries' first line shows `description`: it names the columns used.
            var loaded = LoadedData(correlations: c,
                                    description: "\(spec.path) [inputs \(describeColumns(summary.inputNames)), outputs \(describeColumns(summary.outputNames))]",
                                    inputNames: summary.inputNames, outputNames: summary.outputNames,
                                    suggestedHorizon: nil, file: summary.file)
            if let split {
                let t = held.finish()
                try t.checkFinite(inputNames: summary.inputNames, outputNames: summary.outputNames, file: spec.path)
                loaded.test = HeldOutData(correlations: t, source: .split(split, rows: row))
            }
            if let path = heldOut.file { loaded.test = try Self.testFile(path, like: spec, summary: summary) }
            return loaded
        }
    }

    /// The correlations of the test file at `path`, read as `spec` reads the data file; refused
    /// unless its selected columns are the data file's (by name, and so by number).
    private static func testFile(_ path: String, like spec: DataFileSpec, summary: DataFileSummary) throws -> HeldOutData {
        var testSpec = spec
        testSpec.path = path
        var acc = CorrelationAccumulator(inputs: 0, outputs: 0)
        let test = try testSpec.forEachSample(sizes: { acc = CorrelationAccumulator(inputs: $0, outputs: $1) }) { x, y in
            acc.add(input: x, output: y)
        }
        guard test.inputNames == summary.inputNames, test.outputNames == summary.outputNames else {
            throw LinflowError.data("\(path): the \(Setting.testFile) file's columns are inputs \(describeColumns(test.inputNames)), outputs \(describeColumns(test.outputNames)), but \(spec.path)'s are inputs \(describeColumns(summary.inputNames)), outputs \(describeColumns(summary.outputNames)); a test file needs the same columns")
        }
        let c = acc.finish()
        try c.checkFinite(inputNames: test.inputNames, outputNames: test.outputNames, file: path)
        return HeldOutData(correlations: c, source: .file(test.file))
    }
}

/// The held-out samples of a run: their correlations (those of the raw inputs; a network with
/// biases augments them as it does the training ones) and where they come from.
public struct HeldOutData: Sendable {
    public enum Source: Sendable {
        /// A second file (`--test`), with its size and checksum.
        case file(FileIdentity)
        /// The rows of the data file the split holds out, of `rows` in all.
        case split(HeldOutSplit, rows: Int)
    }

    public let correlations: Correlations
    public let source: Source

    public init(correlations: Correlations, source: Source) { (self.correlations, self.source) = (correlations, source) }

    /// The test file, if the samples come from one.
    public var file: FileIdentity? {
        if case .file(let f) = source { return f }
        return nil
    }

    /// One line for the summaries.
    public var description: String {
        switch source {
        case .file(let f): return "\(f.path) (N = \(correlations.sampleCount))"
        case .split(let s, let rows):
            return "\(correlations.sampleCount) of the \(rows) rows held out (fraction \(s.fraction), split seed \(s.seed))"
        }
    }

    /// The record's `test` entry: the file with its SHA-256, or the split with both counts.
    public var record: [String: Any] {
        switch source {
        case .file(let f):
            return ["source": f.path, "bytes": f.bytes, "sha256": f.sha256, "samples": correlations.sampleCount]
        case .split(let s, let rows):
            return ["split": ["fraction": s.fraction, "seed": s.seed, "rule": HeldOutSplit.rule,
                              "held_out": correlations.sampleCount, "training": rows - correlations.sampleCount, "rows": rows] as [String: Any],
                    "samples": correlations.sampleCount]
        }
    }
}

public struct LoadedData: Sendable {
    public let correlations: Correlations
    public let description: String
    public let inputNames: [String]
    public let outputNames: [String]
    public let suggestedHorizon: Double?
    /// Size and checksum of the data file (nil for built-in data).
    public let file: FileIdentity?
    /// The held-out samples (`--test`, `--test-fraction`), if any.
    public internal(set) var test: HeldOutData?

    /// The provenance entry for this data.
    public var record: [String: Any] {
        var r: [String: Any] = ["source": file?.path ?? description, "samples": correlations.sampleCount,
                                "inputs": correlations.inputs, "outputs": correlations.outputs]
        if let file { r["bytes"] = file.bytes; r["sha256"] = file.sha256 }
        r["input_columns"] = inputNames
        r["output_columns"] = outputNames
        return r
    }
}

public struct FileIdentity: Sendable, Equatable {
    public let path: String
    public let bytes: Int
    public let sha256: String

    public init(path: String, bytes: Int, sha256: String) { (self.path, self.bytes, self.sha256) = (path, bytes, sha256) }

    /// Size and SHA-256 of a file read on its own, for inputs that are not parsed in a streaming
    /// pass that could hash them on the way (an HDF5 start, a rerun's check); nil if unreadable.
    public init?(readingFile path: String) {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        var hasher = SHA256(), bytes = 0
        while let chunk = try? handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
            bytes += chunk.count
        }
        self.init(path: path, bytes: bytes, sha256: hex(hasher.finalize()))
    }
}
