import ArgumentParser
import LinFlowNumerics
import LinFlowIO
import LinFlowRuns

extension Linflow {
    struct Theory: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the predicted train and test loss over time of a teacher–student task.",
            discussion: """
                Inputs x ~ N(0, I_n), targets y = W̄x + noise (standard deviation σ per output), N \
                training samples, a start of i.i.d. N(0, σ0²) entries: the expected loss and \
                test_loss of gradient flow in the limit of many inputs at fixed α = N/n. One \
                layer: Advani, Saxe & Sompolinsky (2020), Gaussian training inputs, any α. Two \
                layers: Lampinen & Ganguli (2019), whitened training inputs (α >= 1), each mode \
                of the training Σ31 learnt along Saxe et al.'s sigmoid. The columns t, loss, \
                test_loss overlay a simulated run's with linflow plot. See \
                docs/theory-generalisation.md.

                Example: linflow theory --depth 1 --input-dim 100 --output-dim 10 --train-samples 200 --singular-values 3,2 -o theory.csv
                """)

        @Option(name: .customLong("input-dim"), help: ArgumentHelp("Inputs n of the task (required).", valueName: "n"))
        var inputs: Int?

        @Option(name: .customLong("output-dim"), help: ArgumentHelp("Outputs m of the task (required).", valueName: "m"))
        var outputs: Int?

        @Option(name: .customLong("train-samples"), help: ArgumentHelp("Training samples N (required); α = N/n.", valueName: "N"))
        var trainSamples: Int?

        @Option(name: .customLong("singular-values"), help: ArgumentHelp("The teacher W̄'s non-zero singular values, e.g. 3,2 (required).", valueName: "s1,s2,…"),
                transform: parsed { try numberList($0, .teacherSingularValues) })
        var singularValues: [Double]?

        @Option(name: .long, parsing: .unconditional, help: ArgumentHelp(
            "Standard deviation σ of the noise on each output (default \(helpNumber(GeneralisationChoice.defaultNoise))).", valueName: "σ"))
        var noise: Double?

        @Option(name: .long, help: ArgumentHelp(
            "Layers of the network: 1 or 2 (default \(GeneralisationChoice.defaultDepth)).", valueName: "L"))
        var depth: Int?

        @Option(name: .long, help: ArgumentHelp("Hidden units of the two-layer network (default max(n, m)).", valueName: "H"))
        var hidden: Int?

        @Option(name: .customLong("init-scale"), parsing: .unconditional, help: ArgumentHelp(
            "Standard deviation σ0 of the start's entries, as simulate's --init random (default \(helpNumber(StartChoice.defaultScale))).", valueName: "σ0"))
        var initScale: Double?

        @Option(name: .customLong("t-end"), parsing: .unconditional, help: ArgumentHelp(
            "End time T (default \(helpNumber(GeneralisationChoice.defaultEndTime))).", valueName: "T"))
        var tEnd: Double?

        @Option(name: .long, parsing: .unconditional, help: ArgumentHelp(
            "Number of intervals M: M+1 rows from 0 to T (default \(SamplingChoice.defaultSamples)).", valueName: "M"))
        var samples: Int?

        @Option(name: [.short, .long], help: ArgumentHelp("Output CSV (default: stdout), written when complete; the record goes to FILE.json.", valueName: "file"))
        var out: String?

        var choice: GeneralisationChoice {
            var c = GeneralisationChoice()
            (c.inputs, c.outputs, c.trainSamples, c.singularValues) = (inputs, outputs, trainSamples, singularValues)
            (c.noise, c.depth, c.hidden, c.initialScale) = (noise, depth, hidden, initScale)
            (c.tEnd, c.samples) = (tEnd, samples)
            return c
        }

        /// "3,2.5": the list of numbers.
        func validate() throws {
            do { try choice.validate() } catch { throw ValidationError(rendered(error)) }
            // The table is CSV: a name that says otherwise would be misread by the next reader.
            if let out, let dot = out.lastIndex(of: "."), !out[dot...].contains("/"),
               [".npy", ".npz", ".h5", ".hdf5", ".json"].contains(out[dot...].lowercased()) {
                throw ValidationError("--out \(out): theory writes CSV; give the file a .csv name")
            }
        }

        func run() throws {
            try runReportingErrors {
                printToStandardError(try GeneralisationRun(choice, output: out, arguments: Invocation.arguments).run())
            }
        }
    }
}
