import ArgumentParser
import LinFlowKit

extension StepperMethod: ExpressibleByArgument {}
extension ErrorNorm: ExpressibleByArgument {}

/// `--data` and how to read it (`--inputs`, `--outputs`, `--header`, `--delimiter`), or
/// `--dataset`; shared by every command that reads a dataset. The rules are in docs/cli.md
/// ("Data files"); the resolution is ``DataFileSpec``'s.
struct DataOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Samples, one per row: a numeric CSV (header optional), a NumPy .npy (2-D) or a .npz with arrays x and y.",
        valueName: "file"))
    var data: String?

    @Option(name: .long, help: ArgumentHelp(
        "The target columns of --data (required for CSV and .npy): a count of trailing columns, a comma list of names, or a glob such as 'y*'; in a .npz, array names (default y).",
        valueName: "k|names|glob"))
    var outputs: String?

    @Option(name: .long, help: ArgumentHelp(
        "The input columns of --data: a count of leading columns, names, or a glob (default: every column not an output); in a .npz, array names (default x).",
        valueName: "k|names|glob"))
    var inputs: String?

    @Option(name: .long, help: ArgumentHelp("Whether the CSV's first row is a header: auto (a row with a non-number), yes, no.", valueName: "auto|yes|no"))
    var header: String?

    @Option(name: .long, help: ArgumentHelp("The CSV's cell separator: comma (default), tab, semicolon, or one character.", valueName: "comma|tab|semicolon|C"))
    var delimiter: String?

    @Option(name: .long, help: ArgumentHelp("Use a built-in dataset instead of --data (see `linflow datasets`).", valueName: "name"))
    var dataset: String?

    func validate() throws {
        if data != nil && dataset != nil { throw ValidationError("give either --data or --dataset, not both") }
        if data == nil {
            let given = [("--outputs", outputs), ("--inputs", inputs), ("--header", header), ("--delimiter", delimiter)]
            if let (name, _) = given.first(where: { $0.1 != nil }) {
                throw ValidationError("\(name) applies to a --data file, not to the built-in dataset '\(dataset ?? DataSource.defaultDataset)' (its columns are fixed)")
            }
        }
        do {
            if let s = try spec(), s.outputs == nil, s.format != .npz {
                throw LinflowError.usage("--data \(s.path) needs --outputs: a count of trailing target columns, their names, or a glob (linflow does not guess the split)")
            }
        } catch let e as LinflowError { throw ValidationError(e.description) }
    }

    private func spec() throws -> DataFileSpec? {
        guard let data else { return nil }
        var header = HeaderMode.auto
        if let h = self.header {
            guard let m = HeaderMode(rawValue: h) else { throw LinflowError.usage("--header must be auto, yes or no, got '\(h)'") }
            header = m
        }
        return DataFileSpec(path: data,
                            inputs: try inputs.map { try ColumnSelector(argument: $0, option: "--inputs") },
                            outputs: try outputs.map { try ColumnSelector(argument: $0, option: "--outputs") },
                            header: header, delimiter: try delimiter.map { try Delimiter(argument: $0) } ?? .comma)
    }

    /// Valid after `validate()`.
    var source: DataSource {
        if let spec = try? spec() { return .file(spec) }
        return .builtin(dataset ?? DataSource.defaultDataset)
    }
}

