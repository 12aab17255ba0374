import ArgumentParser
import LinFlowKit

extension StepperMethod: ExpressibleByArgument {}
extension ErrorNorm: ExpressibleByArgument {}

/// `--data` and `--outputs`, shared by every command that reads a dataset.
struct DataOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Numeric CSV of samples, one per row; the last --outputs columns are the targets. A header row is optional.",
        valueName: "file"))
    var data: String?

    @Option(name: .long, help: "How many trailing columns of --data are outputs.")
    var outputs: Int = 1

    @Option(name: .long, help: ArgumentHelp("Use a built-in dataset instead of --data (see `linflow datasets`).", valueName: "name"))
    var dataset: String?

    func validate() throws {
        if outputs < 1 { throw ValidationError("--outputs must be at least 1, got \(outputs)") }
        if data != nil && dataset != nil { throw ValidationError("give either --data or --dataset, not both") }
    }

    var source: DataSource {
        if let data { return .file(path: data, outputs: outputs) }
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
    @Option(name: .long, help: "GSL stepper: rkf45, rkck, rk8pd, rk2, rk4, msadams, or implicit rk1imp, rk2imp, rk4imp, bsimp, msbdf; or dp45 (linflow's Dormand–Prince 5(4) on GSL's driver).")
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
