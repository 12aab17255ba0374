import Foundation
import Testing
@testable import LinFlowNumerics
import LinFlowTestSupport
@testable import LinFlowIO
@testable import LinFlowPlot
@testable import LinFlowRuns
@testable import LinFlowSweep

/// Planning and script generation, without gnuplot (the CLI tests run gnuplot for real).
@Suite struct PlotScriptTests {
    /// The header `simulate` writes for an 8-16-15 network with all diagnostics.
    static let simulateHeader = TrajectoryLayout(
        architecture: try! Architecture(sizes: [8, 16, 15]), diagnostics: .all).columns

    func input(_ path: String = "run.csv", label: String? = nil, _ header: [String] = simulateHeader) -> PlotInput {
        PlotInput(path: path, label: label ?? PlotPlanner.labels(for: [path], given: [])[0], header: header)
    }

    /// Plans with every column positive unless named in `nonPositive`.
    func plan(_ request: PlotRequest, _ inputs: [PlotInput], nonPositive: Set<String> = []) throws -> PlotPlan {
        try PlotPlanner.plan(request, inputs: inputs) { _, columns in Set(columns).subtracting(nonPositive) }
    }

    func script(_ plan: PlotPlan, output: String = "out.png") throws -> String {
        GnuplotScript.render(plan, output: output, format: try PlotFormat(path: output))
    }

    func columns(_ plan: PlotPlan) -> [[String]] { plan.panels.map { $0.curves.map(\.column) } }

    @Test func lossIsTheDefaultOnALogAxis() throws {
        let p = try plan(PlotRequest(inputs: ["run.csv"], output: "out.png"), [input()])
        #expect(columns(p) == [["loss"]])
        #expect(p.panels[0].logY && p.panels[0].yLabel == "loss" && p.xLabel == "time t")
        let s = try script(p)
        #expect(s.contains("file1 = 'run.csv'\n"))
        #expect(s.contains(#"file1 using "t":"loss" with lines"#))
        #expect(s.contains("title columnheader\n"))
        #expect(s.contains("set logscale y\n"))
        #expect(s.contains("set terminal pngcairo size 960,600"))
        #expect(s.contains("set output 'out.png'\n"))
        #expect(s.contains("set datafile separator comma\n"))
        #expect(s.hasSuffix("unset output\n"))
    }

    @Test func weightsAreCappedWithANote() throws {
        let p = try plan(PlotRequest(inputs: ["run.csv"], output: "w.png", kind: .weights), [input()])
        #expect(p.curveCount == 40)
        #expect(columns(p)[0].first == "W21_1_1" && columns(p)[0].last == "W21_5_8")
        #expect(!p.panels[0].logY)
        #expect(p.notes.count == 1)
        #expect(p.notes[0].contains("the first 40 of its 368 weight columns"))
        #expect(p.notes[0].contains("\(Setting.kind) modes"))
        let more = try plan(PlotRequest(inputs: ["run.csv"], output: "w.png", kind: .weights, maxCurves: 400), [input()])
        #expect(more.curveCount == 368 && more.notes.isEmpty)
        #expect(try script(more).contains(#"using "t":"W32_15_16""#))
    }

    @Test func modesPreferModeColumnsOverSingularValues() throws {
        let sv = try plan(PlotRequest(inputs: ["run.csv"], output: "m.png", kind: .modes), [input()])
        #expect(columns(sv) == [(1...8).map { "sv_\($0)" }])
        #expect(sv.panels[0].yLabel.contains("singular values"))
        let header = ["t", "loss", "sv_1", "sv_2", "mode_1", "mode_2", "mode_3"]
        let modes = try plan(PlotRequest(inputs: ["a.csv"], output: "m.png", kind: .modes), [input("a.csv", header)])
        #expect(columns(modes) == [["mode_1", "mode_2", "mode_3"]])
        #expect(modes.panels[0].yLabel == "mode strength")
    }

