import Foundation
import Testing

/// `linflow plot` and `simulate --plot`, with the real gnuplot (apt-get install gnuplot-nox).
@Suite struct PlotCLITests {
    static let gnuplotInstalled = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin")
        .split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/gnuplot") }

    func requireGnuplot() throws {
        try #require(Self.gnuplotInstalled, "these tests run gnuplot: apt-get install gnuplot-nox")
    }

    /// A small 8-16-15 trajectory (368 weights, sv_1…sv_8) in a new directory.
    func trajectory(seed: Int = 1, name: String = "run.csv") throws -> (dir: URL, csv: String) {
        let dir = CLI.temporaryDirectory()
        let csv = dir.appendingPathComponent(name).path
        let r = try CLI.run(["simulate", "--samples", "30", "--t-end", "60", "--seed", "\(seed)", "-o", csv])
        try #require(r.status == 0, "\(r.stderr)")
        return (dir, csv)
    }

    /// A table shaped like `linflow compare`'s: losses, gaps, and a column neither.
    func compareTable(in dir: URL) throws -> String {
        var text = "t,loss_gd,loss_flow,loss_modified,gap_flow,gap_modified,eta\n"
        for k in 0...50 {
            let t = Double(k) * 0.5, flow = 2 * exp(-t / 5)
            text += "\(t),\(flow * (1 + 0.02 * t)),\(flow),\(flow * (1 + 0.002 * t)),\(1e-3 * t),\(1e-6 * t * t),0.5\n"
        }
        let path = dir.appendingPathComponent("compare.csv").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func text(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    @Test(arguments: [
        ("loss", "png", [#"using "t":"loss""#], ["sv_1"]),
        ("weights", "svg", [#""W21_1_1""#, #""W21_5_8""#], [#""W21_6_1""#, #""W32_1_1""#]),
        ("modes", "pdf", (1...8).map { #""sv_\#($0)""# }, [#""loss""#]),
        ("product", "png", [#"using "t":"sv_1""#, #""sv_8""#], [#""imbalance""#]),
        ("compare", "png", [#""loss_gd""#, #""loss_modified""#, #""gap_flow""#, "set multiplot"], [#""eta""#]),
    ])
    func everyKindDrawsAValidPicture(kind: String, format: String, named: [String], notNamed: [String]) throws {
        try requireGnuplot()
        let (dir, run) = try trajectory()
        let csv = kind == "compare" ? try compareTable(in: dir) : run
        let picture = dir.appendingPathComponent("\(kind).\(format)").path
        let script = dir.appendingPathComponent("\(kind).gp").path
        let r = try CLI.run(["plot", csv, "--kind", kind, "--out", picture, "--script", script])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.contains("→ \(picture)"))
        if let problem = PictureCheck.problem(picture, format: format) { Issue.record("\(kind): \(problem)") }
        let gp = try text(script)
        for s in named { #expect(gp.contains(s), "\(kind): \(s) missing from the script") }
        for s in notNamed { #expect(!gp.contains(s), "\(kind): \(s) should not be drawn") }
        if kind == "weights" { #expect(r.stderr.contains("note: \(csv): drawing the first 40 of its 368 weight columns")) }
        // Nothing but the inputs (with their provenance records), the picture and the script is left behind.
        let names = Set(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { !$0.hasSuffix(".json") })
        #expect(names == Set(["run.csv", "\(kind).\(format)", "\(kind).gp"] + (kind == "compare" ? ["compare.csv"] : [])))
    }

    @Test func theKeptScriptRedrawsThePictureOnItsOwn() throws {
        try requireGnuplot()
        let (dir, _) = try trajectory()
        let r = try CLI.run(["plot", "run.csv", "--kind", "modes", "-o", "modes.png", "--script", "modes.gp"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let picture = dir.appendingPathComponent("modes.png").path
        try FileManager.default.removeItem(atPath: picture)
        let gp = try text(dir.appendingPathComponent("modes.gp").path)
        #expect(gp.hasPrefix("# Drawn by linflow"))
        #expect(gp.contains("linflow plot run.csv --kind modes -o modes.png --script modes.gp"))
        #expect(gp.contains("set output 'modes.png'"))
        let gnuplot = Process()
        gnuplot.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        gnuplot.arguments = ["gnuplot", "modes.gp"]
        gnuplot.currentDirectoryURL = dir
        try gnuplot.run()
        gnuplot.waitUntilExit()
        #expect(gnuplot.terminationStatus == 0)
        #expect(PictureCheck.problem(picture, format: "png") == nil)
    }

    @Test func severalRunsAreOverlaid() throws {
        try requireGnuplot()
        let (dir, a) = try trajectory(seed: 1, name: "a.csv")
        let b = dir.appendingPathComponent("b.csv").path
        #expect(try CLI.run(["simulate", "--samples", "30", "--t-end", "60", "--seed", "2", "-o", b]).status == 0)
        let picture = dir.appendingPathComponent("both.png").path
        let script = dir.appendingPathComponent("both.gp").path
        let r = try CLI.run(["plot", a, b, "--kind", "modes", "--label", "seed 1", "--label", "seed 2",
                             "--title", "two seeds", "-o", picture, "--script", script])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("16 curves from 2 files"))
        #expect(PictureCheck.problem(picture, format: "png") == nil)
        let gp = try text(script)
        #expect(gp.contains(#"file2 using "t":"sv_8""#))
        #expect(gp.contains("title 'seed 1: sv_1'") && gp.contains("title 'seed 2: sv_1'"))
        #expect(gp.contains("set title 'two seeds'"))
        // One column from each run: the legend names the runs.
        let losses = try CLI.run(["plot", a, b, "-o", picture, "--script", script])
        #expect(losses.status == 0)
        #expect(try text(script).contains("title 'a'") && text(script).contains("title 'b'"))
    }

    @Test func withoutGnuplotOnlyTheScriptCanBeHad() throws {
        let (dir, csv) = try trajectory()
        let noGnuplot = ["PATH": "/nonexistent"]
        let picture = dir.appendingPathComponent("p.png").path
        let script = dir.appendingPathComponent("p.gp").path
        try "precious".write(toFile: picture, atomically: true, encoding: .utf8)

        let drawn = try CLI.run(["plot", csv, "-o", picture], environment: noGnuplot)
        #expect(drawn.status == 69)
        #expect(drawn.stderr.hasPrefix("linflow: error: gnuplot is not installed"))
        #expect(drawn.stderr.contains("apt-get install gnuplot-nox"))
        #expect(drawn.stderr.split(separator: "\n").count == 1)
        #expect(try text(picture) == "precious")

        let scriptOnly = try CLI.run(["plot", csv, "--kind", "product", "--script", script], environment: noGnuplot)
        #expect(scriptOnly.status == 0, "\(scriptOnly.stderr)")
        let gp = try text(script)
        #expect(gp.contains(#"using "t":"sv_1""#) && gp.contains("set output '\(dir.path)/p.png'"))

        try FileManager.default.removeItem(atPath: script)
        let both = try CLI.run(["plot", csv, "-o", picture, "--script", script], environment: noGnuplot)
        #expect(both.status == 69)
        #expect(both.stderr.contains("the script is in \(script)"))
        #expect(FileManager.default.fileExists(atPath: script))
        #expect(try text(picture) == "precious")
    }

    @Test func aFailedPlotKeepsTheExistingPicture() throws {
        try requireGnuplot()
        let dir = CLI.temporaryDirectory()
        let csv = dir.appendingPathComponent("words.csv").path
        try "t,loss\n0,abc\n1,def\n".write(toFile: csv, atomically: true, encoding: .utf8)
        let picture = dir.appendingPathComponent("p.png").path
        try "precious".write(toFile: picture, atomically: true, encoding: .utf8)
        let r = try CLI.run(["plot", csv, "--no-log-y", "-o", picture])
        #expect(r.status == 73, "\(r.stderr)")
        #expect(r.stderr.hasPrefix("linflow: error: \(picture): gnuplot failed: "))
        #expect(r.stderr.split(separator: "\n").count == 1)
        #expect(try text(picture) == "precious")
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: dir.path)) == ["words.csv", "p.png"])
        // On a log axis linflow sees the problem itself.
        let log = try CLI.run(["plot", csv, "-o", picture])
        #expect(log.status == 65)
        #expect(log.stderr.contains("no chosen column has a positive value"))
    }

    @Test func simulateDrawsRightAfterTheRun() throws {
        try requireGnuplot()
        let dir = CLI.temporaryDirectory()
        let csv = dir.appendingPathComponent("r.csv").path
        let picture = dir.appendingPathComponent("r.svg").path
        let script = dir.appendingPathComponent("r.gp").path
        let r = try CLI.run(["simulate", "--samples", "20", "--t-end", "40", "-o", csv,
                             "--plot", picture, "--plot-kind", "modes", "--plot-script", script])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("8-16-15 network") && r.stderr.contains("8 curves from \(csv) → \(picture)"))
        #expect(PictureCheck.problem(picture, format: "svg") == nil)
        #expect(try text(script).contains(#"using "t":"sv_8""#))
        #expect(try text(csv).hasPrefix("t,loss,"))

        let noOut = try CLI.run(["simulate", "--samples", "2", "--plot", picture])
        #expect(noOut.status == 64)
        #expect(noOut.stderr.hasPrefix("linflow: error: --plot needs --out FILE.csv: gnuplot draws from that file (see 'linflow "))
        #expect(noOut.stdout.isEmpty)
    }

    /// descend, compare and analytic take `--plot` as simulate does, each with its own default kind.
    @Test(arguments: [
        (["descend", "--lr", "0.5", "--steps", "40", "--every", "4"], [#"using "t":"loss""#], "1 curve"),
        (["compare", "--lr", "0.5", "--steps", "40", "--every", "4"], ["set multiplot", #""loss_gd""#, #""gap_modified""#], "curves"),
        (["analytic", "--samples", "20", "--t-end", "40", "--no-check", "--modes"], [#""mode_8""#], "8 curves"),
    ] as [([String], [String], String)])
    func otherCommandsDrawRightAfterTheRun(arguments: [String], named: [String], drawn: String) throws {
        try requireGnuplot()
        let dir = CLI.temporaryDirectory()
        let csv = dir.appendingPathComponent("r.csv").path
        let picture = dir.appendingPathComponent("r.png").path
        let script = dir.appendingPathComponent("r.gp").path
        let r = try CLI.run(arguments + ["-o", csv, "--plot", picture, "--plot-script", script])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("\(drawn) from \(csv) → \(picture)"), "\(r.stderr)")
        #expect(PictureCheck.problem(picture, format: "png") == nil)
        let gp = try text(script)
        for s in named { #expect(gp.contains(s), "\(arguments[0]): \(s) missing from the script") }
        #expect(gp.contains("linflow \(arguments[0]) "))

        let noOut = try CLI.run([arguments[0], "--plot", picture])
        #expect(noOut.status == 64)
        #expect(noOut.stderr.hasPrefix("linflow: error: --plot needs --out FILE.csv: gnuplot draws from that file (see 'linflow "))
    }

    @Test(arguments: [
        (["plot", "/no/such.csv", "-o", "x.png"], 66, "/no/such.csv: No such file or directory"),
        (["plot", "RUN", "-o", "x.gif"], 64, "x.gif: the picture's name must end in .png, .svg or .pdf"),
        (["plot", "RUN"], 64, "give --out FILE.png|.svg|.pdf, --script FILE.gp, or both"),
        (["plot", "RUN", "--columns", "sv_9", "-o", "x.png"], 64, "--columns 'sv_9' matches no column"),
        (["plot", "RUN", "--label", "a", "--label", "b", "-o", "x.png"], 64, "give one --label per input file"),
        (["plot", "RUN", "--kind", "bars", "-o", "x.png"], 64, "The value 'bars' is invalid for '--kind"),
        (["plot", "RUN", "--size", "5,5", "-o", "x.png"], 64, "--size takes WIDTH,HEIGHT"),
        (["plot", "RUN", "--kind", "compare", "-o", "x.png"], 65, "has no loss_* or gap_* columns"),
        (["simulate", "--plot-script", "x.gp"], 64, "--plot-script goes with --plot"),
    ] as [([String], Int32, String)])
    func badRequestsFailWithOneLine(arguments: [String], status: Int32, message: String) throws {
        let dir = CLI.temporaryDirectory()
        let csv = dir.appendingPathComponent("run.csv").path
        try "t,loss,sv_1\n0,1,0\n1,0.5,0.5\n".write(toFile: csv, atomically: true, encoding: .utf8)
        let r = try CLI.run(arguments.map { $0 == "RUN" ? csv : $0 }, in: dir)
        #expect(r.status == status, "\(arguments): \(r.stderr)")
        #expect(r.stderr.hasPrefix("linflow: error: ") && r.stderr.contains(message), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("x.png").path))
    }

    @Test func helpListsThePlotOptions() throws {
        let r = try CLI.run(["plot", "--help"])
        #expect(r.status == 0)
        for option in ["--out", "--kind", "--columns", "--label", "--script", "--title", "--size", "--log-y", "--no-log-y", "--max-curves"] {
            #expect(r.stdout.contains(option), "\(option)")
        }
        for command in ["simulate", "descend", "compare", "analytic"] {
            let help = try CLI.run([command, "--help"])
            for option in ["--plot", "--plot-kind", "--plot-script"] { #expect(help.stdout.contains(option), "\(command) \(option)") }
        }
    }
}

/// Checks that a file is a picture of its format, judged by its first and last bytes and size.
enum PictureCheck {
    static func problem(_ path: String, format: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return "\(path) is missing" }
        let bytes = [UInt8](data)
        guard (3_000..<5_000_000).contains(bytes.count) else { return "\(path) has an implausible size, \(bytes.count) bytes" }
        let tail = String(decoding: bytes.suffix(1024), as: UTF8.self)
        switch format {
        case "png":
            guard bytes.prefix(8) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] else { return "\(path) is not a PNG" }
            guard String(decoding: bytes[12..<16], as: UTF8.self) == "IHDR" else { return "\(path) has no IHDR chunk" }
            let width = bytes[16..<20].reduce(0) { $0 << 8 | Int($1) }, height = bytes[20..<24].reduce(0) { $0 << 8 | Int($1) }
            guard width >= 640, height >= 400 else { return "\(path) is only \(width)×\(height)" }
            guard tail.contains("IEND") else { return "\(path) is truncated (no IEND)" }
        case "svg":
            let head = String(decoding: bytes.prefix(512), as: UTF8.self)
            guard head.hasPrefix("<?xml"), head.contains("<svg") else { return "\(path) is not an SVG" }
            guard tail.contains("</svg>") else { return "\(path) is truncated (no </svg>)" }
        case "pdf":
            guard bytes.starts(with: Array("%PDF-".utf8)) else { return "\(path) is not a PDF" }
            guard tail.contains("%%EOF") else { return "\(path) is truncated (no %%EOF)" }
        default:
            return "unknown format \(format)"
        }
        return nil
    }
}
