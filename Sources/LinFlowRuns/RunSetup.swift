import Foundation
import LinFlowNumerics
import LinFlowIO
import LinFlowPlot

/// A ``RunRequest`` resolved against its data: the correlations, the network, the start (and
/// where on the time axis it sits), and the flow that owns the loss and its derivatives.
///
/// This is the one place where options become a run; every command consumes it, so an option
/// means the same in every command that takes it. A start read from a file (`--init FILE`)
/// carries that file's last `t`: the run continues on the same time axis.
public struct RunSetup {
    public let request: RunRequest
    public let data: LoadedData
    public let architecture: Architecture
    public let initialization: Initialization
    /// θ at ``startTime``.
    public let start: Weights
    /// 0, or the `t` of the `--init` file's last row.
    public let startTime: Double
    /// The `--init` file's last rows, when the start comes from one.
    public let resume: ResumePoint?
    public let flow: GradientFlow
    /// The tasks in the order they are trained: the data from ``startTime``, then each `--then`
    /// file from its switch time (one task without `--then`).
    public let tasks: [Task]

    /// One task of a sequence: its data, its flow (the run's terms), and when training on it
    /// starts; with test files for every task, its held-out least-squares problem.
    public struct Task {
        public let start: Double
        public let data: LoadedData
        public let flow: GradientFlow
        public var test: LeastSquares? = nil
    }
    /// With held-out data: the least-squares problem of the held-out samples (their correlations,
    /// augmented like the training ones for a network with biases), whose ``LeastSquares/loss(endToEnd:)``
    /// is the `test_loss` column (``testLoss(at:)``).
    public let test: LeastSquares?
    /// The summaries' name for the held-out samples behind `test_loss`: the `--test` file or
    /// split, or with a test file per task (`FILE@T:TESTFILE`) each of them, since the column
    /// then follows the task being trained.
    public var testDescription: String? {
        guard let first = data.test else { return nil }
        guard request.tasks?.hasTests == true, tasks.count > 1 else { return first.description }
        let files = tasks.compactMap { $0.data.test?.file?.path }
        return "the test file of the task being trained (\(files.joined(separator: ", ")))"
    }
    /// Reading the data (its streaming pass) and the rest of the set-up, in seconds.
    public let dataSeconds: Double
    public let setupSeconds: Double

    /// The horizon when the dataset suggests none.
    public static let defaultHorizon = 80.0

    public init(_ request: RunRequest) throws {
        let clock = DispatchTime.now()
        try request.validate()
        self.request = request
        // In a sweep run in-process, once per distinct input for all its tasks (DataCache).
        data = try DataCache.current?.data(of: request.data.source, heldOut: request.heldOut)
            ?? request.data.source.correlations(heldOut: request.heldOut)
        dataSeconds = seconds(since: clock)
        let c = data.correlations
        initialization = try request.initialization()
        if case .file(let path) = initialization {
            let r = try WeightFile.resumePoint(path: path)
            try Self.check(r, against: request.network, inputs: c.inputs, outputs: c.outputs)
            (architecture, start, startTime, resume) = (r.weights.architecture, r.weights, r.time, r)
        } else {
            let spec = request.network.spec ?? .hidden(NetworkSpec.defaultHidden)
            architecture = try spec.architecture(inputs: c.inputs, outputs: c.outputs, bias: request.network.bias)
            try architecture.checkFitsInMemory()
            let rates = request.dynamics?.layerRates
            try FlowTerms(layerRates: rates).check(depth: architecture.depth)
            start = try initialization.weights(for: architecture, correlations: c, rates: rates)
            (startTime, resume) = (0, nil)
        }
        let terms = request.dynamics?.terms ?? FlowTerms()
        flow = try GradientFlow(architecture: architecture, correlations: c, terms: terms)
        var tasks = [Task(start: startTime, data: data, flow: flow)]
        for s in request.tasks?.switches ?? [] {
            guard s.time > startTime else {
                throw LinflowError.usage("\(Setting.taskSequence) \(s.file)@\(fmt(s.time)): the switch must come after the start, t = \(fmt(startTime))")
            }
            var choice = request.data
            choice.file = s.file
            let loaded = try choice.source.correlations(heldOut: HeldOutChoice(file: s.test))
            let t = loaded.correlations
            guard t.inputs == c.inputs, t.outputs == c.outputs else {
                throw LinflowError.data("\(s.file): \(t.inputs) inputs and \(t.outputs) outputs, but the first task has \(c.inputs) and \(c.outputs); every task of \(Setting.taskSequence) must have the same")
            }
            tasks.append(Task(start: s.time, data: loaded, flow: try GradientFlow(architecture: architecture, correlations: t, terms: terms)))
        }
        let bias = architecture.bias
        test = try data.test.map { try LeastSquares(bias ? $0.correlations.augmented() : $0.correlations) }
        if request.tasks?.hasTests == true {
            for i in tasks.indices {
                tasks[i].test = i == 0 ? test : try tasks[i].data.test.map { try LeastSquares(bias ? $0.correlations.augmented() : $0.correlations) }
            }
        }
        self.tasks = tasks
        setupSeconds = seconds(since: clock) - dataSeconds
    }