    @Test func productNeedsSingularValues() throws {
        let p = try plan(PlotRequest(inputs: ["run.csv"], output: "p.png", kind: .product), [input()])
        #expect(columns(p) == [(1...8).map { "sv_\($0)" }])
        #expect(throws: LinflowError.self) {
            try plan(PlotRequest(inputs: ["x.csv"], output: "p.png", kind: .product), [input("x.csv", ["t", "loss", "W21_1_1"])])
        }
    }

    @Test func compareDrawsLossesAboveGapsWhateverTheirNames() throws {
        let header = ["t", "loss_gd", "loss_flow", "eta", "gap_flow", "loss_modified", "gap_modified", "gap_zero"]
        let p = try plan(PlotRequest(inputs: ["c.csv"], output: "c.png", kind: .compare), [input("c.csv", header)],
                         nonPositive: ["gap_zero"])
        #expect(columns(p) == [["loss_gd", "loss_flow", "loss_modified"], ["gap_flow", "gap_modified"]])
        #expect(p.panels.map(\.logY) == [true, true])
        #expect(p.panels.map(\.yLabel) == ["loss", "gap"])
        #expect(p.notes == ["c.csv: gap_zero has no positive value to show on a log scale; left out (\(Setting.linearY) shows it)"])
        // loss_flow and gap_flow share a colour; so do loss_modified and gap_modified.
        func color(_ c: String) -> String { p.panels.flatMap(\.curves).first { $0.column == c }!.color }
        #expect(color("loss_flow") == color("gap_flow") && color("loss_modified") == color("gap_modified"))
        #expect(color("loss_gd") != color("loss_flow"))
        let s = try script(p)
        #expect(s.contains("set multiplot layout 2,1"))
        #expect(s.contains(#"using "t":"gap_modified""#) && !s.contains("gap_zero") && !s.contains(#""eta""#))
        #expect(s.contains("set terminal pngcairo size 960,800"))
        // Only gaps, no losses: one panel.
        let gaps = try plan(PlotRequest(inputs: ["g.csv"], output: "g.png", kind: .compare), [input("g.csv", ["t", "gap_a"])])
        #expect(columns(gaps) == [["gap_a"]])
        #expect(throws: LinflowError.self) {
            try plan(PlotRequest(inputs: ["n.csv"], output: "n.png", kind: .compare), [input("n.csv", ["t", "x"])])
        }
    }

    @Test func columnsTakeNamesAndGlobs() throws {
        let r = PlotRequest(inputs: ["run.csv"], output: "o.png", columns: ["W21_1_*,sv_1", "t", "sv_1"])
        let p = try plan(r, [input()])
        #expect(columns(p) == [(1...8).map { "W21_1_\($0)" } + ["sv_1"]])
        #expect(!p.panels[0].logY)
        #expect(throws: LinflowError.usage("\(Setting.columns) leaves nothing to draw: the x column (t) is not drawn as a curve")) {
            try plan(PlotRequest(inputs: ["run.csv"], output: "o.png", columns: ["t"]), [input()])
        }
        let losses = try plan(PlotRequest(inputs: ["run.csv"], output: "o.png", columns: ["loss"]), [input()])
        #expect(losses.panels[0].logY)
        let forced = try plan(PlotRequest(inputs: ["run.csv"], output: "o.png", columns: ["loss"], logY: false), [input()])
        #expect(!forced.panels[0].logY)
        #expect {
            try plan(PlotRequest(inputs: ["run.csv"], output: "o.png", columns: ["sv_9"]), [input()])
        } throws: { error in
            (error as? LinflowError)?.message.contains("\(Setting.columns) 'sv_9' matches no column of run.csv") == true
                && "\(error)".contains("W21_1_1…W21_16_8, W32_1_1…W32_15_16, sv_1…sv_8, imbalance")
        }
    }

    @Test func overlaidRunsCanBeToldApart() throws {
        let a = input("sim/run.csv", label: "simulate"), b = input("an/run.csv", label: "analytic")
        let modes = try plan(PlotRequest(inputs: [a.path, b.path], output: "o.png", kind: .modes), [a, b])
        let curves = modes.panels[0].curves
        #expect(curves.count == 16)
        #expect(curves[0].title == "simulate: sv_1" && curves[8].title == "analytic: sv_1")
        #expect(curves[0].color == curves[8].color && curves[0].dash == 1 && curves[8].dash == 2)
        #expect(try script(modes).contains(#"file2 using "t":"sv_3""#))
        // One column from each: the legend names the runs, and colours tell them apart.
        let losses = try plan(PlotRequest(inputs: [a.path, b.path], output: "o.png"), [a, b])
        #expect(losses.panels[0].curves.map(\.title) == ["simulate", "analytic"])
        #expect(Set(losses.panels[0].curves.map(\.color)).count == 2)
        #expect(PlotPlanner.labels(for: ["a/run.csv", "b/run.csv", "c/x.csv"], given: []) == ["a/run", "b/run", "x"])
    }

    @Test func fileNamesAndTitlesCannotEscapeTheirQuotes() throws {
        let nasty = "<it's `touch pwned` @x.csv"
        let p = try plan(PlotRequest(inputs: [nasty], output: "o.png", title: "σ's `date`"), [input(nasty, label: "x")])
        let s = try script(p, output: "|lpr.png")
        #expect(s.contains("file1 = './<it''s `touch pwned` @x.csv'\n"))
        #expect(s.contains("set output './|lpr.png'\n"))
        #expect(s.contains("set title 'σ''s `date`' noenhanced\n"))
        #expect(GnuplotScript.column("odd \"name\"") == "'odd \"name\"'")
        #expect(GnuplotScript.column("sv_1") == "\"sv_1\"")
        #expect(throws: LinflowError.self) { try PlotRequest(inputs: ["a\nb.csv"], output: "o.png").validate() }
    }

    @Test func formatsAndSizes() throws {
        #expect(try PlotFormat(path: "dir.v2/Fig.PNG") == .png)
        #expect(try PlotFormat(path: "f.svg") == .svg && PlotFormat(path: "f.pdf") == .pdf)
        #expect(throws: LinflowError.self) { try PlotFormat(path: "f.gif") }
        #expect(throws: LinflowError.self) { try PlotFormat(path: "png") }
        let p = try plan(PlotRequest(inputs: ["run.csv"], output: "o.svg"), [input()])
        #expect(try script(p, output: "o.svg").contains("set terminal svg size 960,600"))
        #expect(GnuplotScript.render(p, output: "o.pdf", format: .pdf, size: PlotSize(width: 800, height: 500))
            .contains("set terminal pdfcairo size 8in,5in"))
        #expect(try PlotSize(parsing: "1200x700") == PlotSize(width: 1200, height: 700))
        #expect(throws: LinflowError.self) { try PlotSize(parsing: "12,7") }
        #expect(PlotRequest(inputs: [], script: "figs/a.gp").scriptOutput == "figs/a.png")
        #expect(PlotRequest(inputs: [], script: "a.b/plot").scriptOutput == "a.b/plot.png")
        #expect(PlotRequest(inputs: [], output: "x.pdf", script: "a.gp").scriptOutput == "x.pdf")
    }

    @Test func requestsAreValidated() throws {
        #expect(throws: LinflowError.self) { try PlotRequest(inputs: []).validate() }
        #expect(throws: LinflowError.self) { try PlotRequest(inputs: ["a.csv"]).validate() }
        #expect(throws: LinflowError.self) { try PlotRequest(inputs: ["a.csv"], output: "-").validate() }
        #expect(throws: LinflowError.self) { try PlotRequest(inputs: ["a.csv"], output: "a.png", labels: ["x", "y"]).validate() }
        #expect(throws: LinflowError.self) { try PlotRequest(inputs: ["a.csv"], output: "a.png", maxCurves: 0).validate() }
        try PlotRequest(inputs: ["a.csv"], script: "a.gp").validate()
    }

    @Test func gnuplotMessagesLoseTheirEchoAndPrefix() {
        let stderr = """
            plot 'h.csv' using "t":"nosuch" with lines
                                                      ^
            "/tmp/linflow-plot-1.gp" line 4: warning: no column with header "nosuch"
            "/tmp/linflow-plot-1.gp" line 4: all points y value undefined!
            """
        #expect(Gnuplot.messages(stderr) == ["warning: no column with header \"nosuch\"", "all points y value undefined!"])
        #expect(Gnuplot.messages("Segmentation fault\n") == ["Segmentation fault"])
    }

    @Test func csvColumnsReadsHeadersAndFindsPositiveValues() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("plot-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        func file(_ text: String) throws -> String {
            let path = dir.appendingPathComponent(UUID().uuidString + ".csv").path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        let path = try file("\u{FEFF}t,\"a\",b,c,d\r\n0,0,-1,nan,x\n1,0,-2,inf,2e-300\n\n")
        let header = try CSVColumns.header(path: path)
        #expect(header == ["t", "a", "b", "c", "d"])
        #expect(try CSVColumns.columnsWithPositiveValues(path: path, header: header, wanted: ["a", "b", "c", "d"]) == ["d"])
        let empty = try file("t,loss\n")
        #expect(throws: LinflowError.data("\(empty): no data rows below the header")) {
            try CSVColumns.columnsWithPositiveValues(path: empty, header: ["t", "loss"], wanted: [])
        }
        #expect(throws: LinflowError.self) { try CSVColumns.header(path: try file("1,2\n3,4\n")) }
        // A copy of just the drawn columns, cell for cell (blank lines are no rows, as everywhere).
        let wide = try file("t,a,b,c\n0,1e-3,x,3\n\n0.5,2,,nan\n")
        let copy = dir.appendingPathComponent("copy.csv").path
        try CSVColumns.extract(path: wide, header: ["t", "a", "b", "c"], keep: ["c", "t", "b"], to: copy)
        #expect(try String(contentsOfFile: copy, encoding: .utf8) == "t,b,c\n0,x,3\n0.5,,nan\n")
        // A quoted cell holding the delimiter is one cell (a summary of a --layers sweep).
        let quoted = try file("task,layers,final_loss\n0,\"8,16,15\",0.5\n")
        try CSVColumns.extract(path: quoted, header: ["task", "layers", "final_loss"], keep: ["task", "final_loss"], to: copy)
        #expect(try String(contentsOfFile: copy, encoding: .utf8) == "task,final_loss\n0,0.5\n")
        #expect(throws: LinflowError.noInput("/no/such.csv: No such file or directory")) {
            try CSVColumns.header(path: "/no/such.csv")
        }
    }
}
