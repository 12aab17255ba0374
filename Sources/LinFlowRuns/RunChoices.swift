import LinFlowNumerics
import LinFlowIO
import LinFlowPlot
// The choices a run request is made of, one per option group; each states its defaults once.

/// `--hidden`, `--layers`, `--bias`: the network, before the data fix its ends.
public struct NetworkChoice: Sendable, Equatable {
    public var hidden: Int?
    public var layers: [Int]?
    public var bias = false

    public init(hidden: Int? = nil, layers: [Int]? = nil, bias: Bool = false) {
        (self.hidden, self.layers, self.bias) = (hidden, layers, bias)
    }

    public func validate() throws(LinflowError) {
        if hidden != nil && layers != nil { throw .usage("give either \(Setting.hiddenWidth) or \(Setting.layerSizes), not both") }
        if let hidden, hidden < 1 { throw .usage("\(Setting.hiddenWidth) must be positive, got \(hidden)") }
        if let layers, layers.count < 2 { throw .usage("\(Setting.layerSizes) needs at least two sizes, e.g. 8,16,15") }
    }

    /// nil when neither --hidden nor --layers was given.
    public var spec: NetworkSpec? {
        if let hidden { return .hidden(hidden) }
        if let layers { return .layers(layers) }
        return nil
    }
}

/// `--init`, `--seed`, `--init-scale`, `--lambda`: the weights at the start.
public struct StartChoice: Sendable, Equatable {
    /// A kind (``Initialization/kinds``) or a trajectory file; nil: the command's default kind.
    public var kind: String?
    public var seed: UInt64?
    public var scale: Double?
    /// λ of `--init lambda-balanced`; refused with any other start.
    public var lambda: Double?

    public static let defaultSeed: UInt64 = 1
    /// Small, so that learning starts near the saddle at zero and shows its stages.
    public static let defaultScale = 1e-3

    public init(kind: String? = nil, seed: UInt64? = nil, scale: Double? = nil, lambda: Double? = nil) {
        (self.kind, self.seed, self.scale, self.lambda) = (kind, seed, scale, lambda)
    }

    /// The start; `defaultKind` when --init is not given.
    public func initialization(defaultKind: String) throws(LinflowError) -> Initialization {
        do {
            return try Initialization(argument: kind ?? defaultKind, seed: seed ?? Self.defaultSeed,
                                      scale: scale ?? Self.defaultScale, lambda: lambda)
        } catch let error as LinflowError { throw error } catch { throw .usage("\(error)") }
    }

    public func validate() throws(LinflowError) {
        if let seed { try GaussianSource.check(seed: seed, of: .seed) }
        if let scale, !(scale >= 0 && scale.isFinite) {
            throw .usage("\(Setting.initialScale) must be a finite number >= 0, got \(scale)")
        }
        guard case .file(let path) = try initialization(defaultKind: "random") else { return }
        // A file fixes every weight: a seed or a scale would have nothing to act on.
        if seed != nil { throw .usage("\(Setting.seed) has no effect with \(Setting.start) \(path): the start is that file's last row") }
        if scale != nil { throw .usage("\(Setting.initialScale) has no effect with \(Setting.start) \(path): the start is that file's last row") }
    }
}

/// `--method`, `--rtol`, `--atol`, `--error-norm`, `--max-steps`: how GSL integrates a flow.
public struct IntegrationChoice: Sendable, Equatable {
    public var method: StepperMethod = .rkf45
    public var relativeTolerance: Double?
    public var absoluteTolerance: Double?
    public var errorNorm: ErrorNorm = .max
    public var maxSteps: Int?

    public init(method: StepperMethod = .rkf45, relativeTolerance: Double? = nil, absoluteTolerance: Double? = nil,
                errorNorm: ErrorNorm = .max, maxSteps: Int? = nil) {
        (self.method, self.relativeTolerance, self.absoluteTolerance) = (method, relativeTolerance, absoluteTolerance)
        (self.errorNorm, self.maxSteps) = (errorNorm, maxSteps)
    }

