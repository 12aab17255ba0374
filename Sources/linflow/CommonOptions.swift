import ArgumentParser
import LinFlowNumerics
import LinFlowIO
import LinFlowPlot
import LinFlowRuns
import LinFlowSweep

// The option groups the commands share. Each group turns into one choice of a `RunRequest`
// (`choice`), which the library validates and resolves the same way for every command; the
// defaults live with those choices, and the help texts quote them from there.

extension StepperMethod: ExpressibleByArgument {}
extension ErrorNorm: ExpressibleByArgument {}

/// `--data` and how to read it (`--inputs`, `--outputs`, `--header`, `--delimiter`), or
/// `--dataset`: every command that reads a dataset. The rules are in docs/cli.md ("Data
/// files"); ``DataChoice`` checks and resolves them.
struct DataOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Samples, one per row: a numeric CSV (header optional), a NumPy .npy (2-D) or a .npz with arrays x and y.",
        valueName: "file"))
    var data: String?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp(
        "The target columns of --data (required for CSV and .npy): a count of trailing columns, a comma list of names, or a glob such as 'y*'; in a .npz, array names (default y). Not with a built-in dataset.",
        valueName: "k|names|glob"))
    var outputs: String?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp(
        "The input columns of --data: a count of leading columns, names, or a glob (default: every column not an output); in a .npz, array names (default x).",
        valueName: "k|names|glob"))
    var inputs: String?

    @Option(name: .long, help: ArgumentHelp("Whether the CSV's first row is a header: auto (a row with a non-number; 0,1,…,n−1 is refused as ambiguous), yes, no.", valueName: "auto|yes|no"))
    var header: String?

    @Option(name: .long, help: ArgumentHelp("The CSV's cell separator: comma (default), tab, semicolon, or one character.", valueName: "comma|tab|semicolon|C"))
    var delimiter: String?

    @Option(name: .long, help: ArgumentHelp("Use a built-in dataset instead of --data (default \(DataSource.defaultDataset); see `linflow datasets`).", valueName: "name"))
    var dataset: String?

    var choice: DataChoice {
        DataChoice(file: data, inputs: inputs, outputs: outputs, header: header, delimiter: delimiter, dataset: dataset)
    }
}

/// `--hidden`, `--layers`, `--bias`.
struct NetworkOptions: ParsableArguments {
    @Option(name: .long, parsing: .unconditional,
            help: ArgumentHelp("Hidden units of a two-layer network (default \(NetworkSpec.defaultHidden); with --init FILE, the file's).", valueName: "H"))
    var hidden: Int?

    @Option(name: .long, help: ArgumentHelp("Layer sizes n0,n1,…,nL of a chain of any depth; n0 and nL must match the data.", valueName: "sizes"))
    var layers: String?

    @Flag(name: .long, help: "Give every layer a bias vector, ŷ = W32(W21x + b21) + b32; its columns b21_1… follow that layer's W columns.")
    var bias = false

    func validate() throws {
        if let layers {
            do { _ = try NetworkSpec.parseLayers(layers) } catch { throw ValidationError(rendered(error)) }
        }
    }

    var choice: NetworkChoice {
        NetworkChoice(hidden: hidden, layers: layers.flatMap { try? NetworkSpec.parseLayers($0) }, bias: bias)
    }
}

/// `--init`, `--seed`, `--init-scale`.
struct StartOptions: ParsableArguments {
    @Option(name: .customLong("init"), help: ArgumentHelp(
        "random (i.i.d. Gaussian), orthogonal, balanced (W_{l+1}ᵀW_{l+1} = W_lW_lᵀ), aligned (Saxe et al.'s decoupled start on the SVD of Σ31), lambda-balanced (two layers, W32ᵀW32 − W21W21ᵀ = λI, with --lambda), or a trajectory CSV written by linflow: the run resumes from its last row, at its t.",
        valueName: "kind|file"))
    var kind: String?

    @Option(name: .long, parsing: .unconditional,
            help: "Seed of the random draws of the start (default \(StartChoice.defaultSeed); not with --init FILE).")
    var seed: UInt64?

    @Option(name: .customLong("init-scale"), parsing: .unconditional, help: ArgumentHelp(
        "Scale σ of the start (default \(helpNumber(StartChoice.defaultScale)); not with --init FILE): per-entry standard deviation (random), every singular value (orthogonal), standard deviation of the k×k Gaussian whose singular values every layer shares (balanced), initial strength a0 of every mode (aligned), per-entry standard deviation of the Gaussian layer (lambda-balanced).",
        valueName: "σ"))
    var scale: Double?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp(
        "λ of --init lambda-balanced, W32ᵀW32 − W21W21ᵀ = λI (any sign; λ > 0 needs outputs ≥ hidden units, λ < 0 inputs ≥ hidden units; only with that start).",
        valueName: "λ"))
    var lambda: Double?

    var choice: StartChoice { StartChoice(kind: kind, seed: seed, scale: scale, lambda: lambda) }
}

/// `--method`, `--rtol`, `--atol`, `--error-norm`, `--max-steps`: how GSL integrates a flow
/// (simulate, compare).
struct IntegrationOptions: ParsableArguments {
    @Option(name: .long, help: "GSL stepper: rkf45, rkck, rk8pd, rk2, rk4, msadams, or implicit rk1imp, rk2imp, rk4imp, bsimp, msbdf; or dp45 (linflow's Dormand–Prince 5(4) on GSL's driver); or auto (rkf45, switching to msbdf when stiff).")
    var method: StepperMethod = .rkf45

