import Foundation
import Testing

/// Every option of every subcommand, each with its effect in that command's output (columns,
/// values, the record, stderr) or its refusal. The options come from the built executable's own
/// description (`--experimental-dump-help`), so a new option without a row here fails.
@Suite(.serialized) struct OptionTableTests {
    enum Check {
        /// The output's bytes differ from the command's baseline run.
        case changesOutput
        /// The output's bytes differ from those of the baseline with these other arguments.
        case differsFrom([String])
        case column(String)
        case noColumn(String)
        /// The run record (OUT.json) contains this text.
        case record(String)
        case stderr(String)
        /// Exit 64 with one line on stderr containing this text.
        case refused(String)
        /// Exit status and a text on stderr.
        case fails(Int32, String)
        /// The file (relative to the run's directory) is written and contains the text.
        case file(String, containing: String)
        /// The file that the run writes differs from the one the baseline writes.
        case changesOutputFile(String)
        /// Text in stderr or in the table (stats prints its report to stdout).
        case stderrOrOutput(String)
    }

    struct Row: CustomStringConvertible {
        let command: String
        let option: String
        let arguments: [String]
        let check: Check
        var description: String { "\(command) \(option): \(arguments.joined(separator: " "))" }
    }

    /// Small runs, so that the table runs in seconds.
    static let baselines: [String: [String]] = [
        "simulate": ["simulate", "--samples", "4", "--t-end", "5"],
        "descend": ["descend", "--steps", "6", "--every", "2"],
        "compare": ["compare", "--steps", "6", "--every", "2"],
        "analytic": ["analytic", "--samples", "4", "--t-end", "5"],
        "theory": ["theory", "--input-dim", "20", "--output-dim", "5", "--train-samples", "40", "--singular-values", "3", "--samples", "4"],
        "stats": ["stats"],
        "datasets": ["datasets", "hierarchy"],
        "plot": ["plot", "run.csv", "--script", "p.gp"],
        "rerun": ["rerun", "run.csv.json"],
        "export": ["export", "run.h5", "--columns", "t"],
    ]

    /// Whether the command writes its table to `-o out.csv` in every row (else stdout is compared).
    static let writesFile: Set<String> = ["simulate", "descend", "compare", "analytic", "theory", "datasets", "rerun"]

