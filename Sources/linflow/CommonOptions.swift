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

/// What the shared groups of a run command say in its help, and the defaults that differ between
/// the commands: a group generic over the command (`StartOptions<Simulate>`) quotes only that
/// command's own starts, tolerances and `--plot-kind`s.
protocol CommandDefaults {
    static var runCommand: RunCommand { get }
    /// The kinds `--plot` can draw from the command's output, its default first.
    static var plotKinds: [PlotKind] { get }
}

extension CommandDefaults {
    static var defaultPlotKind: PlotKind { plotKinds[0] }
}

/// `--data` and how to read it (`--inputs`, `--outputs`, `--header`, `--delimiter`), or
/// `--dataset`: every command that reads a dataset. The rules are in docs/cli.md ("Data
/// files"); ``DataChoice`` checks and resolves them.
struct DataOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Samples, one per row: a CSV, a .npy (2-D) or a .npz with arrays x and y.",
        valueName: "file"))
    var data: String?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp(
        "Target columns (required for CSV and .npy): the last k, names or a glob; .npz: arrays (default y).",
        valueName: "k|names|glob"))
    var outputs: String?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp(
        "Input columns (default: the others): the first k, names or a glob; .npz: arrays (default x).",
        valueName: "k|names|glob"))
    var inputs: String?

    @Option(name: .long, help: ArgumentHelp("Whether the first row is a header (default auto).", valueName: "auto|yes|no"))
    var header: String?

    @Option(name: .long, help: ArgumentHelp("The CSV's cell separator (default comma); space: one or more spaces, as numpy.savetxt writes.", valueName: "comma|tab|semicolon|space|C"))
    var delimiter: String?

    @Option(name: .long, help: ArgumentHelp("A built-in dataset (default \(DataSource.defaultDataset)).", valueName: "name"))
    var dataset: String?

    var choice: DataChoice {
        DataChoice(file: data, inputs: inputs, outputs: outputs, header: header, delimiter: delimiter, dataset: dataset)
    }
}

/// `--test`, `--test-fraction`, `--split-seed`: held-out samples and the column test_loss
/// (simulate, descend, compare, analytic; docs/generalisation.md). ``HeldOutChoice`` checks them.
struct HeldOutOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Held-out samples with the columns of --data (read with the same --inputs, --outputs, --header, --delimiter): adds the column test_loss.",
        valueName: "file"))
    var test: String?

    @Option(name: .customLong("test-fraction"), parsing: .unconditional, help: ArgumentHelp(
        "Hold out this fraction of --data's rows instead (each row with probability F, decided by --split-seed): adds test_loss, and training leaves them out.",
        valueName: "F"))
    var testFraction: Double?

    @Option(name: .customLong("split-seed"), parsing: .unconditional, help: ArgumentHelp(
        "Seed of --test-fraction's split (default \(HeldOutChoice.defaultSplitSeed)): the same seed holds out the same rows.",
        valueName: "S"))
    var splitSeed: UInt64?

    var choice: HeldOutChoice { HeldOutChoice(file: test, fraction: testFraction, splitSeed: splitSeed) }
}

/// `--hidden`, `--layers`: the network of a linear chain (analytic, whose closed forms have no
/// biases, takes only these).
struct NetworkShapeOptions: ParsableArguments {
    @Option(name: .long, parsing: .unconditional,
            help: ArgumentHelp("Hidden units of a two-layer network (default \(NetworkSpec.defaultHidden), or --init FILE's).", valueName: "H"))
    var hidden: Int?

    @Option(name: .long, help: ArgumentHelp("Layer sizes n0,n1,…,nL of a chain of any depth.", valueName: "sizes"),
            transform: parsed(NetworkSpec.parseLayers))
    var layers: [Int]?

    var choice: NetworkChoice {
        NetworkChoice(hidden: hidden, layers: layers, bias: false)
    }
}

/// `--hidden`, `--layers`, `--bias`.
struct NetworkOptions: ParsableArguments {
    @OptionGroup var shape: NetworkShapeOptions

    @Flag(name: .long, help: "A bias vector in every layer (columns b21_1…).")
    var bias = false

    var choice: NetworkChoice {
        var c = shape.choice
        c.bias = bias
        return c
    }
}

/// `--init`, `--seed`, `--init-scale`, `--lambda`.
struct StartOptions<Command: CommandDefaults>: ParsableArguments {
    /// analytic's closed forms take some starts only.
    static var initHelp: String {
        let kind = RunRequest(command: Command.runCommand, arguments: []).defaultStartKind
        if Command.runCommand == .analytic {
            return "The start: \(kind) (the default; any depth); for two layers also balanced, lambda-balanced (with --lambda), or a trajectory written by linflow (CSV or .h5) that ends in such a start. random and orthogonal pass only where λ-balanced (one hidden unit, σ = 0)."
        }
        return "The start (default \(kind)): random, orthogonal, balanced, aligned, lambda-balanced (with --lambda), or a trajectory written by linflow (CSV or .h5), resumed from its last row."
    }

