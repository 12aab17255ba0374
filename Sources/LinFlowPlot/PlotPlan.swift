#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LinFlowNumerics
import LinFlowIO

/// One input as the plot sees it.
public struct PlotInput: Equatable, Sendable {
    public var path: String
    public var label: String
    public var header: [String]
    /// The column on the x axis: `t` if there is one, else the first column.
    public var xColumn: String { header.contains("t") ? "t" : header[0] }

    public init(path: String, label: String, header: [String]) {
        self.path = path
        self.label = label
        self.header = header
    }
}

/// One line in the picture: a column of an input.
public struct PlotCurve: Equatable, Sendable {
    /// Index into ``PlotPlan/inputs``.
    public var input: Int
    public var column: String
    public var title: String
    /// "#rrggbb".
    public var color: String
    /// gnuplot dash type: 1 solid, 2 dashed, 3 dotted, …
    public var dash: Int
    public var width: Double
}

/// A set of axes. Most kinds have one; `compare` has losses above gaps.
public struct PlotPanel: Equatable, Sendable {
    public var yLabel: String
    public var logY: Bool
    public var curves: [PlotCurve]
}

/// What to draw, decided from the request and the inputs' headers, before gnuplot is involved.
public struct PlotPlan: Equatable, Sendable {
    public var inputs: [PlotInput]
    public var xLabel: String
    public var panels: [PlotPanel]
    public var title: String?
    /// Things the user should know: columns left out, caps applied.
    public var notes: [String]

    public var curveCount: Int { panels.reduce(0) { $0 + $1.curves.count } }
}

/// Chooses columns, axes, labels and styles. A pure function of its arguments, so it can be
/// tested without gnuplot or files.
public enum PlotPlanner {
    /// - Parameter positiveColumns: for input `i` and some of its columns, those with at least
    ///   one positive value (only asked about columns on a log axis); it may throw for an
    ///   unreadable or empty file.
    public static func plan(
        _ request: PlotRequest, inputs: [PlotInput],
        positiveColumns: (Int, [String]) throws -> Set<String>
    ) throws -> PlotPlan {
        var notes: [String] = []
        let layout = PanelLayout(kind: request.kind)
        let patterns = request.columns.flatMap { $0.split(separator: ",").map(String.init) }
            .filter { !$0.isEmpty }

        for pattern in patterns where !inputs.contains(where: { input in input.header.contains { Glob.matches(pattern, $0) } }) {
            throw LinflowError.usage("\(Setting.columns) '\(pattern)' matches no column of \(inputs.map(\.path).joined(separator: ", ")) (\(inputs[0].path) has \(summary(of: inputs[0].header)))")
        }

        // Columns of each input, per panel.
        var chosen: [[[String]]] = []
        for input in inputs {
            var columns = patterns.isEmpty
                ? layout.defaultColumns(input.header)
                : Glob.orderedMatches(patterns, in: input.header)
            columns.removeAll { $0 == input.xColumn }
            if columns.isEmpty {
                notes.append("\(input.path) has \(patterns.isEmpty ? layout.missing : "no column matching \(Setting.columns)"); left out")
            } else if columns.count > request.maxCurves {
                let hint = layout.kind == .weights ? "; \(Setting.kind) modes shows the end-to-end map instead" : ""
                notes.append("\(input.path): drawing the first \(request.maxCurves) of its \(columns.count) \(layout.noun(columns)) (\(columns[0]) … \(columns[request.maxCurves - 1])); choose others with \(Setting.columns), or raise \(Setting.maxCurves)\(hint)")
                columns = Array(columns.prefix(request.maxCurves))
            }
            chosen.append(layout.split(columns))
        }
        if chosen.allSatisfy({ $0.allSatisfy(\.isEmpty) }) {
            let which = inputs.count == 1 ? inputs[0].path : "none of \(inputs.map(\.path).joined(separator: ", "))"
            if !patterns.isEmpty {
                throw LinflowError.usage("\(Setting.columns) leaves nothing to draw: the x column (\(inputs[0].xColumn)) is not drawn as a curve")
            }
            throw LinflowError.data("\(which) has \(layout.missing)\(layout.missingHint)")
        }

        // A log axis cannot show a column without a positive value.
        let logY = layout.panels.indices.map { p in request.logY ?? layout.defaultLogY(chosen.flatMap { $0[p] }) }
        for i in inputs.indices {
            let onLogAxes = layout.panels.indices.filter { logY[$0] }.flatMap { chosen[i][$0] }
            let positive = try positiveColumns(i, onLogAxes)  // also refuses an input with no rows
            for p in layout.panels.indices where logY[p] {
                for column in chosen[i][p] where !positive.contains(column) {
                    notes.append("\(inputs[i].path): \(column) has no positive value to show on a log scale; left out (\(Setting.linearY) shows it)")
                }
                chosen[i][p].removeAll { !positive.contains($0) }
            }
        }

        let multi = inputs.count > 1
        let oneEach = multi && chosen.allSatisfy { $0.joined().count == 1 }
        let sameColumn = oneEach && Set(chosen.map { $0.joined().first! }).count == 1
        var panels: [PlotPanel] = []
        for (p, role) in layout.panels.enumerated() {
            let all = inputs.indices.flatMap { i in chosen[i][p].map { (i, $0) } }
            if all.isEmpty { continue }
            // Colours follow a column's key in its input, so that loss_flow and gap_flow, or
            // sv_1 of two runs, match.
            let keys = chosen.map { layout.colorKeys(Array($0.joined())) }
            let perInput = keys.map(\.count).max() ?? 1
            let width = perInput <= 12 ? 2.0 : 1.0
            let curves = all.map { (i, column) -> PlotCurve in
                let position = keys[i].firstIndex(of: layout.colorKey(column))!
                let title = !multi ? column : sameColumn ? inputs[i].label : "\(inputs[i].label): \(column)"
                if oneEach {
                    return PlotCurve(input: i, column: column, title: title,
                                     color: color(i, of: inputs.count), dash: 1, width: width)
                }
                return PlotCurve(input: i, column: column, title: title,
                                 color: color(position, of: perInput), dash: i % 5 + 1, width: width)
            }
            panels.append(PlotPanel(yLabel: request.yLabel ?? layout.yLabel(role, all.map(\.1)), logY: logY[p], curves: curves))
        }
        if panels.isEmpty {
            throw LinflowError.data("nothing to draw on a log scale: no chosen column has a positive value (\(Setting.linearY) draws them on a linear axis)")
        }
        let xColumns = Set(inputs.map(\.xColumn))
        let xLabel = request.xLabel ?? (xColumns == ["t"] ? "time t" : xColumns.sorted().joined(separator: ", "))
        return PlotPlan(inputs: inputs, xLabel: xLabel, panels: panels, title: request.title, notes: notes)
    }