    static let rows: [Row] = {
        var rows: [Row] = []
        func add(_ commands: [String], _ option: String, _ arguments: [String], _ check: Check) {
            rows += commands.map { Row(command: $0, option: option, arguments: arguments, check: check) }
        }
        let flows = ["simulate", "descend", "compare", "analytic"]
        let trajectories = ["simulate", "descend", "analytic"]
        let integrated = ["simulate", "compare"]

        // Data.
        add(flows, "--data", ["--data", "h.csv", "--outputs", "15"], .record("\"role\" : \"data\""))
        add(["stats"], "--data", ["--data", "h.csv", "--outputs", "15"], .changesOutput)
        add(flows + ["stats"], "--outputs", ["--data", "h.csv", "--outputs", "15"], .record("\"outputs\" : 15"))
        rows.removeLast()
        add(["stats"], "--outputs", ["--data", "h.csv", "--outputs", "14"], .changesOutput)
        add(flows + ["stats"], "--outputs", ["--outputs", "3"], .refused("--outputs applies to a --data file"))
        let h = ["--data", "h.csv", "--outputs", "15"]
        add(flows + ["stats"], "--inputs", h + ["--inputs", "goldfish,tuna,rose,oak"], .differsFrom(h))
        add(flows + ["stats"], "--inputs", ["--inputs", "2"], .refused("--inputs applies to a --data file"))
        add(flows + ["stats"], "--header", h + ["--header", "no"], .fails(65, "is not a number"))
        add(flows + ["stats"], "--delimiter", h + ["--delimiter", "semicolon"], .fails(65, "has 1 column"))
        add(["simulate", "descend", "compare", "stats"], "--dataset", ["--dataset", "seed-affine"], .changesOutput)
        add(["analytic"], "--dataset", ["--dataset", "seed-affine"], .fails(65, "need whitened inputs"))

        // Held-out data (h.csv is its own test file here: test_loss is then the loss).
        add(flows, "--test", h + ["--test", "h.csv"], .record("\"role\" : \"test\""))
        add(flows, "--test", ["--test", "h.csv"], .refused("--test needs a --data file"))
        add(["simulate", "descend", "compare"], "--test-fraction", h + ["--test-fraction", "0.5"], .record("\"held_out\""))
        add(flows, "--test-fraction", h + ["--test-fraction", "1"], .refused("--test-fraction must lie strictly between 0 and 1"))
        add(flows, "--test-fraction", h + ["--test-fraction", "0.5", "--test", "h.csv"], .refused("give either --test or --test-fraction"))
        add(["simulate", "descend", "compare"], "--split-seed", h + ["--test-fraction", "0.5", "--split-seed", "3"],
            .differsFrom(h + ["--test-fraction", "0.5"]))
        add(flows, "--split-seed", h + ["--split-seed", "3"], .refused("--split-seed goes with --test-fraction"))

        // The teacher–student generator (`datasets teacher`; refused with another name).
        let teacher: [(String, [String], [String])] = [
            ("--input-dim", ["--input-dim", "3"], []), ("--output-dim", ["--output-dim", "2"], []),
            ("--singular-values", ["--singular-values", "2,1"], []), ("--rank", ["--rank", "2"], []),
            ("--scale", ["--scale", "3"], []), ("--input-spectrum", ["--input-dim", "2", "--input-spectrum", "1,4"], ["--input-dim", "2"]),
            ("--noise", ["--noise", "0.5"], []), ("--train-samples", ["--train-samples", "7"], []),
            ("--test-samples", ["--test-samples", "7"], []), ("--seed", ["--seed", "2"], []),
        ]
        for (option, arguments, base) in teacher {
            add(["datasets"], option, ["teacher"] + arguments, .differsFrom(["teacher"] + base))
        }
        add(["datasets"], "--noise", ["--noise", "0.5"], .refused("apply to linflow datasets teacher only"))
        add(["datasets"], "--rank", ["teacher", "--rank", "9"], .refused("--rank must be between 1 and min(--output-dim, --input-dim) = 5"))

        // Network and start.
        add(flows, "--hidden", ["--hidden", "3", "--init", "balanced"], .record("\"sizes\" : [\n      8,\n      3,\n      15"))
        add(flows, "--layers", ["--layers", "8,4,4,15"], .record("\"sizes\" : [\n      8,\n      4,\n      4,\n      15"))
        add(["simulate", "descend"], "--bias", ["--bias"], .column("b21_1"))
        add(["compare"], "--bias", ["--bias"], .record("\"bias\" : true"))
        // analytic does not take --bias (the closed forms have none): the parser refuses it, as the
        // golden error-analytic_bias.txt shows.
        add(["stats"], "--bias", ["--bias"], .stderrOrOutput("intercept"))
        add(["simulate", "descend", "compare"], "--init", ["--init", "aligned"], .record("\"kind\" : \"aligned\""))
        add(["analytic"], "--init", ["--init", "balanced", "--init-scale", "0.01"], .stderr("Braun et al."))
        add(flows, "--init", ["--init", "run.csv", "--seed", "2"], .refused("--seed has no effect with --init"))
        add(flows, "--seed", ["--seed", "2"], .changesOutput)
        add(flows, "--init-scale", ["--init-scale", "0.01"], .changesOutput)
        add(flows, "--init-scale", ["--init-scale", "-1"], .refused("--init-scale must be a finite number >= 0"))
        add(flows, "--lambda", ["--init", "lambda-balanced", "--lambda", "-1", "--hidden", "6"], .record("\"lambda\" : -1"))
        add(flows, "--lambda", ["--lambda", "1"], .refused("--lambda applies only to --init lambda-balanced"))

        // Integration.
        add(integrated, "--method", ["--method", "rk8pd"], .record("\"method\" : \"rk8pd\""))
        add(integrated, "--method", ["--method", "dop853"], .record("\"method\" : \"dop853\""))
        add(integrated, "--method", ["--method", "ndf"], .record("\"method\" : \"ndf\""))
        add(integrated, "--rtol", ["--rtol", "1e-4"], .changesOutput)
        add(integrated, "--atol", ["--atol", "1e-3"], .changesOutput)
        add(integrated, "--error-norm", ["--error-norm", "rms"], .changesOutput)
        add(integrated, "--max-steps", ["--max-steps", "2"], .fails(3, "--max-steps 2"))
        rows.removeLast()
        add(["simulate"], "--max-steps", ["--max-steps", "2"], .fails(3, "--max-steps 2"))
        add(["compare"], "--max-steps", ["--max-steps", "2"], .fails(3, "--max-steps 2"))

        // The terms of the flow beyond −∇L.
        add(flows, "--weight-decay", ["--weight-decay", "0.1"], .record("\"weight_decay\" : 0.1"))
        add(trajectories, "--weight-decay", ["--weight-decay", "0.1"], .column("objective"))
        add(flows + ["stats"], "--weight-decay", ["--weight-decay", "-1"], .refused("--weight-decay must be a finite number >= 0"))
        add(["analytic"], "--weight-decay", ["--weight-decay", "0.1", "--init", "lambda-balanced", "--lambda", "1", "--hidden", "6"],
            .fails(64, "the Riccati closed forms do not hold"))
        add(["stats"], "--weight-decay", ["--weight-decay", "0.1"], .stderrOrOutput("ridge map of the shallow problem"))
        add(flows, "--layer-rates", ["--layer-rates", "0.5,2"], .record("\"layer_rates\" : [\n      0.5,\n      2\n    ]"))
        add(["simulate", "descend", "compare"], "--layer-rates", ["--layer-rates", "0.5,2"], .changesOutput)
        add(["analytic"], "--layer-rates", ["--layer-rates", "0.5,2"], .stderr("on the time ρt, ρ = (Π r_l)^{1/L} = 1"))
        add(flows, "--layer-rates", ["--layer-rates", "1,2,3"], .refused("--layer-rates gives 3 rates for a network of 2 weight layers"))
        add(flows, "--layer-rates", ["--layer-rates", "1,0"], .refused("--layer-rates must be finite numbers > 0"))
        add(["analytic"], "--layer-rates", ["--layer-rates", "1,2", "--weight-decay", "0.1"], .fails(64, "unequal --layer-rates no closed form holds"))

        // Sequences of tasks.
        add(["simulate"], "--then", h + ["--then", "h.csv@2"], .column("loss_task2"))
        add(["analytic"], "--then", h + ["--then", "h.csv@2"], .column("loss_task2"))
        add(["simulate", "analytic"], "--then", h + ["--then", "h.csv@9"], .refused("the switch is not before --t-end 5"))
        add(["descend"], "--then", h + ["--then", "h.csv@0.2"], .column("loss_task2"))
        add(["simulate", "analytic"], "--then", h + ["--test", "h.csv", "--then", "h.csv@2:h.csv"], .column("test_loss_task2"))
        // r.csv: the hierarchy's properties reversed, another Σ31: the state at the switch is not aligned with its modes.
        add(["analytic"], "--then", h + ["--form", "modes", "--then", "r.csv@2"], .refused("--then r.csv@2: the closed form cannot go on from the state at the switch"))
        add(["descend"], "--then", h + ["--test", "h.csv", "--then", "h.csv@0.2:h.csv"], .column("test_loss_task2"))
        add(trajectories, "--then", h + ["--test-fraction", "0.25", "--then", "h.csv@0.2"], .refused("--test-fraction with --then"))
        add(trajectories, "--then", h + ["--then", "h.csv@0.2:h.csv"], .refused("FILE@T:TESTFILE needs --test"))
        add(["descend"], "--then", h + ["--then", "h.csv@0.6"], .refused("the switch is not before the descent's last step"))
        add(["compare"], "--then", h + ["--then", "h.csv@0.2"], .refused("compare takes one task"))

        // Sampling of a flow.
        add(["simulate", "analytic"], "--t-end", ["--t-end", "7"], .record("\"t_end\" : 7"))
        add(["simulate", "analytic"], "--t-end", ["--t-end", "-1"], .refused("--t-end must be a positive number"))
        add(["simulate", "analytic"], "--samples", ["--samples", "2"], .record("\"samples\" : 2"))

        // Descent.
        add(["descend", "compare"], "--lr", ["--lr", "0.05"], .record("\"lr\" : 0.05"))
        add(["descend", "compare"], "--steps", ["--steps", "3"], .record("\"steps\" : 3"))
        add(["descend", "compare"], "--every", ["--every", "3"], .record("\"every\" : 3"))
        add(["descend"], "--batch-size", ["--batch-size", "4"], .stderr("minibatches of 4"))
        add(["descend"], "--shuffle-seed", ["--batch-size", "4", "--shuffle-seed", "9"], .differsFrom(["--batch-size", "4"]))
        add(["descend"], "--shuffle-seed", ["--shuffle-seed", "9"], .refused("--shuffle-seed goes with --batch-size"))
        add(["descend"], "--momentum", ["--momentum", "0.5"], .stderr("momentum β = 0.5"))
        add(["descend"], "--sharpness", ["--sharpness"], .column("sharpness"))
        add(["descend"], "--no-sharpness", ["--no-sharpness"], .noColumn("sharpness"))

        // Columns.
        add(trajectories, "--diagnostics", ["--diagnostics", "none"], .noColumn("sv_1"))
        add(trajectories, "--modes", ["--modes"], .column("mode_1"))
        add(trajectories, "--kernel-distance", ["--kernel-distance"], .column("kernel_distance"))
        add(trajectories, "--representations", ["--representations", "rep.csv"], .file("rep.csv", containing: "t,layer,kind,i,j,value"))
        add(trajectories, "--representations", ["--dataset", "seed-affine", "--representations", "rep.csv"], .refused("needs one-hot inputs"))

        // Analytic's own.
        add(["analytic"], "--form", ["--form", "riccati"], .stderr("Braun et al."))
        add(["analytic"], "--check", ["--check"], .stderr("largest |closed form − numerical flow|"))
        add(["analytic"], "--no-check", ["--no-check"], .stderr("- (--no-check)"))

        // Theory's own: the task, the network, the rows.
        add(["theory"], "--input-dim", ["--input-dim", "30"], .record("\"inputs\" : 30"))
        add(["theory"], "--input-dim", ["--input-dim", "0"], .refused("--input-dim must be at least 1"))
        add(["theory"], "--output-dim", ["--output-dim", "4"], .record("\"outputs\" : 4"))
        add(["theory"], "--train-samples", ["--train-samples", "60"], .changesOutput)
        add(["theory"], "--train-samples", ["--train-samples", "10"], .refused("needs --train-samples >= --input-dim"))
        add(["theory"], "--singular-values", ["--singular-values", "3,2"], .changesOutput)
        add(["theory"], "--singular-values", ["--singular-values", "3,x"], .refused("--singular-values takes comma-separated numbers"))
        add(["theory"], "--noise", ["--noise", "0.5"], .changesOutput)
        add(["theory"], "--noise", ["--noise", "-1"], .refused("--noise must be a finite number >= 0"))
        add(["theory"], "--depth", ["--depth", "1"], .stderr("one layer"))
        add(["theory"], "--depth", ["--depth", "3"], .refused("--depth must be 1 or 2"))
        add(["theory"], "--hidden", ["--hidden", "40"], .record("\"hidden\" : 40"))
        add(["theory"], "--hidden", ["--hidden", "3"], .refused("--hidden must be at least min(n, m)"))
        add(["theory"], "--hidden", ["--depth", "1", "--hidden", "40"], .refused("--hidden 40 has no effect with --depth 1"))
        add(["theory"], "--init-scale", ["--init-scale", "0.01"], .changesOutput)
        add(["theory"], "--init-scale", ["--init-scale", "-1"], .refused("--init-scale must be a finite number >= 0"))
        add(["theory"], "--t-end", ["--t-end", "7"], .record("\"t_end\" : 7"))
        add(["theory"], "--t-end", ["--t-end", "-1"], .refused("--t-end must be > 0"))
        add(["theory"], "--samples", ["--samples", "2"], .record("\"intervals\" : 2"))
        add(["theory"], "--out", ["--out", "other.csv"], .file("other.csv", containing: "t,loss,test_loss"))
        add(["theory"], "--out", ["--out", "other.h5"], .refused("theory writes CSV"))

        // Output and pictures.
        add(flows + ["datasets"], "--out", ["--out", "other.csv"], .file("other.csv", containing: "t"))
        rows.removeLast()
        add(flows, "--out", ["--out", "other.csv"], .file("other.csv", containing: "t,loss"))
        add(["datasets"], "--out", ["--out", "other.csv"], .file("other.csv", containing: "goldfish,tuna"))
        add(["stats"], "--out", ["--out", "s.json"], .file("s.json", containing: "\"least_squares_map\""))
        add(["rerun"], "--out", ["--out", "other.csv"], .file("other.csv", containing: "t,loss"))
        add(flows, "--plot", ["--plot", "p.png"], .file("p.png", containing: "PNG"))
        add(["simulate", "descend", "analytic"], "--plot-kind", ["--plot", "p.png", "--plot-kind", "weights", "--plot-script", "p.gp"], .file("p.gp", containing: "W21_1_1"))
        add(["compare"], "--plot-kind", ["--plot", "p.png", "--plot-kind", "weights"], .refused("--plot-kind weights does not apply to compare"))
        add(flows, "--plot-kind", ["--plot-kind", "loss"], .refused("--plot-kind goes with --plot"))
        add(flows, "--plot-script", ["--plot", "p.png", "--plot-script", "p.gp"], .file("p.gp", containing: "set terminal"))
        add(flows, "--format", ["--out", "f.csv", "--format", "hdf5"], .file("f.csv", containing: "HDF"))
        add(trajectories, "--weights", ["--weights", "none"], .noColumn("W21_1_1"))

        // export's own (an .h5 written by the fixture's run).
        add(["export"], "--columns", ["--columns", "loss,sv_*"], .column("sv_8"))
        add(["export"], "--out", ["--out", "e.csv"], .file("e.csv", containing: "t\n0.0"))

        // plot's own, seen in its script.
        add(["plot"], "--out", ["--out", "q.png"], .file("q.png", containing: "PNG"))
        add(["plot"], "--kind", ["--kind", "weights"], .file("p.gp", containing: "W21_1_1"))
        add(["plot"], "--columns", ["--columns", "sv_2"], .file("p.gp", containing: "sv_2"))
        add(["plot"], "--label", ["--label", "firstrun"], .file("p.gp", containing: "firstrun"))
        add(["plot"], "--script", ["--script", "other.gp"], .file("other.gp", containing: "run.csv"))
        add(["plot"], "--title", ["--title", "Stages"], .file("p.gp", containing: "Stages"))
        add(["plot"], "--x-label", ["--x-label", "epochs"], .file("p.gp", containing: "epochs"))
        add(["plot"], "--y-label", ["--y-label", "strength"], .file("p.gp", containing: "strength"))
        add(["plot"], "--size", ["--size", "640,480"], .file("p.gp", containing: "640,480"))
        add(["plot"], "--log-y", ["--kind", "weights", "--log-y"], .file("p.gp", containing: "set logscale y"))
        add(["plot"], "--no-log-y", ["--no-log-y"], .changesOutputFile("p.gp"))
        let heatmap = ["--kind", "heatmap", "--x", "t", "--y", "sv_1", "--z", "loss"]
        add(["plot"], "--x", heatmap, .file("p.gp", containing: "set xlabel 't'"))
        add(["plot"], "--y", heatmap, .file("p.gp", containing: "set ylabel 'sv_1'"))
        add(["plot"], "--z", heatmap, .file("p.gp", containing: "set cblabel 'loss'"))
        add(["plot"], "--mark", heatmap + ["--mark", "imbalance"], .file("p.gp", containing: "$marks << EOD"))
        add(["plot"], "--vline", heatmap + ["--vline", "2.5:edge"], .file("p.gp", containing: "set arrow from 2.5, graph 0"))
        add(["plot"], "--z-scale", heatmap + ["--z-scale", "log"], .file("p.gp", containing: "set logscale cb"))
        add(["plot"], "--z-scale", ["--z-scale", "log"], .refused("go with --kind heatmap"))
        // run.csv has one row per (t, sv_1); HeatmapCLITests reduces cells of several rows.
        add(["plot"], "--reduce", heatmap + ["--reduce", "min"], .stderr("--reduce min: every cell has one row"))
        add(["plot"], "--reduce", ["--reduce", "mean"], .refused("go with --kind heatmap"))
        add(["plot"], "--max-curves", ["--kind", "weights", "--max-curves", "1"], .changesOutputFile("p.gp"))
        return rows
    }()

