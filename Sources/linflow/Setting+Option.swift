import ArgumentParser
import LinFlowNumerics

/// The option that sets each of the library's settings: the one place where the library's
/// messages meet the command line's names. A setting without an option does not compile.
extension Setting {
    var option: String {
        switch self {
        case .dataFile: "--data"
        case .builtinDataset: "--dataset"
        case .inputColumns: "--inputs"
        case .outputColumns: "--outputs"
        case .header: "--header"
        case .delimiter: "--delimiter"
        case .testFile: "--test"
        case .testFraction: "--test-fraction"
        case .splitSeed: "--split-seed"
        case .teacherInputs: "--input-dim"
        case .teacherOutputs: "--output-dim"
        case .teacherSingularValues: "--singular-values"
        case .teacherRank: "--rank"
        case .teacherScale: "--scale"
        case .inputSpectrum: "--input-spectrum"
        case .noise: "--noise"
        case .trainSamples: "--train-samples"
        case .testSamples: "--test-samples"
        case .hiddenWidth: "--hidden"
        case .layerSizes: "--layers"
        case .bias: "--bias"
        case .start: "--init"
        case .initialScale: "--init-scale"
        case .seed: "--seed"
        case .lambda: "--lambda"
        case .endTime: "--t-end"
        case .samples: "--samples"
        case .method: "--method"
        case .errorNorm: "--error-norm"
        case .relativeTolerance: "--rtol"
        case .absoluteTolerance: "--atol"
        case .maxSteps: "--max-steps"
        case .weightDecay: "--weight-decay"
        case .layerRates: "--layer-rates"
        case .taskSequence: "--then"
        case .closedForm: "--form"
        case .skipCheck: "--no-check"
        case .networkDepth: "--depth"
        case .learningRate: "--lr"
        case .steps: "--steps"
        case .every: "--every"
        case .batchSize: "--batch-size"
        case .shuffleSeed: "--shuffle-seed"
        case .momentum: "--momentum"
        case .skipSharpness: "--no-sharpness"
        case .output: "--out"
        case .format: "--format"
        case .weightBlocks: "--weights"
        case .diagnostics: "--diagnostics"
        case .representations: "--representations"
        case .plot: "--plot"
        case .plotKind: "--plot-kind"
        case .plotScript: "--plot-script"
        case .kind: "--kind"
        case .columns: "--columns"
        case .script: "--script"
        case .label: "--label"
        case .maxCurves: "--max-curves"
        case .size: "--size"
        case .linearY: "--no-log-y"
        case .heatmapX: "--x"
        case .heatmapY: "--y"
        case .heatmapZ: "--z"
        case .mark: "--mark"
        case .verticalLine: "--vline"
        case .zScale: "--z-scale"
        case .reduce: "--reduce"
        case .grid: "--grid"
        case .zip: "--zip"
        case .jobs: "--jobs"
        case .task: "--task"
        case .arrayLimit: "--array-limit"
        case .tasksPerJob: "--tasks-per-job"
        case .sbatchOption: "--sbatch-option"
        case .submit: "--submit"
        case .help: "--help"
        case .version: "--version"
        }
    }
}

/// Library text as the user reads it: each setting it names is shown as its option.
func rendered(_ text: String) -> String { Setting.render(text) { $0.option } }

/// An error's one line for the user, with the library's settings shown as options.
func rendered(_ error: Error) -> String {
    switch error {
    case let e as LinflowError: rendered(e.message)
    default: rendered(String(describing: error))
    }
}

/// An option's value read by the library's own parser, once, as the command line is parsed;
/// a refusal is linflow's one line naming the option.
func parsed<T>(_ parse: @escaping (String) throws -> T) -> @Sendable (String) throws -> T {
    nonisolated(unsafe) let parse = parse
    return { text in
        do { return try parse(text) } catch { throw ValidationError(rendered(error)) }
    }
}
