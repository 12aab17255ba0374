#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import LinFlowNumerics
import LinFlowIO

/// What a finished plot reports.
public struct PlotSummary: Sendable {
    /// What was drawn, e.g. "3 curves from run.csv".
    public var drawn: String
    public var output: String?
    public var script: String?
    /// The plan's notes, then gnuplot's warnings.
    public var notes: [String]

    /// The lines printed on stderr after a plot.
    public var text: String {
        let made = [output, script.map { "script \($0)" }].compactMap { $0 }.joined(separator: ", ")
        return (["linflow: \(drawn) → \(made)"] + notes.map { "  note: \($0)" }).joined(separator: "\n")
    }
}

/// `linflow plot`: reads the inputs' headers, plans the picture, keeps the script if asked,
/// and has gnuplot draw the picture into a temporary sibling of the output that replaces it
/// only when gnuplot succeeded.
public struct Plot {
    public let request: PlotRequest
    let gnuplot: Gnuplot?

    /// `gnuplot`: the program to run; by default the first on `PATH`.
    public init(_ request: PlotRequest, gnuplot: Gnuplot? = Gnuplot.locate()) {
        self.request = request
        self.gnuplot = gnuplot
    }

    @discardableResult
    public func run() throws -> PlotSummary {
        let request = request
        try request.validate()
        if request.kind == .heatmap, let columns = request.heatmap { return try heatmap(columns) }
        let labels = PlotPlanner.labels(for: request.inputs, given: request.labels)
        let inputs = try request.inputs.indices.map { i in
            PlotInput(path: request.inputs[i], label: labels[i], header: try TrajectoryColumns.header(path: request.inputs[i]))
        }
        let plan = try PlotPlanner.plan(request, inputs: inputs) { i, columns in
            try TrajectoryColumns.columnsWithPositiveValues(path: inputs[i].path, header: inputs[i].header, wanted: columns)
        }
        func script(_ plan: PlotPlan, drawing picture: String, as format: PlotFormat) -> String {
            GnuplotScript.render(plan, output: picture, format: format, size: request.size,
                                 commandLine: request.commandLine)
        }

        let compact = request.output == nil ? nil : try CompactInputs(plan)
        defer { compact?.remove() }
        let warnings = try draw(kept: { script(plan, drawing: $0, as: $1) },
                                drawn: { script(compact!.plan, drawing: $0, as: $1) })
        let files = plan.inputs.count == 1 ? plan.inputs[0].path : "\(plan.inputs.count) files"
        return PlotSummary(drawn: "\(plan.curveCount) curve\(plan.curveCount == 1 ? "" : "s") from \(files)",
                           output: request.output, script: request.script, notes: plan.notes + warnings)
    }

    /// `--kind heatmap`: one cell per row of the table.
    func heatmap(_ columns: HeatmapColumns) throws -> PlotSummary {
        let grid = try HeatmapGrid.read(path: request.inputs[0], columns: columns, logY: request.logY)
        let script = { (picture: String, format: PlotFormat) in
            HeatmapScript.render(grid, columns: columns, output: picture, format: format, size: request.size,
                                 title: request.title, xLabel: request.xLabel, yLabel: request.yLabel,
                                 commandLine: request.commandLine)
        }
        let warnings = try draw(kept: script, drawn: script)
        let axes = [grid.logX ? "log \(columns.x)" : nil, grid.logY ? "log \(columns.y)" : nil, grid.logZ ? "log \(columns.z)" : nil]
            .compactMap { $0 }
        return PlotSummary(drawn: "heatmap of \(columns.z) over \(grid.xs.count) × \(grid.ys.count) cells from \(request.inputs[0])",
                           output: request.output, script: request.script,
                           notes: (axes.isEmpty ? [] : ["axes: " + axes.joined(separator: ", ")]) + warnings)
    }

    /// Keeps the script `kept(picture, format)` if asked, and has gnuplot run `drawn` into a
    /// temporary sibling of the picture that replaces it only when gnuplot succeeded. Returns
    /// gnuplot's warnings as notes.
    func draw(kept: (String, PlotFormat) -> String, drawn: (String, PlotFormat) -> String) throws -> [String] {
        if let path = request.script, let picture = request.scriptOutput {
            // The script names its inputs for gnuplot, which reads CSV only.
            if let h5 = request.inputs.first(where: { HDF5.isHDF5(path: $0) }) {
                throw LinflowError.usage("\(Setting.script): gnuplot cannot read \(h5) (HDF5); export its columns with linflow export first, or draw the picture directly")
            }
            let file = try OutputFile(path: path)
            try file.write(kept(picture, try PlotFormat(path: picture)))
            try file.commit()
        }
        guard let output = request.output else { return [] }
        guard let gnuplot else {
            let kept = request.script.map { "; the script is in \($0)" } ?? ""
            throw LinflowError.unavailable("gnuplot is not installed, so \(output) was not drawn\(kept); \(Gnuplot.installHint)")
        }
        let file = try OutputFile(path: output)
        let temporary = file.temporaryPath!
        let warnings = try gnuplot.run(script: drawn(temporary, try PlotFormat(path: output)), picture: output)
        var st = stat()
        guard stat(temporary, &st) == 0, st.st_size > 0 else {
            throw LinflowError.cannotCreate("\(output): gnuplot finished but drew nothing\(warnings.first.map { " (\($0))" } ?? "")")
        }
        try file.commit()
        return warnings.map { "gnuplot: \($0)" }
    }
}

/// The plan with each input that has columns it does not draw replaced by a temporary copy of
/// just the columns it does (see ``CSVColumns/extract(path:header:keep:to:)``).
struct CompactInputs {
    let plan: PlotPlan
    private let directory: URL?

    init(_ plan: PlotPlan) throws {
        var compact = plan
        var directory: URL?
        for (i, input) in plan.inputs.enumerated() {
            let keep = Set([input.xColumn] + plan.panels.flatMap(\.curves).filter { $0.input == i }.map(\.column))
            guard TrajectoryColumns.needsCopy(path: input.path, header: input.header, keeping: keep) else { continue }
            let dir = try directory ?? Self.makeDirectory()
            directory = dir
            let path = dir.appendingPathComponent("input\(i + 1).csv").path
            do {
                try TrajectoryColumns.extract(path: input.path, header: input.header, keep: keep, to: path)
            } catch {
                try? FileManager.default.removeItem(at: dir)
                throw error
            }
            compact.inputs[i].path = path
            compact.inputs[i].header = input.header.filter(keep.contains)
        }
        self.plan = compact
        self.directory = directory
    }

    private static func makeDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("linflow-plot-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: false)
        } catch {
            throw LinflowError.cannotCreate("\(dir.path): \(error.localizedDescription)")
        }
        return dir
    }

    func remove() {
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }
}