    /// Where every row runs: the hierarchy data as a file, a finished run and its record.
    static let fixture: URL = {
        let dir = CLI.temporaryDirectory()
        _ = try? CLI.run(["datasets", "hierarchy", "-o", "h.csv"], in: dir)
        if let h = try? String(contentsOf: dir.appendingPathComponent("h.csv"), encoding: .utf8) {
            let reversed = h.split(separator: "\n").map { line in
                let cells = line.split(separator: ",", omittingEmptySubsequences: false)
                return (cells.prefix(8) + cells.dropFirst(8).reversed()).joined(separator: ",")
            }
            try? (reversed.joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent("r.csv"), atomically: true, encoding: .utf8)
        }
        _ = try? CLI.run(["simulate", "--samples", "4", "--t-end", "5", "-o", "run.csv"], in: dir)
        _ = try? CLI.run(["simulate", "--samples", "4", "--t-end", "5", "-o", "run.h5"], in: dir)
        return dir
    }()

    /// What a run leaves: status, stderr, and the bytes of its table (file or stdout).
    static func outcome(_ arguments: [String], command: String, in dir: URL) throws -> (CLI.Result, Data) {
        let ownsOutput = arguments.contains("--out") || arguments.contains("-o")
        let useFile = writesFile.contains(command) && !ownsOutput
        let out = dir.appendingPathComponent("out.csv")
        try? FileManager.default.removeItem(at: out)
        try? FileManager.default.removeItem(at: dir.appendingPathComponent("out.csv.json"))
        let r = try CLI.run(arguments + (useFile ? ["-o", "out.csv"] : []), in: dir)
        let table = useFile ? (FileManager.default.contents(atPath: out.path) ?? Data()) : r.stdoutData
        return (r, table)
    }

