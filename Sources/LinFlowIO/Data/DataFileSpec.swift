import Foundation
import LinFlowNumerics

/// Which columns of a data file are inputs and which are outputs: `--inputs` and `--outputs`.
///
/// A count, a comma list of names, or a glob (`*`, `?`). A count of outputs is the last k
/// columns, a count of inputs the first k. Names are those of the header, or c1…cN for a file
/// without one (and for a .npy); in a .npz they are array names.
public enum ColumnSelector: Sendable, Equatable, CustomStringConvertible {
    case count(Int)
    case names([String])
    case glob(String)

    public init(argument: String, option: Setting) throws {
        let t = argument.trimmingCharacters(in: .whitespaces)
        if let k = Int(t) {
            guard k >= 1 else { throw LinflowError.usage("\(option) must be at least 1, got \(k)") }
            self = .count(k)
        } else if t.contains("*") || t.contains("?") {
            guard !t.contains(",") else { throw LinflowError.usage("\(option) takes a count, a comma list of names or one glob, not '\(t)'") }
            self = .glob(t)
        } else {
            let names = t.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard !names.contains(where: \.isEmpty) else { throw LinflowError.usage("\(option) has an empty name in '\(argument)'") }
            self = .names(names)
        }
    }

    public var description: String {
        switch self {
        case .count(let k): return "\(k)"
        case .names(let n): return n.joined(separator: ",")
        case .glob(let g): return g
        }
    }

    /// The indices into `names` this selects, in file order for a count or a glob and in the
    /// listed order for names. `fromEnd`: a count takes the last k (outputs) instead of the first k.
    func resolve(_ names: [String], fromEnd: Bool, option: Setting, file: String) throws -> [Int] {
        switch self {
        case .count(let k):
            guard k < names.count else {
                throw LinflowError.data("\(file): has \(names.count) column\(names.count == 1 ? "" : "s"); \(option) \(k) leaves no \(option == Setting.outputColumns ? "input" : "output") column")
            }
            return fromEnd ? Array((names.count - k)..<names.count) : Array(0..<k)
        case .names(let wanted):
            return try wanted.map { w in
                guard let i = names.firstIndex(of: w) else {
                    throw LinflowError.data("\(file): \(option) names '\(w)', which is not a column (there are: \(Self.abbreviated(names)))")
                }
                try Self.refuseRepeated(w, in: names, option: option, file: file)
                return i
            }
        case .glob(let g):
            let hits = names.indices.filter { Glob.matches(g, names[$0]) }
            guard !hits.isEmpty else {
                throw LinflowError.data("\(file): \(option) '\(g)' matches no column (there are: \(Self.abbreviated(names)))")
            }
            for i in hits { try Self.refuseRepeated(names[i], in: names, option: option, file: file) }
            return hits
        }
    }

    /// A name that heads two columns cannot select one of them: refused rather than taking the
    /// first (a count still selects by position).
    static func refuseRepeated(_ name: String, in names: [String], option: Setting, file: String) throws {
        let at = names.indices.filter { names[$0] == name }
        guard at.count > 1 else { return }
        throw LinflowError.data("\(file): \(at.count) columns are named '\(name)' (columns \(at.map { String($0 + 1) }.joined(separator: ", "))), so \(option) cannot tell them apart; rename them or select by count")
    }

    static func abbreviated(_ names: [String]) -> String {
        names.count <= 8 ? names.joined(separator: ", ") : names.prefix(4).joined(separator: ", ") + ", …, " + names.suffix(2).joined(separator: ", ")
    }
}

/// A data file and how to read it: the value behind `--data`, `--inputs`, `--outputs`,
/// `--header` and `--delimiter`. The format follows the extension: `.npy` and `.npz` are NumPy
/// files, anything else a numeric CSV.
public struct DataFileSpec: Sendable, Equatable {
    public var path: String
    /// nil: every column that is not an output.
    public var inputs: ColumnSelector?
    /// nil is allowed only for a .npz, whose arrays x and y state the split.
    public var outputs: ColumnSelector?
    public var header: HeaderMode
    public var delimiter: Delimiter

    public init(path: String, inputs: ColumnSelector? = nil, outputs: ColumnSelector?,
                header: HeaderMode = .auto, delimiter: Delimiter = .comma) {
        self.path = path
        self.inputs = inputs
        self.outputs = outputs
        self.header = header
        self.delimiter = delimiter
    }

    public enum Format: Sendable { case csv, npy, npz }

    public var format: Format {
        let lower = path.lowercased()
        if lower.hasSuffix(".npy") { return .npy }
        if lower.hasSuffix(".npz") { return .npz }
        return .csv
    }

    /// Whether `--delimiter` was given a value other than the default (used to refuse it on NumPy files).
    var usesCSVOptions: Bool { header != .auto || delimiter != .comma }

    /// Resolves the selectors against the columns `names`: (input indices, output indices).
    /// Columns named by neither are dropped; a column may not be both.
    func split(_ names: [String]) throws -> (inputs: [Int], outputs: [Int]) {
        guard let outputs else {
            throw LinflowError.usage("\(Setting.dataFile) \(path): say which columns are the targets with \(Setting.outputColumns) (a count of trailing columns, names, or a glob)")
        }
        let out = try outputs.resolve(names, fromEnd: true, option: .outputColumns, file: path)
        let outSet = Set(out)
        let inp: [Int]
        if let inputs {
            inp = try inputs.resolve(names, fromEnd: false, option: .inputColumns, file: path)
            if let both = inp.first(where: outSet.contains) {
                throw LinflowError.data("\(path): column '\(names[both])' is selected by both \(Setting.inputColumns) and \(Setting.outputColumns)")
            }
        } else {
            inp = names.indices.filter { !outSet.contains($0) }
        }
        guard !inp.isEmpty else {
            throw LinflowError.data("\(path): has \(names.count) column\(names.count == 1 ? "" : "s"); \(Setting.outputColumns) \(outputs) leaves no input column")
        }
        for group in [inp, out] where Set(group).count != group.count {
            throw LinflowError.usage("\(path): a column is named twice in \(Setting.inputColumns) or \(Setting.outputColumns)")
        }
        return (inp, out)
    }
}

/// "k name1…nameK" for the summary line.
public func describeColumns(_ names: [String]) -> String {
    switch names.count {
    case 0: return "0"
    case 1: return "1 (\(names[0]))"
    case 2: return "2 (\(names[0]), \(names[1]))"
    default: return "\(names.count) (\(names.first!)…\(names.last!))"
    }
}
