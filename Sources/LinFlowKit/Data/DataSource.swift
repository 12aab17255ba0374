import Crypto
import Foundation

/// Where a run's data come from: a CSV file or a built-in dataset.
public enum DataSource: Sendable, Equatable {
    /// A numeric CSV; the last `outputs` columns are the targets.
    case file(path: String, outputs: Int)
    case builtin(String)

    public static let defaultDataset = "hierarchy"

    /// Reads the data once, streaming, into their correlations.
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
        case .file(let path, let k):
            guard k >= 1 else { throw LinflowError.usage("--outputs must be at least 1, got \(k)") }
            // The checksum is taken in the same pass that parses the file.
            var hasher = SHA256()
            let reader = try NumericCSVReader(path: path) { hasher.update(bufferPointer: $0) }
            let columns = reader.columnCount
            guard k < columns else {
                throw LinflowError.data("\(path): has \(columns) column\(columns == 1 ? "" : "s"); --outputs \(k) leaves no input column")
            }
            var acc = CorrelationAccumulator(inputs: columns - k, outputs: k)
            try reader.forEachRow { row in
                acc.add(input: row.baseAddress!, output: row.baseAddress! + (columns - k))
            }
            guard acc.count > 0 else {
                throw LinflowError.data("\(path): no data rows\(reader.header != nil ? " after the header" : "")")
            }
            let names = reader.header ?? (1...columns).map { "c\($0)" }
            return LoadedData(correlations: acc.finish(), description: path,
                              inputNames: Array(names[..<(columns - k)]), outputNames: Array(names[(columns - k)...]),
                              suggestedHorizon: nil,
                              file: FileIdentity(path: path, bytes: reader.byteCount,
                                                  sha256: hasher.finalize().map { String(format: "%02x", $0) }.joined()))
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
        var r: [String: Any] = ["source": description, "samples": correlations.sampleCount,
                                "inputs": correlations.inputs, "outputs": correlations.outputs]
        if let file { r["bytes"] = file.bytes; r["sha256"] = file.sha256 }
        return r
    }
}

public struct FileIdentity: Sendable, Equatable {
    public let path: String
    public let bytes: Int
    public let sha256: String
}