    /// Every (command, option) the executable accepts, from its own description.
    static func acceptedOptions() throws -> Set<String> {
        var all = Set<String>()
        for command in baselines.keys {
            let r = try CLI.run([command, "--experimental-dump-help"])
            let json = try JSONSerialization.jsonObject(with: r.stdoutData) as! [String: Any]
            let arguments = (json["command"] as! [String: Any])["arguments"] as? [[String: Any]] ?? []
            for a in arguments where (a["kind"] as? String) != "positional" {
                // By kind, not length: plot's --x, --y, --z are long options of one letter.
                let names = (a["names"] as? [[String: Any]] ?? []).filter { $0["kind"] as? String == "long" }.compactMap { $0["name"] as? String }
                guard let long = names.first, !["help", "version"].contains(long) else { continue }
                all.insert("\(command) --\(long)")
            }
        }
        return all
    }

    @Test func everyAcceptedOptionHasARow() throws {
        let accepted = try Self.acceptedOptions()
        let covered = Set(Self.rows.map { "\($0.command) \($0.option)" })
        #expect(accepted.subtracting(covered).sorted() == [], "options without a row")
        #expect(covered.subtracting(accepted).sorted() == [], "rows for options the command does not take")
        print("option × command table: \(accepted.count) accepted options, \(Self.rows.count) rows")
    }