    /// A file's network must be the data's, and agree with --hidden, --layers and --bias where given.
    private static func check(_ r: ResumePoint, against network: NetworkChoice, inputs: Int, outputs: Int) throws {
        let a = r.weights.architecture, path = r.path
        guard a.inputs == inputs, a.outputs == outputs else {
            throw LinflowError.data("\(path): its weights form a \(a.description) network, but the data have \(inputs) inputs and \(outputs) outputs")
        }
        if network.bias && !a.bias {
            throw LinflowError.usage("\(path): has no bias columns (b21_1, …), but \(Setting.bias) was given")
        }
        guard let spec = network.spec else { return }
        let asked = try spec.architecture(inputs: inputs, outputs: outputs, bias: network.bias)
        if asked.sizes != a.sizes {
            throw LinflowError.usage("\(path): its weights form a \(a.description) network, but \(Setting.hiddenWidth)/\(Setting.layerSizes) ask for \(asked.description); drop them or make them match")
        }
        if a.bias && !network.bias {
            throw LinflowError.usage("\(path): its weights form a \(a.description) network (with bias columns); add \(Setting.bias), or drop \(Setting.hiddenWidth)/\(Setting.layerSizes) to take the network from the file")
        }
    }

    /// ½ E_test‖y − f(x)‖² at `weights`, computed as the `loss` column is (L*_test + the excess
    /// over it, ``LeastSquares/loss(endToEnd:)``) on the held-out samples; nil without them. NaN
    /// weights give NaN.
    public func testLoss(at weights: Weights) -> Double? {
        guard let test else { return nil }
        return Self.loss(of: test, at: weights)
    }

    /// `test_loss` of a sequence of tasks: with test files for every task, the test loss of the
    /// task being trained (``Task/test``), else ``testLoss(at:)``.
    public func testLoss(at weights: Weights, task: Int) -> Double? {
        guard let taskTest = tasks[task].test else { return testLoss(at: weights) }
        return Self.loss(of: taskTest, at: weights)
    }

    /// The columns loss_task1…loss_taskK and, with test files for every task,
    /// test_loss_task1…test_loss_taskK, at `weights`; empty for one task.
    public func taskLosses(at weights: Weights) -> [Double] {
        guard tasks.count > 1 else { return [] }
        return tasks.map { $0.flow.loss(at: weights) } + tasks.compactMap { $0.test.map { Self.loss(of: $0, at: weights) } }
    }

    private static func loss(of test: LeastSquares, at weights: Weights) -> Double {
        let (loss, excess) = test.loss(endToEnd: weights.effectiveMap)
        return excess.isNaN ? .nan : loss
    }

    /// The horizon `simulate` covers by default: the dataset's suggestion, or 80.
    public var horizon: Double { data.suggestedHorizon ?? Self.defaultHorizon }

    /// T of a flow (simulate, analytic): --t-end, or ``startTime`` + ``horizon``; after the start.
    public func endTime() throws -> Double {
        let tEnd = request.sampling?.tEnd ?? startTime + horizon
        guard tEnd > startTime else {
            let from = resume.map { " (the last t of \($0.path))" } ?? ""
            throw LinflowError.usage("\(Setting.endTime) \(fmt(tEnd)) is not after the start t = \(fmt(startTime))\(from)")
        }
        return tEnd
    }

    /// The row times t0 + (T − t0)·i/M, i = 0…M, the last exactly T.
    public func rowTimes() throws -> RowTimes {
        let tEnd = try endTime(), m = request.sampling?.samples ?? SamplingChoice.defaultSamples
        let times = RowTimes(start: startTime, end: tEnd, intervals: m)
        // Rows must be distinct times: m intervals finer than double precision resolves near
        // t-end would repeat a t.
        guard times[1] > times[0], times[m] > times[m - 1],
              (tEnd - startTime) / Double(m) > 2 * max(abs(tEnd), abs(startTime)).ulp else {
            throw LinflowError.usage("\(Setting.samples) \(m) rows between t = \(fmt(startTime)) and \(fmt(tEnd)) are closer than double precision separates; ask for fewer")
        }
        return times
    }

