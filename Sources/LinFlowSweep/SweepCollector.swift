import Foundation
import LinFlowNumerics
import LinFlowIO

/// `linflow sweep collect`: one CSV row per task, for phase diagrams.
///
/// Columns: `task`, the grid's options under their names (`lr`, `init-scale`, …), `status`
/// (`complete`, `diverged`, `failed`, `missing`), then the run's figures:
///
/// - `final_loss`: L at the last written row;
/// - `final_excess_loss`: its `excess_loss`, L − L* ≥ 0 (from the trajectory CSV; the column for a
///   log colour scale, where `final_loss − loss_floor` would be rounding noise near the floor);
/// - `loss_floor`, `distance_to_ls`: the least-squares loss and ‖W − W*‖_F at the end;
/// - `imbalance_drift`: max over rows of |imbalance(t) − imbalance(0)|;
/// - `diverged` (1 or 0) and `max_sharpness` for `descend`;
/// - `final_loss_gd`, `final_loss_flow`, `final_loss_modified` for `compare`;
/// - `final_test_loss`, `min_test_loss`, `t_min_test_loss` with held-out data (`--test`,
///   `--test-fraction`): the last and the smallest `test_loss` over the rows and the time of the
///   smallest (for `compare`, the descent's), the figures of an overtraining diagram;
/// - `final_kernel_distance`: the last row's `kernel_distance` (with `--kernel-distance`), the
///   lazy-against-rich figure of a λ × scale sweep;
/// - `half_time_1…r`: the record's `half_times` (`analytic`: per mode, the closed form's time to
///   reach half of s_α/c), where the command reports them.
///
/// Each figure comes from the task's record (`out.csv.json`, its `result` object) when the
/// record has it, else from the trajectory CSV where the CSV has the column (`loss`,
/// `imbalance`, `sharpness`, `loss_gd`, …), else the cell is empty. For a diverged descent
/// the CSV is the kept out.csv.partial, so `final_loss` is that of the last row written before
/// the divergence was detected. The summary holds no times or host names, so the same results
/// give the same bytes however the tasks were run.
public struct SweepCollector {
    public let plan: SweepPlan
    public let directory: SweepDirectory

    public init(plan: SweepPlan, directory: SweepDirectory) { (self.plan, self.directory) = (plan, directory) }

    /// Figures every summary has, then those of particular commands (present if any task has them).
    static let commonFigures = ["final_loss", "loss_floor", "distance_to_ls", "imbalance_drift"]
    static let optionalFigures = ["final_excess_loss", "diverged", "max_sharpness", "final_loss_gd", "final_loss_flow", "final_loss_modified",
                                  "final_test_loss", "min_test_loss", "t_min_test_loss", "final_kernel_distance"]

    public func csv() throws -> String {
        try refuseMixedInputs()
        let results = plan.tasks.map { task -> (SweepTaskState, [String: String]) in
            let state = directory.state(of: task.id)
            guard case .finished(let outcome) = state else { return (state, [:]) }
            return (state, figures(directory.taskPath(task.id), outcome: outcome))
        }
        let present = Set(results.flatMap { $0.1.keys })
        let modes = present.filter { $0.hasPrefix("half_time_") }.count
        let halfTimes = (0..<modes).map { "half_time_\($0 + 1)" }
        let columns = Self.commonFigures + Self.optionalFigures.filter(present.contains) + halfTimes
        var out = (["task"] + plan.parameterNames + ["status"] + columns).map(csvCell).joined(separator: ",") + "\n"
        for (task, (state, figures)) in zip(plan.tasks, results) {
            let status: String
            switch state {
            case .finished(let o): status = o.status
            case .failed: status = "failed"
            case .missing: status = "missing"
            }
            let cells = [String(task.id)] + plan.parameterNames.map { task.parameters[$0] ?? "" } + [status]
                + columns.map { figures[$0] ?? "" }
            out += cells.map(csvCell).joined(separator: ",") + "\n"
        }
        return out
    }

    /// The figures of one finished task.
    func figures(_ path: String, outcome: SweepOutcome) -> [String: String] {
        let csvPath = path + "/" + (outcome.output ?? "out.csv")
        var result: [String: RecordValue] = [:]
        if let d = FileManager.default.contents(atPath: csvPath + ".json"),
           case .object(let json)? = try? JSONDecoder().decode(RecordValue.self, from: d),
           case .object(let r)? = json["result"] {
            result = r
        }
        var f: [String: String] = [:]
        for key in Self.commonFigures + ["max_sharpness", "final_loss_gd", "final_loss_flow", "final_loss_modified",
                                         "final_test_loss", "min_test_loss", "t_min_test_loss"] {
            if let v = result[key]?.text { f[key] = v }
        }
        if plan.command == "descend" || plan.command == "compare" {
            if case .bool(let d)? = result["diverged"] { f["diverged"] = d ? "1" : "0" }
            else if plan.command == "descend" { f["diverged"] = outcome.status == "diverged" ? "1" : "0" }
        }
        if case .array(let halves)? = result["half_times"] {
            for (i, v) in halves.enumerated() { f["half_time_\(i + 1)"] = v.text ?? "" }
        }
        // What the record lacks, from the trajectory itself.
        let trajectory = CSVTrajectoryFigures(path: csvPath)
        let fromCSV: [(String, String)] = [("final_loss", "loss"), ("final_excess_loss", "excess_loss"), ("final_loss_gd", "loss_gd"),
                                          ("final_loss_flow", "loss_flow"), ("final_loss_modified", "loss_modified"),
                                          ("final_kernel_distance", "kernel_distance"), ("final_test_loss", "test_loss")]
        for (key, column) in fromCSV where f[key] == nil {
            if let v = trajectory?.last(column) { f[key] = Self.format(v) }
        }
        if f["imbalance_drift"] == nil, let v = trajectory?.largestDrift("imbalance") { f["imbalance_drift"] = Self.format(v) }
        if f["max_sharpness"] == nil, let v = trajectory?.largest("sharpness") { f["max_sharpness"] = Self.format(v) }
        if f["min_test_loss"] == nil, let v = trajectory?.values("test_loss")?.min() { f["min_test_loss"] = Self.format(v) }
        return f
    }

