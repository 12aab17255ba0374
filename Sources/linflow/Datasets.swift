import ArgumentParser
import LinFlowNumerics
import LinFlowIO
import LinFlowPlot
import LinFlowRuns
import LinFlowSweep

/// `datasets teacher`'s options (``TeacherChoice``); refused with any other name.
struct TeacherOptions: ParsableArguments {
    @Option(name: .customLong("input-dim"), parsing: .unconditional, help: ArgumentHelp(
        "teacher: inputs n (default \(TeacherChoice.defaultInputs)).", valueName: "n"))
    var inputs: Int?

    @Option(name: .customLong("output-dim"), parsing: .unconditional, help: ArgumentHelp(
        "teacher: outputs m (default \(TeacherChoice.defaultOutputs)).", valueName: "m"))
    var outputs: Int?

    @Option(name: .customLong("singular-values"), help: ArgumentHelp(
        "teacher: the singular values of the teacher map, comma-separated (at most min(m, n); default: --rank values of --scale).",
        valueName: "s1,s2,…"), transform: parsed { try numberList($0, .teacherSingularValues) })
    var singularValues: [Double]?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp(
        "teacher: the teacher map's rank r (default min(m, n)), each singular value --scale.", valueName: "r"))
    var rank: Int?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp(
        "teacher: the teacher map's singular values with --rank (default \(helpNumber(TeacherChoice.defaultScale))).", valueName: "s"))
    var scale: Double?

    @Option(name: .customLong("input-spectrum"), help: ArgumentHelp(
        "teacher: the variance of each of the n inputs, comma-separated (default: all 1, x ~ N(0, I)).",
        valueName: "v1,…,vn"), transform: parsed { try numberList($0, .inputSpectrum) })
    var inputSpectrum: [Double]?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp(
        "teacher: the standard deviation σ of the label noise, y = W̄x + σε (default \(helpNumber(TeacherChoice.defaultNoise))).", valueName: "σ"))
    var noise: Double?

    @Option(name: .customLong("train-samples"), parsing: .unconditional, help: ArgumentHelp(
        "teacher: training samples (default \(TeacherChoice.defaultTrainSamples)).", valueName: "N"))
    var trainSamples: Int?

    @Option(name: .customLong("test-samples"), parsing: .unconditional, help: ArgumentHelp(
        "teacher: test samples (default \(TeacherChoice.defaultTestSamples)).", valueName: "N"))
    var testSamples: Int?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp(
        "teacher: seed of the teacher and the samples (default \(TeacherChoice.defaultSeed)).", valueName: "S"))
    var seed: UInt64?

    var choice: TeacherChoice {
        var c = TeacherChoice()
        (c.inputs, c.outputs, c.singularValues, c.rank, c.scale) = (inputs, outputs, singularValues, rank, scale)
        (c.inputSpectrum, c.noise, c.trainSamples, c.testSamples, c.seed) = (inputSpectrum, noise, trainSamples, testSamples, seed)
        return c
    }
}

extension Linflow {
    struct Datasets: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the built-in datasets, write one out as CSV, or generate teacher–student data.",
            discussion: """
                With a name, writes that dataset (header, inputs then outputs) to --out or stdout. \
                With the name teacher, draws a teacher–student task (x ~ N(0, I), y = W̄x + σε with \
                W̄ of the given singular values and random singular vectors) and writes four CSV \
                files: NAME.csv (training samples, columns x1…xn, y1…ym), NAME-test.csv, \
                NAME-teacher.csv (W̄) and NAME-singular-values.csv; the same seed gives the same \
                bytes. See docs/generalisation.md.

                Example: linflow datasets hierarchy -o hierarchy.csv
                Example: linflow datasets teacher --input-dim 50 --output-dim 10 --rank 3 --noise 0.5 -o task.csv
                """)

        @Argument(help: "The dataset to write (or teacher, to generate one); omit to list them.")
        var name: String?

        @Option(name: [.short, .long], help: ArgumentHelp("Output CSV (default: stdout; teacher: required, NAME.csv).", valueName: "file"))
        var out: String?

        @OptionGroup(title: "Teacher–student data (with the name teacher)") var teacher: TeacherOptions

        static let teacherName = "teacher"

        func validate() throws {
            do {
                guard name == Self.teacherName else {
                    if !teacher.choice.isEmpty {
                        throw LinflowError.usage("the teacher options (\(Setting.teacherInputs), \(Setting.noise), …) apply to linflow datasets \(Self.teacherName) only")
                    }
                    return
                }
                try teacher.choice.validate()
                guard let out else {
                    throw LinflowError.usage("linflow datasets \(Self.teacherName) writes four files; name the training file with \(Setting.output) NAME.csv")
                }
                var files = FilePlan()
                for f in try TeacherFiles(output: out).all { files.writes(f.path, as: "\(f.what) \(f.path)") }
                try files.check()
            } catch { throw ValidationError(rendered(error)) }
        }

        func run() throws {
            try runReportingErrors {
                guard let name else {
                    for d in BuiltinDataset.all {
                        print("\(d.name.padding(toLength: 12, withPad: " ", startingAt: 0)) \(d.inputs) inputs, \(d.outputs) outputs, \(d.rows.count) samples (use --outputs \(d.outputs)): \(d.summary)")
                    }
                    print("\(Self.teacherName.padding(toLength: 12, withPad: " ", startingAt: 0)) generated teacher–student data, written with -o NAME.csv (see linflow datasets --help)")
                    return
                }
                if name == Self.teacherName { return try writeTeacher() }
                guard let d = BuiltinDataset.named(name) else {
                    throw LinflowError.usage("no built-in dataset named '\(name)' (there are: \(BuiltinDataset.all.map(\.name).joined(separator: ", ")); or \(Self.teacherName) to generate one)")
                }
                // The text is CSV: a name that says otherwise would be misread by the next reader.
                if let out, let dot = out.lastIndex(of: "."), !out[dot...].contains("/"),
                   [".npy", ".npz", ".h5", ".hdf5", ".json"].contains(out[dot...].lowercased()) {
                    throw LinflowError.usage("--out \(out): datasets writes CSV; give the file a .csv name")
                }
                var files = FilePlan()
                files.writes(out, as: "--out \(out ?? "")")
                try files.check()
                let file = try OutputFile(path: out)
                try file.write(d.csv)
                try file.commit()
            }
        }

        private func writeTeacher() throws {
            let choice = teacher.choice, files = try TeacherFiles(output: out!), task = choice.task
            let train = choice.trainSamples ?? TeacherChoice.defaultTrainSamples, test = choice.testSamples ?? TeacherChoice.defaultTestSamples
            try files.write(task, trainSamples: train, testSamples: test)
            printToStandardError("linflow: teacher–student task, \(task.outputs) × \(task.inputs) teacher of singular values \(task.singularValues.map(fmt).joined(separator: ", ")), noise σ = \(fmt(task.noise)): \(train) training samples → \(files.training), \(test) test samples → \(files.test); W̄ → \(files.map), its singular values → \(files.singularValues) (train with --outputs \(task.outputs) --test \(files.test))")
        }
    }
}
