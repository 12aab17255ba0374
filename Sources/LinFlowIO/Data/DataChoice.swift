import LinFlowNumerics
/// `--data`, `--inputs`, `--outputs`, `--header`, `--delimiter`, `--dataset`: where the samples
/// come from and how to read them, as the user typed them. ``validate()`` checks them before
/// any data are read; ``source`` is the resolved ``DataSource`` (docs/cli.md, "Data files").
///
/// With a built-in dataset the column options are refused: its split is fixed. With a CSV or a
/// .npy, `--outputs` is required: nothing in a file of numbers says which columns are targets,
/// and a default of one silently trained scikit-learn's digits (64 pixels + 10 one-hot columns)
/// as a 73-input, 1-output problem. A .npz states the split by its arrays x and y.
public struct DataChoice: Sendable, Equatable {
    public var file: String?
    public var inputs: String?
    public var outputs: String?
    public var header: String?
    public var delimiter: String?
    public var dataset: String?

    public init(file: String? = nil, inputs: String? = nil, outputs: String? = nil, header: String? = nil,
                delimiter: String? = nil, dataset: String? = nil) {
        (self.file, self.inputs, self.outputs, self.header, self.delimiter, self.dataset) = (file, inputs, outputs, header, delimiter, dataset)
    }

    public func validate() throws(LinflowError) { _ = try resolve() }

    /// Valid after ``validate()``.
    public var source: DataSource { (try? resolve()) ?? .builtin(dataset ?? DataSource.defaultDataset) }

    private func resolve() throws(LinflowError) -> DataSource {
        if file != nil && dataset != nil { throw .usage("give either \(Setting.dataFile) or \(Setting.builtinDataset), not both") }
        guard let file else {
            let given = [(Setting.outputColumns, outputs), (Setting.inputColumns, inputs), (Setting.header, header), (Setting.delimiter, delimiter)]
            if let (name, _) = given.first(where: { $0.1 != nil }) {
                throw .usage("\(name) applies to a \(Setting.dataFile) file, not to the built-in dataset '\(dataset ?? DataSource.defaultDataset)' (its columns are fixed; see linflow datasets)")
            }
            return .builtin(dataset ?? DataSource.defaultDataset)
        }
        do {
            var mode = HeaderMode.auto
            if let header {
                guard let m = HeaderMode(rawValue: header) else { throw LinflowError.usage("\(Setting.header) must be auto, yes or no, got '\(header)'") }
                mode = m
            }
            let spec = DataFileSpec(path: file,
                                    inputs: try inputs.map { try ColumnSelector(argument: $0, option: .inputColumns) },
                                    outputs: try outputs.map { try ColumnSelector(argument: $0, option: .outputColumns) },
                                    header: mode, delimiter: try delimiter.map { try Delimiter(argument: $0) } ?? .comma)
            // A NumPy file under another name (read as CSV, and refused by the reader, exit 65)
            // is not told first that it lacks the output columns a .npz would not need.
            if spec.outputs == nil && spec.format != .npz && NumericCSVReader.numPyError(path: file) == nil {
                throw LinflowError.usage("\(Setting.dataFile) \(file) needs \(Setting.outputColumns): a count of trailing target columns, their names, or a glob (linflow does not guess the split)")
            }
            if spec.format != .csv && (header != nil || delimiter != nil) {
                throw LinflowError.usage("\(header != nil ? Setting.header : Setting.delimiter) applies to CSV files, not to the NumPy file \(file)")
            }
            return .file(spec)
        } catch let e as LinflowError { throw e } catch { throw .usage("\(error)") }
    }
}

/// `--test`, `--test-fraction`, `--split-seed`: the held-out samples on which a run measures its
/// test loss (docs/generalisation.md). Either a second file with the same columns as the
/// `--data` file, read with the same `--inputs`, `--outputs`, `--header` and `--delimiter`, or a
/// fraction of the `--data` file's own rows (``HeldOutSplit``), which training then leaves out.
public struct HeldOutChoice: Sendable, Equatable {
    public var file: String?
    public var fraction: Double?
    /// nil: ``defaultSplitSeed``.
    public var splitSeed: UInt64?

    public static let defaultSplitSeed: UInt64 = 1

    public init(file: String? = nil, fraction: Double? = nil, splitSeed: UInt64? = nil) {
        (self.file, self.fraction, self.splitSeed) = (file, fraction, splitSeed)
    }

    /// Whether the run has held-out samples.
    public var isEmpty: Bool { file == nil && fraction == nil }

    /// The rule that holds rows of the `--data` file out (valid after ``validate(data:)``).
    public var split: HeldOutSplit? {
        fraction.map { HeldOutSplit(fraction: $0, seed: splitSeed ?? Self.defaultSplitSeed) }
    }