    /// The trajectory columns of simulate, descend and analytic.
    public func trajectoryLayout() throws -> TrajectoryLayout {
        let columns = request.columns ?? ColumnChoice()
        var layout = try TrajectoryLayout(architecture: architecture, diagnostics: columns.diagnostics,
                                          modes: columns.modes ? try ModeBasis(flow: flow) : nil,
                                          kernel: columns.kernelDistance ? try KernelDistance(start: start, correlations: data.correlations, rates: flow.terms.layerRates) : nil,
                                          weights: request.storage.weights, testLoss: test != nil)
        layout.terms = flow.terms
        layout.objective = request.dynamics?.weightDecay != nil
        layout.taskCount = tasks.count > 1 ? tasks.count : 0
        layout.taskTestLosses = tasks.count > 1 && tasks.allSatisfy { $0.test != nil }
        return layout
    }

    /// The input files whose bytes the run depends on: the data file, the test file and the `--init` file.
    public var inputFiles: [(role: String, identity: FileIdentity)] {
        (data.file.map { [("data", $0)] } ?? []) + (data.test?.file.map { [("test", $0)] } ?? [])
            + (resume.map { [("init", $0.identity)] } ?? [])
            + taskFiles
    }

    /// Each later task's file (`task2`, …) and test file (`test2`, …).
    private var taskFiles: [(role: String, identity: FileIdentity)] {
        var files: [(role: String, identity: FileIdentity)] = []
        for (k, task) in tasks.enumerated().dropFirst() {
            if let f = task.data.file { files.append(("task\(k + 1)", f)) }
            if let f = task.data.test?.file { files.append(("test\(k + 1)", f)) }
        }
        return files
    }

    /// The task being trained at time t (the last that started at or before t).
    public func task(at t: Double) -> Int { tasks.lastIndex { $0.start <= t } ?? 0 }

    /// The run record: every setting that changes the output bytes, the inputs' checksums and
    /// the figures of the result. `settings` are the command's own.
    func record(status: String, settings: [String: Any], result: [String: Any]) -> RunRecord {
        var start = initialization.record
        if let r = resume {
            start["bytes"] = r.identity.bytes
            start["sha256"] = r.identity.sha256
            start["row"] = r.row
        }
        start["t"] = startTime
        var all = settings
        if let columns = request.columns {
            all["diagnostics"] = columns.diagnostics.argument
            all["modes"] = columns.modes
            all["kernel_distance"] = columns.kernelDistance
        }
        if let dynamics = request.dynamics {
            if let γ = dynamics.weightDecay { all["weight_decay"] = γ }
            if let rates = dynamics.layerRates { all["layer_rates"] = rates }
        }
        if tasks.count > 1 {
            all["tasks"] = tasks.map { task -> [String: Any] in
                var entry: [String: Any] = ["source": task.data.file?.path ?? task.data.description, "sha256": task.data.file?.sha256 ?? "", "from_t": task.start]
                if task.test != nil, let file = (task.data.test ?? data.test)?.file { (entry["test"], entry["test_sha256"]) = (file.path, file.sha256) }
                return entry
            }
        }
        var outcome = result
        outcome["status"] = status
        outcome["loss_floor"] = flow.leastSquares.lossFloor
        var entries: [String: Any] = [
            "data": data.record,
            "network": ["sizes": architecture.sizes, "bias": architecture.bias],
            "initialization": start,
            "settings": all,
            "inputs": inputFiles.map { ["role": $0.role, "path": $0.identity.path, "sha256": $0.identity.sha256] },
            "result": outcome,
        ]
        if let test = data.test { entries["test"] = test.record }
        return RunRecord(command: request.command.rawValue, arguments: request.arguments, settings: entries)
    }
}

/// The times of a flow's rows, t_i = t0 + (t_end − t0)·i/m for i = 0…m (the last exactly
/// t_end), computed when read: a run of many rows holds none of them.
public struct RowTimes: RandomAccessCollection, Sendable {
    public let start: Double, end: Double, intervals: Int

    public var startIndex: Int { 0 }
    public var endIndex: Int { intervals + 1 }

    public subscript(i: Int) -> Double {
        i == intervals ? end : start + (end - start) * Double(i) / Double(intervals)
    }
}