    /// Labels for the inputs: the given ones, else file names without extension (whole paths
    /// where two names would be the same).
    public static func labels(for paths: [String], given: [String]) -> [String] {
        if !given.isEmpty { return given }
        func stem(_ path: String, keepDirectory: Bool) -> String {
            var s = keepDirectory ? path : (path.split(separator: "/").last.map(String.init) ?? path)
            if s.lowercased().hasSuffix(".csv") { s.removeLast(4) }
            return s
        }
        let short = paths.map { stem($0, keepDirectory: false) }
        return paths.indices.map { i in
            short.filter { $0 == short[i] }.count > 1 ? stem(paths[i], keepDirectory: true) : short[i]
        }
    }

    /// A header in a few words: `t, loss, W21_1_1…W21_16_8, W32_1_1…W32_15_16, sv_1…sv_8, imbalance`.
    public static func summary(of header: [String]) -> String {
        func family(_ name: String) -> Substring { name.split(separator: "_", maxSplits: 1).first ?? Substring(name) }
        var groups: [[String]] = []
        for name in header {
            if let last = groups.last?.last, last.contains("_"), name.contains("_"), family(last) == family(name) {
                groups[groups.count - 1].append(name)
            } else {
                groups.append([name])
            }
        }
        return groups.map { g in g.count > 2 ? "\(g[0])…\(g[g.count - 1])" : g.joined(separator: ", ") }
            .joined(separator: ", ")
    }

    /// Distinct colours (Okabe–Ito, then Tableau) for a few curves; a blue-to-yellow ramp for many.
    static func color(_ index: Int, of count: Int) -> String {
        let distinct = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9",
                        "#000000", "#8c564b", "#7f7f7f", "#bcbd22"]
        if count <= distinct.count { return distinct[index % distinct.count] }
        // viridis, sampled at five points and interpolated.
        let stops: [(Double, Double, Double)] = [(68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37)]
        let x = Double(index) / Double(max(count - 1, 1)) * Double(stops.count - 1)
        let k = min(Int(x), stops.count - 2)
        let f = x - Double(k)
        let (a, b) = (stops[k], stops[k + 1])
        func mix(_ u: Double, _ v: Double) -> Int { Int((u + (v - u) * f).rounded()) }
        let rgb = [mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2)]
        return "#" + rgb.map { String($0, radix: 16).leftPadded(to: 2) }.joined()
    }
}