    public func validate(data: DataChoice) throws(LinflowError) {
        if file != nil && fraction != nil {
            throw .usage("give either \(Setting.testFile) or \(Setting.testFraction), not both: the held-out samples are a second file or a part of \(Setting.dataFile)")
        }
        if splitSeed != nil && fraction == nil {
            throw .usage("\(Setting.splitSeed) goes with \(Setting.testFraction): without a split there is nothing to seed")
        }
        if let fraction, !(fraction > 0 && fraction < 1) {
            throw .usage("\(Setting.testFraction) must lie strictly between 0 and 1, got \(fraction)")
        }
        guard !isEmpty else { return }
        guard let dataFile = data.file else {
            throw .usage("\(file != nil ? Setting.testFile : Setting.testFraction) needs a \(Setting.dataFile) file: the built-in dataset '\(data.dataset ?? DataSource.defaultDataset)' has no held-out samples")
        }
        if let file, DataFileSpec(path: file, outputs: nil).format != DataFileSpec(path: dataFile, outputs: nil).format {
            throw .usage("\(Setting.testFile) \(file) must be a file of the kind of \(Setting.dataFile) \(dataFile) (CSV, .npy or .npz), read with the same columns")
        }
    }
}

/// `linflow datasets teacher`'s options: the shape of a teacher–student task (``TeacherTask``),
/// how many samples to draw and with which seed. ``validate()`` refuses bad values in one line.
public struct TeacherChoice: Sendable, Equatable {
    public var inputs: Int?
    public var outputs: Int?
    /// s_1, …, s_r; refused with ``rank`` or ``scale`` (which give r values all equal to the scale).
    public var singularValues: [Double]?
    public var rank: Int?
    public var scale: Double?
    /// The variance of each input; nil: all 1.
    public var inputSpectrum: [Double]?
    public var noise: Double?
    public var trainSamples: Int?
    public var testSamples: Int?
    public var seed: UInt64?

    public static let defaultInputs = 20
    public static let defaultOutputs = 5
    public static let defaultScale = 1.0
    public static let defaultNoise = 0.1
    public static let defaultTrainSamples = 100
    public static let defaultTestSamples = 1000
    public static let defaultSeed: UInt64 = 1

    public init() {}

    /// Whether any of the options was given (they apply to the teacher generator only).
    public var isEmpty: Bool { self == TeacherChoice() }

    public func validate() throws(LinflowError) {
        let n = inputs ?? Self.defaultInputs, m = outputs ?? Self.defaultOutputs
        for (value, setting) in [(n, Setting.teacherInputs), (m, .teacherOutputs)] where value < 1 {
            throw .usage("\(setting) must be at least 1, got \(value)")
        }
        for (value, setting) in [(trainSamples, Setting.trainSamples), (testSamples, .testSamples)] {
            if let value, value < 1 { throw .usage("\(setting) must be at least 1, got \(value)") }
        }
        if singularValues != nil && (rank != nil || scale != nil) {
            throw .usage("give either \(Setting.teacherSingularValues) or \(Setting.teacherRank) and \(Setting.teacherScale), not both")
        }
        if let s = singularValues {
            guard s.count <= min(m, n) else {
                throw .usage("\(Setting.teacherSingularValues) gives \(s.count) values, but a \(m) × \(n) teacher has at most \(min(m, n))")
            }
            if let bad = s.first(where: { !($0 > 0 && $0.isFinite) }) {
                throw .usage("\(Setting.teacherSingularValues) must be positive finite numbers, got \(bad)")
            }
        }
        if let rank, !(1...min(m, n)).contains(rank) {
            throw .usage("\(Setting.teacherRank) must be between 1 and min(\(Setting.teacherOutputs), \(Setting.teacherInputs)) = \(min(m, n)), got \(rank)")
        }
        if let scale, !(scale > 0 && scale.isFinite) { throw .usage("\(Setting.teacherScale) must be a positive finite number, got \(scale)") }
        if let noise, !(noise >= 0 && noise.isFinite) { throw .usage("\(Setting.noise) must be a finite number >= 0, got \(noise)") }
        if let v = inputSpectrum {
            guard v.count == n else {
                throw .usage("\(Setting.inputSpectrum) gives \(v.count) variances, one per input is \(n) (\(Setting.teacherInputs))")
            }
            if let bad = v.first(where: { !($0 > 0 && $0.isFinite) }) {
                throw .usage("\(Setting.inputSpectrum) must be positive finite variances, got \(bad)")
            }
        }
        if let seed { try GaussianSource.check(seed: seed, of: .seed) }
    }

    /// The task (valid after ``validate()``).
    public var task: TeacherTask {
        let n = inputs ?? Self.defaultInputs, m = outputs ?? Self.defaultOutputs
        let s = singularValues ?? Array(repeating: scale ?? Self.defaultScale, count: rank ?? min(m, n))
        return TeacherTask(inputs: n, outputs: m, singularValues: s, inputVariances: inputSpectrum,
                           noise: noise ?? Self.defaultNoise, seed: seed ?? Self.defaultSeed)
    }
}
