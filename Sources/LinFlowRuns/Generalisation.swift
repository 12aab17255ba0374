import Foundation
import LinFlowNumerics
import LinFlowIO

/// `linflow theory`: the task, the network and the rows of a theory of train and test error
/// (``GeneralisationTheory``). Every default is here; `validate()` refuses what the theory
/// does not cover before anything is written.
public struct GeneralisationChoice: Sendable, Equatable {
    /// n, m, N and the teacher's singular values: no defaults, the task is the user's.
    public var inputs: Int?, outputs: Int?, trainSamples: Int?
    public var singularValues: [Double]?
    /// σ per output; nil: ``defaultNoise``.
    public var noise: Double?
    /// 1 or 2; nil: ``defaultDepth``.
    public var depth: Int?
    /// Hidden units (two layers); nil: max(n, m), a hidden unit for every mode of Σ31.
    public var hidden: Int?
    /// σ0; nil: simulate's default, ``StartChoice/defaultScale``.
    public var initialScale: Double?
    public var tEnd: Double?
    public var samples: Int?

    /// The teacher generator's (`datasets teacher`), so that both describe the same task.
    public static var defaultNoise: Double { TeacherChoice.defaultNoise }
    public static let defaultDepth = 2
    /// The horizon of a run on a data file (``RunSetup/defaultHorizon``).
    public static var defaultEndTime: Double { RunSetup.defaultHorizon }

    public init() {}

    /// The theory these choices name; refuses (exit 64) a missing or bad value.
    public func theory() throws(LinflowError) -> GeneralisationTheory {
        func required<T>(_ value: T?, _ setting: Setting) throws(LinflowError) -> T {
            guard let value else { throw .usage("theory needs \(setting)") }
            return value
        }
        let task = try TeacherStudentTask(
            inputs: required(inputs, .teacherInputs), outputs: required(outputs, .teacherOutputs),
            trainSamples: required(trainSamples, .trainSamples),
            singularValues: required(singularValues, .teacherSingularValues), noise: noise ?? Self.defaultNoise)
        let network: GeneralisationNetwork
        switch depth ?? Self.defaultDepth {
        case 1:
            if let hidden { throw .usage("\(Setting.hiddenWidth) \(hidden) has no effect with \(Setting.networkDepth) 1 (one layer has no hidden units)") }
            network = .shallow
        case 2:
            let h = hidden ?? max(task.inputs, task.outputs)
            guard h >= 1 else { throw .usage("\(Setting.hiddenWidth) must be at least 1, got \(h)") }
            network = .twoLayer(hidden: h)
        case let d:
            throw .usage("\(Setting.networkDepth) must be 1 or 2 (the theories of one and of two layers), got \(d)")
        }
        return try GeneralisationTheory(task: task, network: network, initialScale: initialScale ?? StartChoice.defaultScale)
    }

    /// The row times 0 … T.
    public func rowTimes() throws(LinflowError) -> RowTimes {
        let sampling = SamplingChoice(tEnd: tEnd, samples: samples)
        try sampling.validate()
        let end = tEnd ?? Self.defaultEndTime, m = samples ?? SamplingChoice.defaultSamples
        guard end > 0 else { throw .usage("\(Setting.endTime) must be > 0 (the theory starts at t = 0), got \(fmt(end))") }
        guard end / Double(m) > 2 * end.ulp else {
            throw .usage("\(Setting.samples) \(m) rows between t = 0 and \(fmt(end)) are closer than double precision separates; ask for fewer")
        }
        return RowTimes(start: 0, end: end, intervals: m)
    }

    public func validate() throws(LinflowError) {
        _ = try theory()
        _ = try rowTimes()
    }
}

/// Writes the theory's rows `t,loss,test_loss` (the columns of a simulated run with held-out
/// data, so that `linflow plot` overlays the two) and the record beside them.
public struct GeneralisationRun {
    public let choice: GeneralisationChoice
    /// `-o`: nil or "-" for standard output.
    public let output: String?
    /// The command line, for the record.
    public let arguments: [String]

    public init(_ choice: GeneralisationChoice, output: String?, arguments: [String]) {
        (self.choice, self.output, self.arguments) = (choice, output, arguments)
    }

    /// Writes the table and the record; returns the summary for stderr.
    public func run() throws -> String {
        let theory = try choice.theory(), times = try choice.rowTimes()
        var files = FilePlan()
        files.writesTrajectory(output, as: "\(Setting.output) \(output ?? "")")
        try files.check()
        let file = try OutputFile(path: output)
        var best = (t: 0.0, test: Double.infinity), last = (train: 0.0, test: 0.0)
        do {
            // Streamed in blocks of rows: a long table never sits in memory whole.
            var text = "t,loss,test_loss\n"
            for (i, t) in times.enumerated() {
                let (train, test) = theory.losses(at: t)
                text += "\(t),\(train),\(test)\n"
                if test < best.test { best = (t, test) }
                last = (train, test)
                if i % 1024 == 1023 {
                    try file.write(text)
                    text = ""
                }
            }
            try file.write(text)
        } catch {
            file.discard()
            throw error
        }
        let task = theory.task
        let result: [String: Any] = [
            "final_loss": last.train, "final_test_loss": last.test,
            "min_test_loss": best.test, "t_min_test_loss": best.t,
            "outliers": theory.network == .shallow ? [] : theory.outliers.map {
                ["teacher": $0.teacher, "training": $0.training, "overlap": $0.overlap]
            },
        ]
        var network: [String: Any] = ["depth": theory.network.depth, "init_scale": theory.initialScale]
        if case .twoLayer(let h) = theory.network { network["hidden"] = h }
        let record = RunRecord(command: "theory", arguments: arguments, settings: [
            "task": ["inputs": task.inputs, "outputs": task.outputs, "train_samples": task.trainSamples,
                     "alpha": task.alpha, "singular_values": task.singularValues, "noise": task.noise],
            "network": network,
            "rows": ["t_end": times.end, "intervals": times.intervals],
            "result": result,
        ])
        try file.commit()
        try record.write(beside: output)
        var s = "theory (\(theory.network == .shallow ? "one layer" : "two layers")): n = \(task.inputs), m = \(task.outputs), N = \(task.trainSamples) (α = \(fmt(task.alpha))), noise σ = \(fmt(task.noise))\n"
        if theory.network != .shallow {
            let out = theory.outliers
            s += "modes of the training Σ31 outside the noise's bulk: \(out.isEmpty ? "none" : out.map { "s̄ = \(fmt($0.teacher)) → ŝ = \(fmt($0.training)), overlap \(fmt($0.overlap))" }.joined(separator: "; "))\n"
        }
        s += "test loss: lowest \(fmt(best.test)) at t = \(fmt(best.t)) (among the rows), \(fmt(last.test)) at t = \(fmt(times.end)); train loss there \(fmt(last.train))"
        return s
    }
}