    @Test(arguments: rows) func optionHasItsEffectOrIsRefused(row: Row) throws {
        let dir = Self.fixture
        // The row's option replaces the baseline's own value of it (an option given twice is refused).
        var base = Self.baselines[row.command]!
        // `datasets teacher` replaces the built-in dataset of the baseline.
        if row.arguments.first == "teacher" { base = ["datasets"] }
        if let name = row.arguments.first, name.hasPrefix("--"), let i = base.firstIndex(of: name) { base.removeSubrange(i...(i + 1)) }
        let (r, table) = try Self.outcome(base + row.arguments, command: row.command, in: dir)
        func baseline(_ extra: [String] = []) throws -> Data { try Self.outcome(base + extra, command: row.command, in: dir).1 }
        switch row.check {
        case .refused(let text):
            #expect(r.status == 64, "\(row): \(r.stderr)")
            #expect(r.stderr.contains(text), "\(row): \(r.stderr)")
            #expect(r.stderr.split(separator: "\n").count == 1)
            return
        case .fails(let status, let text):
            #expect(r.status == status && r.stderr.contains(text), "\(row): \(r.status) \(r.stderr)")
            return
        default:
            #expect(r.status == 0, "\(row): \(r.stderr)")
        }
        let header = String(decoding: table.prefix { $0 != 0x0A }, as: UTF8.self).split(separator: ",").map(String.init)
        switch row.check {
        case .changesOutput: #expect(table != (try baseline()), "\(row)")
        case .differsFrom(let other): #expect(table != (try baseline(other)), "\(row)")
        case .column(let c): #expect(header.contains(c), "\(row): \(header.suffix(4))")
        case .noColumn(let c): #expect(!header.contains(c) && header.contains("t"), "\(row)")
        case .record(let text):
            let record = try String(contentsOf: dir.appendingPathComponent("out.csv.json"), encoding: .utf8)
            #expect(record.contains(text), "\(row)")
        case .stderr(let text): #expect(r.stderr.contains(text), "\(row): \(r.stderr)")
        case .stderrOrOutput(let text):
            #expect(r.stderr.contains(text) || String(decoding: table, as: UTF8.self).contains(text), "\(row)")
        case .file(let name, let text):
            let data = FileManager.default.contents(atPath: dir.appendingPathComponent(name).path) ?? Data()
            #expect(String(decoding: data, as: UTF8.self).contains(text) || data.range(of: Data(text.utf8)) != nil, "\(row)")
            try? FileManager.default.removeItem(at: dir.appendingPathComponent(name))
        case .changesOutputFile(let name):
            let path = dir.appendingPathComponent(name).path
            let with = FileManager.default.contents(atPath: path)
            _ = try Self.outcome(base, command: row.command, in: dir)
            #expect(with != nil && with != FileManager.default.contents(atPath: path), "\(row)")
        case .refused, .fails: break
        }
    }
}


