import Foundation
import Testing

/// The whole `--help` of every subcommand and the main error messages, through the built
/// executable, against the files in Golden/ (in the style of swift-argument-parser's example
/// tests). After an intended change, `LINFLOW_UPDATE_GOLDEN=1 swift test --filter Golden`
/// rewrites them; review the diff before committing.
@Suite struct GoldenOutputTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")
    static let updating = ProcessInfo.processInfo.environment["LINFLOW_UPDATE_GOLDEN"] == "1"

    static let helps = ["", "simulate", "descend", "compare", "analytic", "theory", "rerun", "stats", "datasets", "plot", "export",
                        "sweep", "sweep plan", "sweep run", "sweep slurm", "sweep status", "sweep collect"]

    /// Usage errors: each one line on stderr, exit 64 (65/66 for data and files).
    static let errors: [[String]] = [
        ["simulate", "--outputs", "3"],
        ["simulate", "--init", "run.csv", "--seed", "2"],
        ["simulate", "--init", "run.csv", "--init-scale", "0.1"],
        ["simulate", "--t-end", "-1"],
        ["simulate", "--hidden", "3", "--layers", "8,3,15"],
        ["simulate", "--plot-kind", "loss"],
        ["simulate", "--plot", "p.png"],
        ["simulate", "--plot", "p.png", "--plot-kind", "compare", "-o", "a.csv"],
        ["simulate", "--diagnostics", "none", "--plot", "p.png", "--plot-kind", "product", "-o", "a.csv"],
        ["simulate", "--rtol", "0"],
        ["simulate", "--method", "msbdf", "--error-norm", "rms"],
        ["simulate", "--data", "missing.csv", "--outputs", "1"],
        ["simulate", "--data", "d.csv"],
        ["stats", "--data", "d.npy", "--outputs", "1", "--delimiter", "tab"],
        ["descend", "--t-end", "3"],
        ["descend", "--shuffle-seed", "3"],
        ["descend", "--momentum", "1"],
        ["descend", "--lr", "-0.1"],
        ["compare", "--modes"],
        ["compare", "--plot", "p.png", "--plot-kind", "weights", "-o", "c.csv"],
        ["analytic", "--bias"],
        ["analytic", "--dataset", "seed-affine"],
        ["theory", "--input-dim", "100", "--output-dim", "10", "--train-samples", "50", "--singular-values", "3"],
        ["stats", "--outputs", "2"],
        ["rerun", "missing.json"],
        ["simulate", "--sed", "1"],
        ["simulate", "--format", "hdf5"],
        ["simulate", "--weights", "W43"],
        ["sweep", "plan", "sw", "--grid", "lr=0.1,-1", "--", "descend"],
        ["sweep", "plan", "sw", "--grid", "lr=0.1", "--", "descend", "--format", "hdf5"],
        ["sweep", "run", "missing-sweep"],
    ]

    static func name(_ arguments: [String]) -> String {
        arguments.joined(separator: "_").replacingOccurrences(of: "/", with: "-").replacingOccurrences(of: "-", with: "")
    }

    func compare(_ text: String, golden file: String) throws {
        let url = Self.directory.appendingPathComponent(file)
        if Self.updating {
            try FileManager.default.createDirectory(at: Self.directory, withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(text == expected, "\(file) differs; LINFLOW_UPDATE_GOLDEN=1 rewrites it")
    }

    @Test(arguments: helps) func helpIsAsDocumented(command: String) throws {
        let words = command.split(separator: " ").map(String.init)
        let r = try CLI.run(words + ["--help"])
        #expect(r.status == 0)
        try compare(r.stdout, golden: "help-\(command.isEmpty ? "linflow" : words.joined(separator: "-")).txt")
    }

    @Test(arguments: errors) func errorIsOneDocumentedLine(arguments: [String]) throws {
        let r = try CLI.run(arguments, in: CLI.temporaryDirectory())
        #expect(r.status != 0 && r.stdout.isEmpty)
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        try compare("exit \(r.status)\n\(r.stderr)", golden: "error-\(Self.name(arguments)).txt")
    }
}
