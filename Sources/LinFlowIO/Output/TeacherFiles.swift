import LinFlowNumerics

/// The four CSV files of `linflow datasets teacher -o NAME.csv` (docs/generalisation.md):
///
///     NAME.csv                     the training samples: header x1,…,xn,y1,…,ym, one sample a row
///     NAME-test.csv                the test samples, in the same columns
///     NAME-teacher.csv             W̄, m rows of n numbers, no header
///     NAME-singular-values.csv     s_1 ≥ … ≥ s_r of W̄, one a line, no header
///
/// Each is written to a temporary file and renamed into place once all four are complete, so a
/// failure leaves no half-written file (``OutputFile``).
public struct TeacherFiles: Sendable {
    public let training: String
    public let test: String
    public let map: String
    public let singularValues: String

    /// `output` must end in .csv: the files are CSV, and the others are named from its stem.
    public init(output: String) throws(LinflowError) {
        guard output.lowercased().hasSuffix(".csv"), output.count > 4, !output.hasSuffix("/.csv") else {
            throw .usage("\(Setting.output) \(output): the teacher's files are CSV; give a NAME.csv (the test file, the map and its singular values are written beside it as NAME-test.csv, NAME-teacher.csv, NAME-singular-values.csv)")
        }
        let stem = String(output.dropLast(4))
        (training, test, map, singularValues) = (output, stem + "-test.csv", stem + "-teacher.csv", stem + "-singular-values.csv")
    }

    /// The files with what each holds, for a ``FilePlan`` and the user.
    public var all: [(path: String, what: String)] {
        [(training, "the training samples"), (test, "the test samples"), (map, "the teacher map"), (singularValues, "its singular values")]
    }

    /// Draws `task`'s teacher and samples and writes the four files.
    public func write(_ task: TeacherTask, trainSamples: Int, testSamples: Int) throws {
        let header = ((1...task.inputs).map { "x\($0)" } + (1...task.outputs).map { "y\($0)" }).joined(separator: ",") + "\n"
        let trainFile = try OutputFile(path: training), testFile = try OutputFile(path: test)
        try trainFile.write(header)
        try testFile.write(header)
        let w = try task.draw(test: testSamples, train: trainSamples) { isTest, x, y in
            try (isTest ? testFile : trainFile).write(CSVRow.line(x + y))
        }
        let mapFile = try OutputFile(path: map), valuesFile = try OutputFile(path: singularValues)
        for o in 0..<w.rows { try mapFile.write(CSVRow.line((0..<w.cols).map { w[o, $0] })) }
        for s in task.singularValues { try valuesFile.write(CSVRow.line([s])) }
        for f in [trainFile, testFile, mapFile, valuesFile] { try f.commit() }
    }
}
