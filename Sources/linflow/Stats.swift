import ArgumentParser
import LinFlowNumerics
import LinFlowIO
import LinFlowPlot
import LinFlowRuns
import LinFlowSweep

extension Linflow {
    struct Stats: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print Σ11, Σ31, the SVD of Σ31, the least-squares map and the loss floor.",
            discussion: "Example: linflow stats --data samples.csv --outputs 2")

        @OptionGroup(title: "Data") var dataOptions: DataOptions

        @Option(name: [.short, .long], help: ArgumentHelp(
            "Also write every figure to full precision as JSON (Σ11, Σ31 and its SVD, W*, L*) to this .json file.",
            valueName: "file.json"))
        var out: String?

        func validate() throws {
            do {
                try dataOptions.choice.validate()
                if let weightDecay { try FlowTerms.check(weightDecay: weightDecay) }
            } catch { throw ValidationError(rendered(error)) }
            if let out, !out.lowercased().hasSuffix(".json") {
                throw ValidationError("--out \(out): stats writes JSON; give the file a .json name")
            }
            var files = FilePlan()
            if let data = dataOptions.choice.file { files.reads(data, as: "--data \(data)") }
            files.writes(out, as: "--out \(out ?? "")")
            do { try files.check() } catch { throw ValidationError(rendered(error)) }
        }

        @Flag(help: "Report on x̃ = [x; 1], the input of an affine network (as `simulate --bias`): W* gains the intercept column, fitted in centred form (b* = ȳ − W*x̄).")
        var bias = false

        @Option(name: .customLong("weight-decay"), parsing: .unconditional, help: ArgumentHelp(
            "Also the ridge solution of the shallow problem (one layer) with weight decay γ ≥ 0, W_γ = Σ31(Σ11 + γI)⁻¹, its loss and its objective L + (γ/2)‖W_γ‖² (with --bias the intercept is not decayed).",
            valueName: "γ"))
        var weightDecay: Double?

        func run() throws {
            try runReportingErrors {
                let report = StatsReport(data: dataOptions.choice.source, bias: bias, weightDecay: weightDecay)
                guard let out else { return print(rendered(try report.render()), terminator: "") }
                let (text, json) = try report.renderBoth()
                let file = try OutputFile(path: out)
                try file.write(json)
                try file.commit()
                print(rendered(text), terminator: "")
            }
        }
    }
}
