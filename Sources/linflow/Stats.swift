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

        func validate() throws {
            do { try dataOptions.choice.validate() } catch { throw ValidationError(rendered(error)) }
        }

        @Flag(help: "Report on x̃ = [x; 1], the input of an affine network (as `simulate --bias`): W* gains the intercept column, fitted in centred form (b* = ȳ − W*x̄).")
        var bias = false

        func run() throws {
            try runReportingErrors {
                print(try StatsReport(data: dataOptions.choice.source, bias: bias).render(), terminator: "")
            }
        }
    }
}
