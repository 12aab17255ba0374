import ArgumentParser
import Foundation
import LinFlowNumerics
import LinFlowIO
import LinFlowPlot
import LinFlowRuns
import LinFlowSweep

extension Linflow {
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write chosen columns of an HDF5 trajectory as CSV.",
            discussion: """
                The columns are named as in the CSV of the same run: t, loss, excess_loss, \
                W21_r_c (W21[:, r−1, c−1]), b21_r, sv_k, imbalance, mode_k, sharpness, … Patterns may use * \
                and ? (W21_1_* is the first row of W21); the columns are written in the file's \
                order, with the same digits the CSV writer prints, so they read back to the same \
                bits. See docs/output.md.

                Example: linflow export run.h5 --columns 't,loss,sv_*' -o sv.csv
                """)

        @Argument(help: ArgumentHelp("An .h5 file written by linflow (-o run.h5).", valueName: "file"))
        var input: String

        @Option(name: .long, help: ArgumentHelp("Comma-separated column names or glob patterns, e.g. 't,loss,W21_1_*'.", valueName: "patterns"))
        var columns: String

        @Option(name: [.short, .long], help: ArgumentHelp("Output CSV (default: stdout). Written only when complete.", valueName: "file"))
        var out: String?

        func validate() throws {
            if columns.split(separator: ",").isEmpty { throw ValidationError("--columns needs at least one name or pattern") }
            var files = FilePlan()
            files.reads(input, as: "the input \(input)")
            files.writes(out, as: "--out \(out ?? "")")
            do { try files.check() } catch { throw ValidationError(rendered(error)) }
        }

        func run() throws {
            try runReportingErrors {
                let patterns = columns.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
                let done = try TrajectoryExport(input: input, patterns: patterns, output: out).run()
                printToStandardError("linflow: \(done.columns) columns × \(done.rows) rows of \(input) → \(out ?? "stdout")")
            }
        }
    }
}
