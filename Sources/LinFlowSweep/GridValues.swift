import Foundation
import LinFlowNumerics
import LinFlowIO

/// One axis of a sweep: the options it sets and, for each of its points, their values.
///
/// A `--grid NAME=V1,V2,…` axis sets one option; a `--zip A=…,B=…` axis sets several in step
/// (the i-th value of each together), so its lists must have the same length. The sweep is the
/// cartesian product of its axes.
public struct SweepAxis: Codable, Equatable, Sendable {
    /// Long option names without the dashes, e.g. `lr`, `init-scale`.
    public var options: [String]
    /// `values[i][k]`: the value of `options[k]` at the axis's i-th point, as passed to the command.
    public var values: [[String]]
    /// `log` or `linear` when the axis is one range shorthand, else `list`.
    public var spacing: String

    public init(options: [String], values: [[String]], spacing: String) {
        (self.options, self.values, self.spacing) = (options, values, spacing)
    }
}

/// Parses the values of `--grid` and `--zip`.
///
/// Each comma-separated item is a literal value, passed to the command as written, or a range:
/// `A:B:N` is N linearly spaced values a + (b − a)·i/(N − 1), and `A:B:Nlog` N log-spaced values
/// 10^(log₁₀a + (log₁₀b − log₁₀a)·i/(N − 1)), i = 0…N−1, both ends included. Range values are
/// written with 12 significant digits (`%.12g`), which hides the last-bit noise of the
/// arithmetic (0.15000000000000002 → 0.15) and keeps exact decades exact (1e-3:1:7log gives
/// 0.001, 0.00316227766017, 0.01, …, 1).
public enum GridValues {
    /// `NAME=ITEMS` of `--grid`: one option and its values.
    public static func grid(_ text: String) throws -> SweepAxis {
        guard let eq = text.firstIndex(of: "=") else {
            throw LinflowError.usage("\(Setting.grid) takes NAME=V1,V2,… (e.g. lr=0.1,0.2 or init-scale=1e-3:1:7log), got '\(text)'")
        }
        let name = try optionName(String(text[..<eq]), in: .grid)
        let (values, spacing) = try expand(String(text[text.index(after: eq)...]), option: name)
        return SweepAxis(options: [name], values: values.map { [$0] }, spacing: spacing)
    }

    /// `A=ITEMS,B=ITEMS,…` of `--zip`: a new name starts at each item holding `=`.
    public static func zip(_ text: String) throws -> SweepAxis {
        var groups: [(name: String, items: [String])] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            if let eq = item.firstIndex(of: "=") {
                groups.append((try optionName(String(item[..<eq]), in: .zip), [String(item[item.index(after: eq)...])]))
            } else if groups.isEmpty {
                throw LinflowError.usage("\(Setting.zip) takes NAME=V1,V2,…,NAME=V1,V2,… (e.g. lr=0.1,0.2,seed=1,2), got '\(text)'")
            } else {
                groups[groups.count - 1].items.append(item)
            }
        }
        guard groups.count >= 2 else {
            throw LinflowError.usage("\(Setting.zip) needs at least two options to move together (one option is a \(Setting.grid)), got '\(text)'")
        }
        var lists: [[String]] = []
        for g in groups {
            if groups.filter({ $0.name == g.name }).count > 1 { throw LinflowError.usage("\(Setting.zip) names --\(g.name) twice") }
            lists.append(try expand(g.items.joined(separator: ","), option: g.name).values)
        }
        guard Set(lists.map(\.count)).count == 1 else {
            let counts = zip2(groups.map(\.name), lists.map(\.count)).map { "--\($0) has \($1)" }.joined(separator: ", ")
            throw LinflowError.usage("\(Setting.zip) lists must have the same length: \(counts)")
        }
        let points = lists[0].indices.map { i in lists.map { $0[i] } }
        return SweepAxis(options: groups.map(\.name), values: points, spacing: "list")
    }

    /// The values of one option's item list and the axis's spacing.
    public static func expand(_ items: String, option: String) throws -> (values: [String], spacing: String) {
        let parts = items.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        var values: [String] = []
        var spacing = "list"
        for part in parts {
            let item = part.trimmingCharacters(in: .whitespaces)
            if item.isEmpty { throw LinflowError.usage("--\(option): an empty value in '\(items)'") }
            if let range = try range(item, option: option) {
                values += range.values
                if parts.count == 1 { spacing = range.log ? "log" : "linear" }
            } else {
                values.append(item)
            }
        }
        // The same text, or the same number written two ways (0.1 and 1e-1).
        for (i, v) in values.enumerated() {
            if let j = values[..<i].firstIndex(where: { $0 == v || (Double($0).map { $0 == Double(v) } ?? false) }) {
                let twice = values[j] == v ? "\(v) twice" : "\(values[j]) twice (as \(values[j]) and \(v))"
                throw LinflowError.usage("--\(option) lists the value \(twice), which would repeat tasks")
            }
        }
        return (values, spacing)
    }

    /// `A:B:N` or `A:B:Nlog`, or nil for an item without two colons (a literal value).
    static func range(_ item: String, option: String) throws -> (values: [String], log: Bool)? {
        let fields = item.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard fields.count == 3 else { return nil }
        let log = fields[2].hasSuffix("log")
        let countText = log ? String(fields[2].dropLast(3)) : fields[2]
        guard let a = Double(fields[0]), let b = Double(fields[1]), a.isFinite, b.isFinite,
              let n = Int(countText) else {
            throw LinflowError.usage("--\(option): '\(item)' is not a range START:END:COUNT or START:END:COUNTlog")
        }
        guard n >= 2 else { throw LinflowError.usage("--\(option): the range '\(item)' needs a COUNT of at least 2") }
        guard a != b else { throw LinflowError.usage("--\(option): the range '\(item)' starts and ends at the same value") }
        if log {
            guard a > 0, b > 0 else {
                throw LinflowError.usage("--\(option): the log range '\(item)' needs positive ends")
            }
            let (la, lb) = (Foundation.log10(a), Foundation.log10(b))
            return ((0..<n).map { i in decimal(i == n - 1 ? b : pow(10, la + (lb - la) * Double(i) / Double(n - 1))) }, true)
        }
        return ((0..<n).map { i in decimal(i == n - 1 ? b : a + (b - a) * Double(i) / Double(n - 1)) }, false)
    }

    /// 12 significant digits, as a command-line value.
    static func decimal(_ x: Double) -> String { String(format: "%.12g", x) }

    static func optionName(_ raw: String, in flag: Setting) throws -> String {
        var name = raw.trimmingCharacters(in: .whitespaces)
        while name.hasPrefix("-") { name.removeFirst() }
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-")
        guard !name.isEmpty, name.allSatisfy(allowed.contains) else {
            throw LinflowError.usage("\(flag): '\(raw)' is not an option name (write it without dashes, e.g. lr or init-scale)")
        }
        return name
    }
}

private func zip2<A, B>(_ a: [A], _ b: [B]) -> Zip2Sequence<[A], [B]> { zip(a, b) }