/// `--hidden`, `--layers`, `--bias`, `--seed`, `--init-scale`, `--init`, `--modes`.
struct ModelOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Hidden units of a two-layer network (default \(NetworkSpec.defaultHidden)).", valueName: "H"))
    var hidden: Int?

    @Option(name: .long, help: ArgumentHelp("Layer sizes n0,n1,…,nL of a chain of any depth; n0 and nL must match the data.", valueName: "sizes"))
    var layers: String?

    @Flag(name: .long, help: "Give every layer a bias vector, ŷ = W32(W21x + b21) + b32; its columns b21_1… follow that layer's W columns.")
    var bias = false

    @Option(name: .long, help: "Seed of the random draws of the start.")
    var seed: UInt64 = 1

    @Option(name: .customLong("init-scale"), help: ArgumentHelp(
        "Scale σ of the start: per-entry standard deviation (random), every singular value (orthogonal), standard deviation of the k×k Gaussian whose singular values every layer shares (balanced), initial strength a0 of every mode (aligned).",
        valueName: "σ"))
    var initScale: Double = 1e-3

    @Option(name: .customLong("init"), help: ArgumentHelp(
        "random (i.i.d. Gaussian), orthogonal, balanced (W_{l+1}ᵀW_{l+1} = W_lW_lᵀ), aligned (Saxe et al.'s decoupled start on the SVD of Σ31), or a trajectory CSV written by linflow (its last row).",
        valueName: "kind|file"))
    var initValue: String?

    @Flag(name: .long, help: "Add columns mode_1…mode_r: the strength u_αᵀWv_α of each mode of the end-to-end map along the singular vectors of the least-squares map (those of Σ31 for white inputs).")
    var modes = false

    func validate() throws {
        if hidden != nil && layers != nil { throw ValidationError("give either --hidden or --layers, not both") }
        if let hidden, hidden < 1 { throw ValidationError("--hidden must be positive, got \(hidden)") }
        if let layers {
            do { _ = try NetworkSpec.parseLayers(layers) } catch { throw ValidationError("\(error)") }
            if layers.split(separator: ",").count < 2 { throw ValidationError("--layers needs at least two sizes, e.g. 8,16,15") }
        }
        if !(initScale >= 0 && initScale.isFinite) { throw ValidationError("--init-scale must be a finite number >= 0, got \(initScale)") }
        if let initValue {
            do { _ = try Initialization(argument: initValue, seed: seed, scale: initScale) } catch { throw ValidationError("\(error)") }
        }
    }

    var network: NetworkSpec? {
        if let hidden { return .hidden(hidden) }
        if let layers, let sizes = try? NetworkSpec.parseLayers(layers) { return .layers(sizes) }
        return nil
    }

    /// The start; `defaultKind` when --init is not given (validate() has checked the value).
    func initialization(defaultKind: String = "random") -> Initialization {
        (try? Initialization(argument: initValue ?? defaultKind, seed: seed, scale: initScale))
            ?? .gaussian(seed: seed, scale: initScale)
    }

    var initialization: Initialization { initialization() }
}

/// `--method`, `--rtol`, `--atol`: how GSL integrates a flow (simulate, compare). The
/// tolerances are optional here because each command has its own defaults.
struct IntegrationOptions: ParsableArguments {
    @Option(name: .long, help: "GSL stepper: rkf45, rkck, rk8pd, rk2, rk4, msadams, or implicit rk1imp, rk2imp, rk4imp, bsimp, msbdf.")
    var method: StepperMethod = .rkf45

    @Option(name: .long, help: "Relative error tolerance of the step-size control (default: simulate 1e-8, compare 1e-10).")
    var rtol: Double?

    @Option(name: .long, help: "Absolute error tolerance of the step-size control (default: simulate 1e-10, compare 1e-12).")
    var atol: Double?

    @Option(name: .customLong("error-norm"), help: "How a step's error is measured against atol + rtol·|y_i|: max (GSL's: every weight within tolerance) or rms (scipy's and MATLAB's: the root mean square).")
    var errorNorm: ErrorNorm = .max

    func validate() throws {
        if let rtol, !(rtol > 0 && rtol.isFinite) { throw ValidationError("--rtol must be a positive number, got \(rtol)") }
        if let atol, !(atol > 0 && atol.isFinite) { throw ValidationError("--atol must be a positive number, got \(atol)") }
        do { try errorNorm.check(with: method) } catch { throw ValidationError(error.description) }
    }
}

/// `--t-end` and `--samples`: the times at which rows are written (simulate, analytic), so that
/// both commands' CSVs share one time axis.
struct SamplingOptions: ParsableArguments {
    @Option(name: .customLong("t-end"), help: ArgumentHelp("End time T (default: the dataset's suggested horizon, 80 for hierarchy).", valueName: "T"))
    var tEnd: Double?

    @Option(name: .long, help: ArgumentHelp("Number of intervals M: M+1 rows at t = 0, T/M, …, T.", valueName: "M"))
    var samples: Int = 200

    func validate() throws {
        if let tEnd, !(tEnd > 0 && tEnd.isFinite) { throw ValidationError("--t-end must be a positive number, got \(tEnd)") }
        if samples < 1 { throw ValidationError("--samples must be at least 1, got \(samples)") }
    }
}

/// `--diagnostics all|sv|none`, parsed by ``TrajectoryLayout/Diagnostics/init(argument:)``
/// (simulate, descend, analytic).
struct DiagnosticsOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Diagnostic columns: all (sv_* and imbalance), sv, or none.", valueName: "all|sv|none"))
    var diagnostics: String = "all"

    func validate() throws {
        do { _ = try TrajectoryLayout.Diagnostics(argument: diagnostics) } catch { throw ValidationError("\(error)") }
    }

    /// Valid after `validate()`.
    var value: TrajectoryLayout.Diagnostics { (try? TrajectoryLayout.Diagnostics(argument: diagnostics)) ?? .all }
}
