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
    public func correlations() throws -> LoadedData {
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
            var acc = CorrelationAccumulator(inputs: 0, outputs: 0)
            let summary = try spec.forEachSample(sizes: {
                try CorrelationAccumulator.checkFitsInMemory(inputs: $0, outputs: $1)
                acc = CorrelationAccumulator(inputs: $0, outputs: $1)
            }) { x, y in
                acc.add(input: x, output: y)
            }
            let c = acc.finish()
            try c.checkFinite(inputNames: summary.inputNames, outputNames: summary.outputNames, file: spec.path)
            // The summaries' first line shows `description`: it names the columns used.
            return LoadedData(correlations: c,
                              description: "\(spec.path) [inputs \(describeColumns(summary.inputNames)), outputs \(describeColumns(summary.outputNames))]",
                              inputNames: summary.inputNames, outputNames: summary.outputNames,
                              suggestedHorizon: nil, file: summary.file)
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