    /// (rtol, atol) when not given. `compare` integrates tighter, so that the integration error
    /// stays well below the O(η²) gap between descent and the modified flow it is meant to show.
    public static func defaultTolerances(for command: RunCommand) -> (relative: Double, absolute: Double) {
        command == .compare ? (1e-10, 1e-12) : (1e-8, 1e-10)
    }

    public func tolerances(for command: RunCommand) -> (relative: Double, absolute: Double) {
        let d = Self.defaultTolerances(for: command)
        return (relativeTolerance ?? d.relative, absoluteTolerance ?? d.absolute)
    }

    public func validate() throws(LinflowError) {
        if let r = relativeTolerance, !(r > 0 && r.isFinite) { throw .usage("\(Setting.relativeTolerance) must be a positive number, got \(r)") }
        // No step can be accepted below rounding: GSL would shrink it until it underflows.
        if let r = relativeTolerance, r < Double.ulpOfOne {
            throw .usage("\(Setting.relativeTolerance) \(r) is below double precision (\(Double.ulpOfOne)): no step can meet it")
        }
        if let a = absoluteTolerance, !(a > 0 && a.isFinite) { throw .usage("\(Setting.absoluteTolerance) must be a positive number, got \(a)") }
        if let m = maxSteps, m < 1 { throw .usage("\(Setting.maxSteps) must be positive, got \(m)") }
        try errorNorm.check(with: method)
    }
}

/// `--weight-decay`, `--layer-rates`: the terms the flow adds to −∇L (``FlowTerms``), in simulate,
/// descend, compare and analytic.
public struct DynamicsChoice: Sendable, Equatable {
    /// γ; nil: no decay and no `objective` column.
    public var weightDecay: Double?
    /// r_1…r_L, input side first; nil: every rate 1.
    public var layerRates: [Double]?

    public static let defaultWeightDecay = 0.0
    public static let defaultRate = 1.0

    public init(weightDecay: Double? = nil, layerRates: [Double]? = nil) {
        (self.weightDecay, self.layerRates) = (weightDecay, layerRates)
    }

    public var terms: FlowTerms { FlowTerms(weightDecay: weightDecay ?? Self.defaultWeightDecay, layerRates: layerRates) }

    /// The values alone; the count of rates against the depth is checked once the network is
    /// known (``check(depth:)``), here already when `network` fixes it.
    public func validate(network: NetworkChoice) throws(LinflowError) {
        if let weightDecay { try FlowTerms.check(weightDecay: weightDecay) }
        if let layerRates { try FlowTerms.check(layerRates: layerRates) }
        if let depth = network.layers.map({ $0.count - 1 }) ?? (network.hidden != nil ? 2 : nil) {
            try terms.check(depth: depth)
        }
    }

    /// `--layer-rates r1,r2,…`: positive numbers separated by commas.
    public static func parseRates(_ text: String) throws(LinflowError) -> [Double] {
        let rates = try numberList(text, .layerRates)
        try FlowTerms.check(layerRates: rates)
        return rates
    }
}

/// `--then FILE@T` (repeatable): after the data of `--data` until T₁, train on the next file until
/// T₂, and so on; each file is read with `--data`'s column options. The switch times are
/// integration boundaries, not rows.
public struct TaskSequenceChoice: Sendable, Equatable {
    /// One switch: from `time` on, the data of `file` (and, with `FILE@T:TESTFILE`, its held-out
    /// samples in `test`).
    public struct Switch: Sendable, Equatable {
        public var file: String
        public var time: Double
        public var test: String?

        public init(file: String, time: Double, test: String? = nil) { (self.file, self.time, self.test) = (file, time, test) }

