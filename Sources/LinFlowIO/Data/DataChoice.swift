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
            // is not told first that it lacks the --outputs a .npz would not need.
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