    @Option(name: .customLong("init"), help: ArgumentHelp(Self.initHelp, valueName: "kind|file"))
    var kind: String?

    @Option(name: .long, parsing: .unconditional,
            help: "Seed of the start (default \(StartChoice.defaultSeed); not with --init FILE).")
    var seed: UInt64?

    @Option(name: .customLong("init-scale"), parsing: .unconditional, help: ArgumentHelp(
        "Scale σ of the start (default \(helpNumber(StartChoice.defaultScale)); not with --init FILE): the entries' standard deviation (random), the singular values (orthogonal), each mode's strength a0 (aligned); see docs/cli.md.",
        valueName: "σ"))
    var scale: Double?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp(
        "λ of --init lambda-balanced: W32ᵀW32 − W21W21ᵀ = λI.",
        valueName: "λ"))
    var lambda: Double?

    var choice: StartChoice { StartChoice(kind: kind, seed: seed, scale: scale, lambda: lambda) }
}

/// `--method`, `--rtol`, `--atol`, `--error-norm`, `--max-steps`: how GSL integrates a flow
/// (simulate, compare).
struct IntegrationOptions<Command: CommandDefaults>: ParsableArguments {
    @Option(name: .long, help: "GSL stepper; dp45 and dop853 are linflow's Dormand–Prince 5(4) and 8(5,3) (for rtol below 1e-7), ndf linflow's implicit NDF of orders 1–5 for stiff gradient flows (symmetric Jacobian), auto switches from rkf45 to ndf (msbdf with layer rates) when stiff.")
    var method: StepperMethod = .rkf45

    @Option(name: .long, parsing: .unconditional, help: "Relative error tolerance (default \(helpNumber(IntegrationChoice.defaultTolerances(for: Command.runCommand).relative))).")
    var rtol: Double?

    @Option(name: .long, parsing: .unconditional, help: "Absolute error tolerance (default \(helpNumber(IntegrationChoice.defaultTolerances(for: Command.runCommand).absolute))).")
    var atol: Double?

    @Option(name: .customLong("error-norm"), help: "A step's error against atol + rtol·|y_i|: every weight's (as GSL) or their root mean square (as scipy).")
    var errorNorm: ErrorNorm = .max

    @Option(name: .customLong("max-steps"), parsing: .unconditional, help: "Stop with an error after this many GSL steps\(Command.runCommand == .compare ? " of each flow" : "") (default: no limit).")
    var maxSteps: Int?

    var choice: IntegrationChoice {
        IntegrationChoice(method: method, relativeTolerance: rtol, absoluteTolerance: atol, errorNorm: errorNorm, maxSteps: maxSteps)
    }
}

/// `--weight-decay`, `--layer-rates`: the terms the flow and descent add to −∇L (simulate, descend, compare, analytic).
struct DynamicsOptions: ParsableArguments {
    @Option(name: .customLong("weight-decay"), parsing: .unconditional, help: ArgumentHelp(
        "Weight decay γ ≥ 0 (default \(helpNumber(DynamicsChoice.defaultWeightDecay))): minimise L + (γ/2)Σ‖W_l‖² (column objective) instead of L, i.e. W_l also moves by −γW_l; biases are not decayed.",
        valueName: "γ"))
    var weightDecay: Double?

    @Option(name: .customLong("layer-rates"), help: ArgumentHelp(
        "One learning-rate factor r_l > 0 per weight layer, input side first (default \(helpNumber(DynamicsChoice.defaultRate)) each): W_l (and b_l) moves r_l times as fast. The imbalance column becomes ‖W_{l+1}ᵀW_{l+1}/r_{l+1} − W_lW_lᵀ/r_l‖_F, and balanced, aligned and lambda-balanced starts are balanced in that metric.",
        valueName: "r1,r2,…"), transform: parsed(DynamicsChoice.parseRates))
    var layerRates: [Double]?

    var choice: DynamicsChoice { DynamicsChoice(weightDecay: weightDecay, layerRates: layerRates) }
}

/// `--then FILE@T[:TESTFILE]`, repeatable: a sequence of tasks (simulate, analytic).
struct TaskSequenceOptions: ParsableArguments {
    @Option(name: .customLong("then"), parsing: .singleValue, help: ArgumentHelp(
        "Train on FILE's data from time T on (repeatable, increasing T, each before --t-end; default: --data alone): a sequence of tasks, read with --data's column options. Adds the columns loss_task1… (each task's loss); loss is the task being trained's. FILE@T:TESTFILE gives the task held-out samples: with --test for the first task and a TESTFILE for every other, adds test_loss_task1… (test_loss is then the task being trained's); not with --test-fraction. In analytic each task's closed form starts from the state at its switch.",
        valueName: "FILE@T[:TESTFILE]"), transform: parsed(TaskSequenceChoice.Switch.parse))
    var then: [TaskSequenceChoice.Switch] = []