/// The panels a kind draws and the columns it picks by default.
struct PanelLayout {
    enum Role { case single, losses, gaps }

    let kind: PlotKind?

    var panels: [Role] { kind == .compare ? [.losses, .gaps] : [.single] }

    func split(_ columns: [String]) -> [[String]] {
        guard kind == .compare else { return [columns] }
        return [columns.filter { !$0.hasPrefix("gap_") }, columns.filter { $0.hasPrefix("gap_") }]
    }

    func colorKey(_ column: String) -> String {
        guard kind == .compare else { return column }
        for prefix in ["loss_", "gap_"] where column.hasPrefix(prefix) { return String(column.dropFirst(prefix.count)) }
        return column
    }

    /// The distinct colour keys of an input's columns, in order.
    func colorKeys(_ columns: [String]) -> [String] {
        var seen = Set<String>()
        return columns.map(colorKey).filter { seen.insert($0).inserted }
    }

    func defaultColumns(_ header: [String]) -> [String] {
        switch kind {
        case nil, .loss:
            // With held-out data the test loss is drawn beside the loss it mirrors.
            if header.contains("loss") { return ["loss"] + (header.contains("test_loss") ? ["test_loss"] : []) }
            return header.filter { $0.hasPrefix("loss_") || $0.hasPrefix("test_loss_") }
        case .weights:
            return header.filter(Self.isWeight)
        case .modes:
            let modes = header.filter { $0.hasPrefix("mode_") }
            return modes.isEmpty ? header.filter { $0.hasPrefix("sv_") } : modes
        case .product:
            return header.filter { $0.hasPrefix("sv_") }
        case .compare:
            return header.filter { $0.hasPrefix("loss_") || $0.hasPrefix("test_loss_") || $0.hasPrefix("gap_") }
        case .heatmap:
            return []  // drawn by HeatmapScript, never planned as curves
        }
    }

    /// What an input lacks when it has none of the kind's columns.
    var missing: String {
        switch kind {
        case nil, .loss: return "no loss column"
        case .weights: return "no weight columns (W21_1_1, …)"
        case .modes: return "no mode_* or sv_* columns"
        case .product: return "no sv_* columns"
        case .compare: return "no loss_* or gap_* columns"
        case .heatmap: return "no \(Setting.heatmapX), \(Setting.heatmapY), \(Setting.heatmapZ) columns"
        }
    }

    var missingHint: String {
        switch kind {
        case .modes, .product: return "; simulate writes sv_* with \(Setting.diagnostics) all (the default) or sv"
        case .compare: return "; \(Setting.kind) compare draws the output of linflow compare"
        default: return ""
        }
    }

    func noun(_ columns: [String]) -> String {
        kind == .weights ? "weight columns" : "chosen columns"
    }

    func defaultLogY(_ columns: [String]) -> Bool {
        switch kind {
        case .loss, .compare: return true
        case .weights, .modes, .product, .heatmap: return false
        case nil: return !columns.isEmpty && columns.allSatisfy(Self.isLossLike)
        }
    }

    func yLabel(_ role: Role, _ columns: [String]) -> String {
        switch role {
        case .losses: return "loss"
        case .gaps: return "gap"
        case .single: break
        }
        let all = { (test: (String) -> Bool) in !columns.isEmpty && columns.allSatisfy(test) }
        if all({ $0 == "loss" || $0.hasPrefix("loss_") || $0 == "test_loss" || $0.hasPrefix("test_loss_") }) { return "loss" }
        if all({ $0.hasPrefix("gap_") }) { return "gap" }
        if all(Self.isWeight) { return "weight" }
        if all({ $0.hasPrefix("mode_") }) { return "mode strength" }
        if all({ $0.hasPrefix("sv_") }) { return "singular values of W_{L}⋯W_{1}" }
        if all({ $0.hasPrefix("mode_") || $0.hasPrefix("sv_") }) { return "mode strength, singular value" }
        return "value"
    }

    static func isLossLike(_ name: String) -> Bool {
        name == "loss" || name.hasPrefix("loss_") || name.hasPrefix("gap_") || name == "test_loss" || name.hasPrefix("test_loss_")
    }

    /// `W21_3_4`, `W10.9_1_2`: a layer's name, then 1-based row and column.
    static func isWeight(_ name: String) -> Bool {
        let parts = name.split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].first == "W", parts[0].count >= 3 else { return false }
        return parts[0].dropFirst().allSatisfy { $0.isNumber || $0 == "." }
            && parts[1...].allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isNumber) }
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