extension OptionTableTests {
    /// docs/cli.md's table of options × commands is the executable's own.
    @Test func docsTableMatchesTheExecutable() throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../docs/cli.md").standardizedFileURL
        let text = try String(contentsOf: docs, encoding: .utf8)
        let start = try #require(text.range(of: "<!-- options-table -->\n"))
        let end = try #require(text.range(of: "<!-- /options-table -->"))
        let lines = text[start.upperBound..<end.lowerBound].split(separator: "\n")
        let commands = lines[0].split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }.dropFirst()
        var documented = Set<String>()
        for line in lines.dropFirst(2) {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast()
                .map { $0.trimmingCharacters(in: .whitespaces) }
            let option = cells[0].trimmingCharacters(in: CharacterSet(charactersIn: "`"))
            for (command, cell) in zip(commands, cells.dropFirst()) where cell == "✓" { documented.insert("\(command) \(option)") }
        }
        #expect(documented == (try Self.acceptedOptions()), "regenerate with python3 scripts/docs/options_table.py")
    }
}

extension OptionTableTests {
    static let sweepCommands = ["sweep plan", "sweep run", "sweep slurm", "sweep status", "sweep collect"]

    /// The sweep's subcommands, like the others: each option they accept has its effect here.
    /// (`--submit` meets no Slurm during `swift test` and must say that sbatch refused; CI's
    /// scripts/ci/test_sweep_slurm.sh submits to a real one.)
    static let sweepRows: [(command: String, option: String, arguments: [String], check: @Sendable (CLI.Result, URL) throws -> Void)] = [
        ("sweep plan", "--grid", ["sweep", "plan", "g", "--grid", "lr=0.1,0.2", "--", "descend", "--steps", "3"], { r, dir in
            #expect(r.status == 0 && r.stderr.contains("2 tasks"), "\(r.stderr)")
        }),
        ("sweep plan", "--zip", ["sweep", "plan", "z", "--zip", "lr=0.1,0.2,seed=1,2", "--", "descend", "--steps", "3"], { r, dir in
            // Zipped values move together: two tasks, not four.
            let plan = try String(contentsOf: dir.appendingPathComponent("z/plan.json"), encoding: .utf8)
            #expect(r.status == 0 && plan.contains("seed") && r.stderr.contains("2 tasks"), "\(r.stderr)")
        }),
        ("sweep run", "--task", ["sweep", "run", "sw", "--task", "1"], { r, dir in
            let tasks = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("sw/tasks").path)
            #expect(r.status == 0 && tasks.contains("1") && !tasks.contains("0"), "\(tasks)")
        }),
        ("sweep run", "--jobs", ["sweep", "run", "sw", "--jobs", "1"], { r, _ in
            #expect(r.status == 0 && r.stderr.contains("1 at a time"), "\(r.stderr)")
        }),
        ("sweep run", "--isolate", ["sweep", "run", "is", "--isolate"], { r, dir in
            let log = try String(contentsOf: dir.appendingPathComponent("is/tasks/0/log"), encoding: .utf8)
            #expect(r.status == 0 && r.stderr.contains("each in its own process") && log.contains("gradient descent"), "\(r.stderr)")
        }),
        ("sweep slurm", "--array-limit", ["sweep", "slurm", "sl", "--array-limit", "1"], { r, dir in
            let script = try String(contentsOf: dir.appendingPathComponent("sl/sweep.sbatch"), encoding: .utf8)
            #expect(r.status == 0 && script.contains("#SBATCH --array=0-1%1"))
        }),
        ("sweep slurm", "--tasks-per-job", ["sweep", "slurm", "tp", "--tasks-per-job", "2"], { r, dir in
            let script = try String(contentsOf: dir.appendingPathComponent("tp/sweep.sbatch"), encoding: .utf8)
            #expect(r.status == 0 && script.contains("#SBATCH --array=0\n") && script.contains("chunks=(0,1)"), "\(script)")
        }),
        ("sweep slurm", "--sbatch-option", ["sweep", "slurm", "sl", "--sbatch-option=--partition=x"], { r, dir in
            let script = try String(contentsOf: dir.appendingPathComponent("sl/sweep.sbatch"), encoding: .utf8)
            #expect(r.status == 0 && script.contains("#SBATCH --partition=x"))
        }),
        ("sweep slurm", "--submit", ["sweep", "slurm", "sl", "--submit"], { r, _ in
            #expect(r.status != 0 && r.stderr.contains("sbatch"), "\(r.stderr)")
        }),
        ("sweep collect", "--out", ["sweep", "collect", "sw", "--out", "s.csv"], { r, dir in
            let summary = try String(contentsOf: dir.appendingPathComponent("s.csv"), encoding: .utf8)
            #expect(r.status == 0 && summary.hasPrefix("task,lr,status,final_loss"))
        }),
    ]

    @Test func everySweepOptionHasItsEffect() throws {
        var accepted = Set<String>()
        for command in Self.sweepCommands {
            let r = try CLI.run(command.split(separator: " ").map(String.init) + ["--experimental-dump-help"])
            let json = try JSONSerialization.jsonObject(with: r.stdoutData) as! [String: Any]
            for a in (json["command"] as! [String: Any])["arguments"] as? [[String: Any]] ?? [] where (a["kind"] as? String) != "positional" {
                let names = (a["names"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
                guard let long = names.first(where: { $0.count > 1 }), !["help", "version"].contains(long) else { continue }
                accepted.insert("\(command) --\(long)")
            }
        }
        #expect(accepted == Set(Self.sweepRows.map { "\($0.command) \($0.option)" }), "sweep options without a row")

        let dir = CLI.temporaryDirectory()
        for plan in ["sw", "sl", "is", "tp"] {
            #expect(try CLI.run(["sweep", "plan", plan, "--grid", "lr=0.1,0.2", "--", "descend", "--steps", "3", "--no-sharpness"], in: dir).status == 0)
        }
        for row in Self.sweepRows {
            try row.check(try CLI.run(row.arguments, in: dir), dir)
        }
    }
}