    @Option(name: .long, parsing: .unconditional, help: """
        Relative error tolerance of the step-size control (default: simulate \(helpNumber(IntegrationChoice.defaultTolerances(for: .simulate).relative)), \
        compare \(helpNumber(IntegrationChoice.defaultTolerances(for: .compare).relative))).
        """)
    var rtol: Double?

    @Option(name: .long, parsing: .unconditional, help: """
        Absolute error tolerance of the step-size control (default: simulate \(helpNumber(IntegrationChoice.defaultTolerances(for: .simulate).absolute)), \
        compare \(helpNumber(IntegrationChoice.defaultTolerances(for: .compare).absolute))).
        """)
    var atol: Double?

    @Option(name: .customLong("error-norm"), help: "How a step's error is measured against atol + rtol·|y_i|: max (GSL's: every weight within tolerance) or rms (scipy's and MATLAB's: the root mean square).")
    var errorNorm: ErrorNorm = .max

    @Option(name: .customLong("max-steps"), parsing: .unconditional, help: "Stop with an error after this many GSL steps (of each integrated flow).")
    var maxSteps: Int?

    var choice: IntegrationChoice {
        IntegrationChoice(method: method, relativeTolerance: rtol, absoluteTolerance: atol, errorNorm: errorNorm, maxSteps: maxSteps)
    }
}

/// `--t-end` and `--samples`: the times at which a flow's rows are written (simulate, analytic),
/// so that both commands' CSVs share one time axis.
struct SamplingOptions: ParsableArguments {
    @Option(name: .customLong("t-end"), parsing: .unconditional, help: ArgumentHelp(
        "End time T (default: the start time plus the dataset's suggested horizon: \(BuiltinDataset.all.map { "\($0.name) \(helpNumber($0.suggestedHorizon))" }.joined(separator: ", ")), files \(helpNumber(RunSetup.defaultHorizon))).",
        valueName: "T"))
    var tEnd: Double?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp(
        "Number of intervals M: M+1 rows at t = t0, t0 + (T − t0)/M, …, T (default \(SamplingChoice.defaultSamples)).", valueName: "M"))
    var samples: Int?

    var choice: SamplingChoice { SamplingChoice(tEnd: tEnd, samples: samples) }
}

/// `--diagnostics all|sv|none`, `--modes` and `--kernel-distance`: the columns after the weights
/// (simulate, descend, analytic).
struct ColumnOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Diagnostic columns: all (sv_* and imbalance), sv, or none.", valueName: "all|sv|none"))
    var diagnostics: String = "all"

    @Flag(name: .long, help: "Add columns mode_1…mode_r: the strength u_αᵀWv_α of each mode of the end-to-end map along the singular vectors of the least-squares map (those of Σ31 for white inputs).")
    var modes = false

    func validate() throws {
        do { _ = try TrajectoryLayout.Diagnostics(argument: diagnostics) } catch { throw ValidationError(rendered(error)) }
    }

    @Flag(name: .customLong("kernel-distance"), help: "Add the column kernel_distance: 1 − cos between the tangent kernel of the first row and of each row (full NTK over all sample and output pairs, computed from Σ11).")
    var kernelDistance = false

    var choice: ColumnChoice {
        ColumnChoice(diagnostics: (try? TrajectoryLayout.Diagnostics(argument: diagnostics)) ?? .all, modes: modes,
                     kernelDistance: kernelDistance)
    }
}

/// `-o`, `--out`.
struct OutputOptions: ParsableArguments {
    @Option(name: [.short, .long], help: ArgumentHelp("Output CSV, or HDF5 if FILE ends in .h5 (default: CSV on stdout). Written only when complete; its run record goes beside it as FILE.json.", valueName: "file"))
    var out: String?
}

/// A command that builds a ``RunRequest`` from its option groups and runs it.
protocol RunCommandOptions: ParsableCommand {
    var request: RunRequest { get }
    var plotting: PlotOptions { get }
    var output: OutputOptions { get }
    /// `--representations FILE`, for the commands that take it.
    var representationsFile: String? { get }
}

extension RunCommandOptions {
    var representationsFile: String? { nil }

    /// The request's own checks, then `--plot`'s against what the command writes, then the
    /// files it reads and writes against each other; all before any work starts.
    func validateRequest(defaultPlotKind: PlotKind = .loss) throws {
        do { try request.validate() } catch { throw ValidationError(rendered(error)) }
        try plotting.validate(for: request, defaultKind: defaultPlotKind)
        do { try files.check() } catch { throw ValidationError(rendered(error)) }
    }

    /// Every file the run reads or writes, named by its option.
    var files: FilePlan {
        var plan = FilePlan()
        let r = request
        if let data = r.data.file { plan.reads(data, as: "--data \(data)") }
        if case .file(let path)? = try? r.initialization() { plan.reads(path, as: "--init \(path)") }
        plan.writesTrajectory(output.out, as: "--out \(output.out ?? "")")
        plan.writes(plotting.picture, as: "--plot \(plotting.picture ?? "")")
        plan.writes(plotting.script, as: "--plot-script \(plotting.script ?? "")")
        plan.writes(representationsFile, as: "--representations \(representationsFile ?? "")")
        return plan
    }
}

/// A default as a user would type it: 80, 0.001, 1e-8.
func helpNumber(_ x: Double) -> String {
    if x == x.rounded(), abs(x) < 1e15 { return String(Int(x)) }
    return "\(x)".replacingOccurrences(of: "e-0", with: "e-")
}