    /// Refuses to collect tasks that read different contents of the same input file (the data
    /// changed between `sweep run`s): their rows would not belong to one phase diagram.
    func refuseMixedInputs() throws {
        var seen: [String: (task: Int, sha: String)] = [:]
        for task in plan.tasks {
            guard case .finished(let outcome) = directory.state(of: task.id) else { continue }
            let record = directory.taskPath(task.id) + "/" + (outcome.output ?? "out.csv") + ".json"
            guard let d = FileManager.default.contents(atPath: record),
                  case .object(let json)? = try? JSONDecoder().decode(RecordValue.self, from: d),
                  case .array(let inputs)? = json["inputs"] else { continue }
            for case .object(let input) in inputs {
                guard case .string(let path)? = input["path"], case .string(let sha)? = input["sha256"] else { continue }
                if let first = seen[path], first.sha != sha {
                    throw LinflowError.data("\(directory.path): tasks \(first.task) and \(task.id) read different contents of \(path) (SHA-256 \(first.sha.prefix(12))… and \(sha.prefix(12))…): it changed between sweep runs; run the tasks again on one version")
                }
                seen[path] = seen[path] ?? (task.id, sha)
            }
        }
    }

    static func format(_ x: Double) -> String {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x > 0 ? "inf" : "-inf" }
        return "\(x)"
    }
}

/// A value of a run record. Read with JSONDecoder, whose numbers are the doubles written
/// (JSONSerialization on Linux rounds some of them to a neighbouring double, e.g.
/// 0.21811416525278673 → 0.21811416525278676).
enum RecordValue: Decodable {
    case null, bool(Bool), number(Double), string(String), array([RecordValue]), object([String: RecordValue])

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let x = try? c.decode(Double.self) { self = .number(x) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([RecordValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: RecordValue].self)) }
    }

    /// A number as its shortest round-trip text; null (a figure that does not exist, e.g. the
    /// loss of a descent that became NaN, a mode never half learnt) as an empty cell.
    var text: String? {
        switch self {
        case .null: return ""
        case .number(let x): return SweepCollector.format(x)
        case .string(let s): return s
        default: return nil
        }
    }
}

/// The columns of a trajectory CSV that a summary needs: last values, largest values, drift.
struct CSVTrajectoryFigures {
    let header: [String]
    /// The columns a summary reads, by name (nil for a cell that is not a number).
    let columns: [String: [Double?]]
    static let read = ["loss", "loss_gd", "loss_flow", "loss_modified", "kernel_distance", "imbalance",
                       "sharpness", "excess_loss", "test_loss"]

    init?(path: String) {
        if let figures = Self.numeric(path: path) {
            self = figures
            return
        }
        var header: [String] = []
        var columns: [String: [Double?]] = [:]
        var wanted: [(String, Int)] = []
        do {
            try CSVColumns.forEachRow(path: path, header: { names in
                header = names
                wanted = Self.read.compactMap { n in names.firstIndex(of: n).map { (n, $0) } }
            }) { cells, _ in
                for (name, i) in wanted { columns[name, default: []].append(Double(cells[i])) }
                return true
            }
        } catch {
            return nil
        }
        self.header = header
        self.columns = columns
    }

    init(header: [String], columns: [String: [Double?]]) { (self.header, self.columns) = (header, columns) }

    /// The figures read by the numeric reader, which parses each row in its read buffer: a
    /// trajectory of hundreds of columns is read without a string or an array per cell (which
    /// were most of `sweep collect`'s time), and only the columns read are parsed. Nil when a
    /// cell of those is not a finite number (a descent that became NaN): then the text reader
    /// above takes the file, cell by cell; both read a number to the same double.
    static func numeric(path: String) -> CSVTrajectoryFigures? {
        guard let reader = try? NumericCSVReader(path: path, header: .yes), let names = reader.header else { return nil }
        let wanted = read.compactMap { n in names.firstIndex(of: n).map { (n, $0) } }
        var columns: [String: [Double?]] = [:]
        // Only these cells are parsed: the weights, most of a trajectory's columns, are skipped.
        var mask = [Bool](repeating: false, count: names.count)
        for (_, i) in wanted { mask[i] = true }
        do {
            try reader.forEachRow(only: mask) { row in
                for (name, i) in wanted { columns[name, default: []].append(row[i]) }
            }
        } catch {
            return nil
        }
        return CSVTrajectoryFigures(header: names, columns: columns)
    }

    func values(_ column: String) -> [Double]? {
        guard header.contains(column) else { return nil }
        return (columns[column] ?? []).compactMap { $0 }
    }

    func last(_ column: String) -> Double? { values(column)?.last }

    func largest(_ column: String) -> Double? { values(column)?.max() }

    /// max_t |x(t) − x(0)|.
    func largestDrift(_ column: String) -> Double? {
        guard let v = values(column), let first = v.first else { return nil }
        return v.map { abs($0 - first) }.max()
    }
}

/// A CSV cell: quoted when it holds a comma, quote or line break.
func csvCell(_ text: String) -> String {
    guard text.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return text }
    return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}