    var choice: TaskSequenceChoice? { then.isEmpty ? nil : TaskSequenceChoice(switches: then) }
}

/// `--then FILE@T`, repeatable: a sequence of tasks on the descent's t = kη axis (descend).
struct DescentTaskSequenceOptions: ParsableArguments {
    @Option(name: .customLong("then"), parsing: .singleValue, help: ArgumentHelp(
        "Train on FILE's data from time T on (repeatable, increasing T, each at most the last step's start, (K−1)η; default: --data alone), read with --data's column options: the step from θ_k at t_k = kη uses the task of the last T ≤ t_k, so steps with t_k ≥ T train on FILE. Momentum's velocity carries over a switch; with --batch-size each task's minibatches are drawn from its own file, the sampler restarting with --shuffle-seed at the switch. Adds the columns loss_task1… (each task's loss); loss is the task being trained's. FILE@T:TESTFILE as in simulate adds test_loss_task1….",
        valueName: "FILE@T[:TESTFILE]"), transform: parsed(TaskSequenceChoice.Switch.parse))
    var then: [TaskSequenceChoice.Switch] = []

    var choice: TaskSequenceChoice? { then.isEmpty ? nil : TaskSequenceChoice(switches: then) }
}

/// `--t-end` and `--samples`: the times at which a flow's rows are written (simulate, analytic),
/// so that both commands' CSVs share one time axis.
struct SamplingOptions: ParsableArguments {
    @Option(name: .customLong("t-end"), parsing: .unconditional, help: ArgumentHelp(
        "End time T (default: the start time plus the dataset's suggested horizon: \(BuiltinDataset.all.map { "\($0.name) \(helpNumber($0.suggestedHorizon))" }.joined(separator: ", ")), files \(helpNumber(RunSetup.defaultHorizon))).",
        valueName: "T"))
    var tEnd: Double?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp(
        "Number of intervals M: M+1 rows from t0 to T (default \(SamplingChoice.defaultSamples)).", valueName: "M"))
    var samples: Int?

    var choice: SamplingChoice { SamplingChoice(tEnd: tEnd, samples: samples) }
}

/// `--diagnostics all|sv|none`, `--modes` and `--kernel-distance`: the columns after the weights
/// (simulate, descend, analytic).
struct ColumnOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Diagnostic columns: all (sv_* and imbalance; the default), sv, or none.", valueName: "which"),
            transform: parsed(TrajectoryLayout.Diagnostics.init(argument:)))
    var diagnostics: TrajectoryLayout.Diagnostics?

    @Flag(name: .long, help: "Add columns mode_1…mode_r: each mode's strength u_αᵀWv_α in the end-to-end map.")
    var modes = false

    @Flag(name: .customLong("kernel-distance"), help: "Add the column kernel_distance: 1 − cos between the tangent kernels of the first row and of each.")
    var kernelDistance = false

    var choice: ColumnChoice {
        var c = ColumnChoice(modes: modes, kernelDistance: kernelDistance)
        if let diagnostics { c.diagnostics = diagnostics }  // else the library's default, all
        return c
    }
}

/// `-o`, `--out`.
struct OutputOptions: ParsableArguments {
    @Option(name: [.short, .long], help: ArgumentHelp("Output CSV, or HDF5 if it ends in .h5 (default: CSV on stdout), written when complete; the run record goes to FILE.json.", valueName: "file"))
    var out: String?
}

/// A command that builds a ``RunRequest`` from its option groups and runs it.
protocol RunCommandOptions: ParsableCommand, CommandDefaults {
    var request: RunRequest { get }
    var plotting: PlotOptions<Self> { get }
    var output: OutputOptions { get }
    /// `--representations FILE`, for the commands that take it.
    var representationsFile: String? { get }
}

extension RunCommandOptions {
    var representationsFile: String? { nil }

    /// The request's own checks, then `--plot`'s against what the command writes, then the
    /// files it reads and writes against each other; all before any work starts.
    func validateRequest() throws {
        do { try request.validate() } catch { throw ValidationError(rendered(error)) }
        try plotting.validate(for: request)
        do { try files.check() } catch { throw ValidationError(rendered(error)) }
    }

    /// Every file the run reads or writes, named by its option.
    var files: FilePlan {
        var plan = FilePlan()
        let r = request
        if let data = r.data.file { plan.reads(data, as: "--data \(data)") }
        if let test = r.heldOut.file { plan.reads(test, as: "--test \(test)") }
        if case .file(let path)? = try? r.initialization() { plan.reads(path, as: "--init \(path)") }
        for s in r.tasks?.switches ?? [] { plan.reads(s.file, as: "--then \(s.file)@\(helpNumber(s.time))") }
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
