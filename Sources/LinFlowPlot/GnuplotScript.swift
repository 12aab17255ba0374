import Foundation
import LinFlowNumerics
import LinFlowIO

/// Writes a ``PlotPlan`` as a gnuplot script a person can read, edit and run again.
public enum GnuplotScript {
    public static let defaultSize = PlotSize(width: 960, height: 600)
    public static let defaultPanelSize = PlotSize(width: 960, height: 800)

    /// The script that draws `plan` into `output` (whose extension picks the terminal).
    /// A pure function: the same plan and output always give the same text.
    public static func render(_ plan: PlotPlan, output: String, format: PlotFormat,
                              size: PlotSize? = nil, commandLine: String? = nil) -> String {
        let multi = plan.panels.count > 1
        let size = size ?? (multi ? defaultPanelSize : defaultSize)
        var s = ""
        func line(_ text: String = "") { s += text + "\n" }

        line("# Drawn by linflow \(LinflowVersion.string)\(commandLine.map { ": " + oneLine($0) } ?? "")")
        line("# Edit freely and redraw with:  gnuplot THIS_FILE")
        if plan.inputs.contains(where: { !$0.path.hasPrefix("/") }) || !output.hasPrefix("/") {
            line("# File names are relative to the directory linflow plot ran in.")
        }
        line()
        line("set terminal \(terminal(format, size))")
        line("set output \(quote(safePath(output)))")
        line("set datafile separator comma")
        line("set key outside right top noenhanced\(plan.curveCount > 20 ? " font ',9' spacing 0.9" : "")")
        line("set grid lt 1 lc rgb '#e4e4e4'")
        line("set border lw 1")
        if let title = plan.title, !multi { line("set title \(quote(oneLine(title))) noenhanced") }
        line()
        for (i, input) in plan.inputs.enumerated() {
            line("\(variable(i)) = \(quote(safePath(input.path)))")
        }
        line()
        if multi {
            // Fixed margins keep the panels' x axes aligned whatever their legends' widths.
            let title = plan.title.map { " title \(quote(oneLine($0))) noenhanced" } ?? ""
            line("set multiplot layout \(plan.panels.count),1\(title)")
            line("set lmargin 12")
            // Room on the right for the widest legend entry (about 8 px a character at 12 pt).
            let longest = plan.panels.flatMap(\.curves).map(\.title.count).max() ?? 0
            let right = max(0.55, 1 - Double(longest * 8 + 90) / Double(size.width))
            line("set rmargin at screen \(String(format: "%.2f", right))")
        }
        for (p, panel) in plan.panels.enumerated() {
            if multi { line("# Panel \(p + 1): \(panel.yLabel)") }
            let last = p == plan.panels.count - 1
            line(last || !multi ? "set xlabel \(quote(plan.xLabel))" : "unset xlabel")
            line("set ylabel \(quote(panel.yLabel))")
            if panel.logY {
                line("set logscale y")
                line("set format y '10^{%L}'")
            } else {
                line("unset logscale y")
                line("set format y '% g'")
            }
            line("plot \\")
            for (k, curve) in panel.curves.enumerated() {
                let input = plan.inputs[curve.input]
                let sep = k == panel.curves.count - 1 ? "" : ", \\"
                // A curve named after its column takes the name from the header, so that it
                // follows an edit of the using clause.
                let title = curve.title == curve.column ? "columnheader" : quote(oneLine(curve.title))
                line("    \(variable(curve.input)) using \(column(input.xColumn)):\(column(curve.column)) with lines"
                     + " lw \(number(curve.width)) lc rgb '\(curve.color)' dt \(curve.dash) title \(title)\(sep)")
            }
            if multi { line() }
        }
        if multi { line("unset multiplot") }
        line("unset output")
        return s
    }

    static func terminal(_ format: PlotFormat, _ size: PlotSize) -> String {
        switch format {
        case .png:
            return "pngcairo size \(size.width),\(size.height) enhanced font 'sans,12' background '#ffffff'"
        case .svg:
            return "svg size \(size.width),\(size.height) enhanced font 'sans,12' background '#ffffff'"
        case .pdf:
            let w = Double(size.width) / 100, h = Double(size.height) / 100
            return "pdfcairo size \(number(w))in,\(number(h))in enhanced font 'sans,12'"
        }
    }

    static func variable(_ i: Int) -> String { "file\(i + 1)" }

    /// A gnuplot string constant for any text without line breaks. Single quotes, because in
    /// double quotes gnuplot would run `backquoted` commands and expand escapes; inside single
    /// quotes only the quote itself is special, written twice.
    public static func quote(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
    }

    /// A column named in a `using` clause: `"t"` for the usual plain names, as a person would
    /// write it, and single-quoted otherwise.
    public static func column(_ name: String) -> String {
        let plain = !name.isEmpty && name.allSatisfy { ($0.isASCII && ($0.isLetter || $0.isNumber)) || "_.-".contains($0) }
        return plain ? "\"\(name)\"" : quote(name)
    }

    /// gnuplot treats file names that start with `<` (a shell command), `|` (a pipe), `$` (a
    /// data block), `-`, `+` or nothing specially; `./` makes such a name an ordinary file again.
    public static func safePath(_ path: String) -> String {
        guard let first = path.first else { return "./" }
        return first.isLetter || first.isNumber || "/._".contains(first) ? path : "./" + path
    }

    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    static func number(_ x: Double) -> String {
        x == x.rounded() ? String(Int(x)) : String(x)
    }
}