        /// `FILE@T` or `FILE@T:TESTFILE`, split at the last '@' followed by a number (a file name
        /// may contain '@' or ':'), the test file after the first ':' that follows it.
        public static func parse(_ text: String) throws(LinflowError) -> Switch {
            let ats = text.indices.filter { text[$0] == "@" && $0 != text.startIndex }
            guard let last = ats.last else {
                throw .usage("\(Setting.taskSequence) takes FILE@T or FILE@T:TESTFILE (the data of FILE from time T on), got '\(text)'")
            }
            func split(_ at: String.Index) -> (file: String, time: Substring, test: String?) {
                let rest = text[text.index(after: at)...]
                guard let colon = rest.firstIndex(of: ":") else { return (String(text[..<at]), rest, nil) }
                return (String(text[..<at]), rest[..<colon], String(rest[rest.index(after: colon)...]))
            }
            let at = ats.last(where: { Double(split($0).time).map(\.isFinite) == true }) ?? last
            let (file, rest, test) = split(at)
            guard let time = Double(rest), time.isFinite else {
                throw .usage("\(Setting.taskSequence) \(text): T must be a finite number, got '\(rest)'")
            }
            if let test, test.isEmpty {
                throw .usage("\(Setting.taskSequence) \(text): the test file after ':' is empty; give FILE@T:TESTFILE or FILE@T")
            }
            return Switch(file: file, time: time, test: test)
        }
    }

    public var switches: [Switch]

    public init(switches: [Switch] = []) { self.switches = switches }

    /// Whether every task has a held-out file (`--test` and each switch's TESTFILE).
    public var hasTests: Bool { !switches.isEmpty && switches.allSatisfy { $0.test != nil } }

    /// Times increasing and before `tEnd` (when given); a data file to take the column options
    /// from; test files for every task or none, and no split of `--data`.
    public func validate(data: DataChoice, heldOut: HeldOutChoice = HeldOutChoice(), tEnd: Double?) throws(LinflowError) {
        guard !switches.isEmpty else { return }
        if heldOut.fraction != nil {
            throw .usage("\(Setting.testFraction) with \(Setting.taskSequence): a split of \(Setting.dataFile) would hold out the first task's samples only; give each task a test file, \(Setting.testFile) FILE and \(Setting.taskSequence) FILE@T:TESTFILE")
        }
        let withTest = switches.filter { $0.test != nil }
        if let without = switches.first(where: { $0.test == nil }), !withTest.isEmpty {
            throw .usage("\(Setting.taskSequence) \(without.file)@\(fmt(without.time)) has no test file but \(withTest[0].file)@\(fmt(withTest[0].time)) has one: give every task a test file (FILE@T:TESTFILE) or none")
        }
        if !withTest.isEmpty && heldOut.file == nil {
            throw .usage("\(Setting.taskSequence) FILE@T:TESTFILE needs \(Setting.testFile) for the first task's test file: give every task a test file or none")
        }
        if data.file == nil {
            throw .usage("\(Setting.taskSequence) needs \(Setting.dataFile) for the first task: the files of the sequence are read as it is (\(Setting.inputColumns), \(Setting.outputColumns), \(Setting.header), \(Setting.delimiter))")
        }
        for (a, b) in zip(switches, switches.dropFirst()) where !(b.time > a.time) {
            throw .usage("\(Setting.taskSequence) times must increase: \(fmt(b.time)) (\(b.file)) comes after \(fmt(a.time)) (\(a.file))")
        }
        if let tEnd, let last = switches.last, !(last.time < tEnd) {
            throw .usage("\(Setting.taskSequence) \(last.file)@\(fmt(last.time)): the switch is not before \(Setting.endTime) \(fmt(tEnd))")
        }
    }
}

/// `--t-end`, `--samples`: the times at which a flow's rows are written (simulate, analytic).
public struct SamplingChoice: Sendable, Equatable {
    /// nil: the start time plus the dataset's suggested horizon (``RunSetup/horizon``).
    public var tEnd: Double?
    public var samples: Int?

    public static let defaultSamples = 200

    public init(tEnd: Double? = nil, samples: Int? = nil) { (self.tEnd, self.samples) = (tEnd, samples) }

    /// The most rows a flow writes, less one: 2⁵³, so that every row index is an exact Double.
    public static let largestSamples = 1 << 53

    public func validate() throws(LinflowError) {
        if let tEnd, !tEnd.isFinite { throw .usage("\(Setting.endTime) must be a finite number, got \(tEnd)") }
        if let samples, samples < 1 { throw .usage("\(Setting.samples) must be at least 1, got \(samples)") }
        // Row indices are exact in a Double up to 2^53; no run writes more rows than that.
        if let samples, samples > Self.largestSamples {
            throw .usage("\(Setting.samples) must be at most \(Self.largestSamples), got \(samples)")
        }
    }
}

