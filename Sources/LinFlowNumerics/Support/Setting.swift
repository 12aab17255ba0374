/// A choice a user makes about a run, a plot or a sweep, named in the library's terms.
///
/// The library never spells a command-line option: a message that needs to name the choice it
/// is about interpolates the setting (`"\(Setting.initialScale) must be ≥ 0"`), which leaves a
/// marker in the text. The `linflow` executable renders each marker as the option that sets it
/// (`--init-scale`, in its `Setting+Option.swift`); ``LinflowError/description`` and
/// ``Setting/plain(_:)`` render it as the setting's own name for any other reader.
public enum Setting: String, CaseIterable, Sendable {
    // The data.
    case dataFile, builtinDataset, inputColumns, outputColumns, header, delimiter
    // Held-out data.
    case testFile, testFraction, splitSeed
    // The teacher–student generator.
    case teacherInputs, teacherOutputs, teacherSingularValues, teacherRank, teacherScale, inputSpectrum, noise,
         trainSamples, testSamples
    // The network and its start.
    case hiddenWidth, layerSizes, bias, start, initialScale, seed, lambda
    // The flow and its integration.
    case endTime, samples, method, errorNorm, relativeTolerance, absoluteTolerance, maxSteps
    // The terms of the flow beyond −∇L.
    case weightDecay, layerRates
    // Sequences of tasks.
    case taskSequence
    // The closed forms.
    case closedForm, skipCheck
    // The theory of train and test error.
    case networkDepth
    // Descent.
    case learningRate, steps, every, batchSize, shuffleSeed, momentum, skipSharpness
    // What is written.
    case output, format, weightBlocks, diagnostics, representations
    // Figures.
    case plot, plotKind, plotScript, kind, columns, script, label, maxCurves, size, linearY,
         heatmapX, heatmapY, heatmapZ, mark, verticalLine, zScale, reduce
    // Sweeps.
    case grid, zip, jobs, task, arrayLimit, sbatchOption, submit, tasksPerJob
    // What the command line answers without running anything.
    case help, version

    static let open: Character = "\u{27E6}"  // ⟦
    static let close: Character = "\u{27E7}"  // ⟧

    /// The marker that stands for this setting inside a message.
    public var marker: String { "\(Self.open)\(rawValue)\(Self.close)" }

    /// `text` with every setting marker replaced by `name(setting)`; other text unchanged.
    public static func render(_ text: String, _ name: (Setting) -> String) -> String {
        guard text.contains(open) else { return text }
        var out = "", rest = Substring(text)
        while let start = rest.firstIndex(of: open) {
            out += rest[..<start]
            let afterOpen = rest.index(after: start)
            guard let end = rest[afterOpen...].firstIndex(of: close),
                  let setting = Setting(rawValue: String(rest[afterOpen..<end])) else {
                out.append(open)
                rest = rest[afterOpen...]
                continue
            }
            out += name(setting)
            rest = rest[rest.index(after: end)...]
        }
        return out + rest
    }

    /// `text` with its markers rendered as the settings' own names, for readers other than the
    /// command line (library users, tests of the library alone).
    public static func plain(_ text: String) -> String { render(text) { "`\($0.rawValue)`" } }
}

extension DefaultStringInterpolation {
    /// `"\(Setting.start)"`: the marker of a setting, which the executable renders as its option.
    public mutating func appendInterpolation(_ setting: Setting) {
        appendLiteral(setting.marker)
    }
}