/// `--diagnostics`, `--modes`, `--kernel-distance`: the columns after the weights (simulate,
/// descend, analytic).
public struct ColumnChoice: Sendable, Equatable {
    public var diagnostics: TrajectoryLayout.Diagnostics = .all
    public var modes = false
    /// The column kernel_distance (``KernelDistance``), against the run's first row.
    public var kernelDistance = false

    public init(diagnostics: TrajectoryLayout.Diagnostics = .all, modes: Bool = false, kernelDistance: Bool = false) {
        (self.diagnostics, self.modes, self.kernelDistance) = (diagnostics, modes, kernelDistance)
    }
}

/// `--lr`, `--steps`, `--every` and, for `descend`, `--batch-size`, `--shuffle-seed`,
/// `--momentum`, `--[no-]sharpness`.
public struct DescentChoice: Sendable, Equatable {
    public var learningRate: Double?
    /// Steps of this run; nil: ⌈H/η⌉ with H the horizon `simulate` uses, so both cover the same time.
    public var steps: Int?
    /// nil: max(1, K/200), about as many rows as `simulate` writes by default.
    public var every: Int?
    /// nil: full batch.
    public var batchSize: Int?
    /// nil: --seed (or its default).
    public var shuffleSeed: UInt64?
    public var momentum: Double?
    /// Estimate the sharpness at every written row (the `sharpness` column). Off: estimated once,
    /// at the start, for the stability warning only; no column. Each estimate costs tens of
    /// Hessian-vector products, which dominates descent on large networks.
    public var trackSharpness = true

    public static let defaultLearningRate = 0.1

    public init(learningRate: Double? = nil, steps: Int? = nil, every: Int? = nil, batchSize: Int? = nil,
                shuffleSeed: UInt64? = nil, momentum: Double? = nil, trackSharpness: Bool = true) {
        (self.learningRate, self.steps, self.every) = (learningRate, steps, every)
        (self.batchSize, self.shuffleSeed, self.momentum, self.trackSharpness) = (batchSize, shuffleSeed, momentum, trackSharpness)
    }

    public var schedule: DescentSchedule {
        DescentSchedule(learningRate: learningRate ?? Self.defaultLearningRate, steps: steps, every: every)
    }

    public func validate() throws(LinflowError) {
        do { try schedule.validate() } catch let e as LinflowError { throw e } catch { throw .usage("\(error)") }
        if let batchSize, batchSize < 1 { throw .usage("\(Setting.batchSize) must be at least 1, got \(batchSize)") }
        if let shuffleSeed { try GaussianSource.check(seed: shuffleSeed, of: .shuffleSeed) }
        if shuffleSeed != nil && batchSize == nil {
            throw .usage("\(Setting.shuffleSeed) goes with \(Setting.batchSize): full-batch descent draws no batches")
        }
        if let momentum, !(momentum >= 0 && momentum < 1) {
            throw .usage("\(Setting.momentum) must be at least 0 and below 1, got \(momentum)")
        }
    }
}

/// `analytic`'s own choices.
public struct AnalyticChoice: Sendable, Equatable {
    public var form: ClosedFormKind = .auto
    /// Also integrate the flow numerically, to measure learning times and the deviation.
    public var check = true

    public init(form: ClosedFormKind = .auto, check: Bool = true) { (self.form, self.check) = (form, check) }
}

extension IntegrationChoice {
    /// The integrator these choices ask for, for `system` from `start` at `time`: the one place
    /// a run's integrator is built (simulate, and compare's two flows).
    public func integrator(_ system: ODESystem, from start: Weights, at time: Double,
                           for command: RunCommand) throws -> ODEIntegrator {
        let t = tolerances(for: command)
        return try ODEIntegrator(system: system, initialState: start.flat, startTime: time, method: method,
                                 relativeTolerance: t.relative, absoluteTolerance: t.absolute,
                                 errorNorm: errorNorm, maxSteps: maxSteps)
    }
}
