import Foundation
import LinFlowNumerics
import LinFlowIO

/// One run of a sweep: its id (0, 1, …; the Slurm array index) and the exact arguments of the
/// command, to which the runner adds `-o DIR/tasks/ID/out.csv`.
public struct SweepTask: Codable, Equatable, Sendable {
    public var id: Int
    /// The grid's option values of this task, by option name.
    public var parameters: [String: String]
    public var arguments: [String]
}

/// What `linflow sweep plan` writes to `DIR/plan.json`: the command, the options every task
/// shares, the axes, and the tasks of their cartesian product.
///
/// Tasks are numbered in the order of nested loops over the axes, `--grid`s in the order given
/// and then `--zip`s, the last axis varying fastest. A task's arguments are the base options
/// followed by `--NAME=VALUE` for each of its axes' options.
public struct SweepPlan: Codable, Equatable, Sendable {
    public var command: String
    public var baseArguments: [String]
    public var axes: [SweepAxis]
    public var tasks: [SweepTask]

    enum CodingKeys: String, CodingKey {
        case command, axes, tasks
        case baseArguments = "base_arguments"
    }

    /// The commands a sweep can run: those that write one trajectory CSV and its record.
    public static let commands = ["simulate", "descend", "compare", "analytic"]

    /// The settings the sweep fixes itself (the output) or that would make tasks collide on one
    /// file, each with why; in the order a plan names them.
    static let reserved: [(setting: Setting, reason: String)] = [
        (.output, "the sweep writes each task's output to DIR/tasks/ID/out.csv"),
        // Collect reads each task's CSV and record; without the weights large tasks stay small.
        (.format, "the sweep writes each task's output as DIR/tasks/ID/out.csv (\(Setting.weightBlocks) none keeps it small)"),
        (.plot, collidingFigure), (.plotScript, collidingFigure), (.plotKind, collidingFigure),
        (.representations, "every task would write its representations into the same file; run the task alone for them"),
        (.help, doesNotRun), (.version, doesNotRun),
    ]
    private static let collidingFigure = "every task would draw into the same file; plot the tasks' out.csv afterwards"
    private static let doesNotRun = "it does not run anything"

    /// The options of the grid, in column order.
    public var parameterNames: [String] { axes.flatMap(\.options) }

    /// Grid options are passed as `--NAME=VALUE` (one word), so that a value such as -1 reaches
    /// the option's own check instead of reading as another option. `validate(command, arguments)`
    /// checks one task's options as the command would parse them; it throws an error whose
    /// description is one line naming the option.
    ///
    /// `options` tells the swept command's option names and spellings (``SweptOptions``).
    public init(command: String, baseArguments: [String], axes: [SweepAxis], options: SweptOptions,
                validate: (_ command: String, _ arguments: [String]) throws -> Void) throws {
        guard Self.commands.contains(command) else {
            throw LinflowError.usage("a sweep runs one of \(Self.commands.joined(separator: ", ")) after '--', got '\(command)'")
        }
        guard !axes.isEmpty else { throw LinflowError.usage("give at least one \(Setting.grid) or \(Setting.zip)") }
        let names = axes.flatMap(\.options)
        for name in names {
            if names.filter({ $0 == name }).count > 1 { throw LinflowError.usage("--\(name) is on two axes of the grid") }
            if let setting = options.setting(name), let reason = Self.reserved.first(where: { $0.setting == setting })?.reason {
                throw LinflowError.usage("\(setting) cannot be swept: \(reason)")
            }
            if options.mentions(baseArguments, name) {
                throw LinflowError.usage("--\(name) is both swept and among the base options after '--'")
            }
        }
        for (setting, reason) in Self.reserved where options.names(setting).contains(where: { options.mentions(baseArguments, $0) }) {
            throw LinflowError.usage("\(setting) cannot be among a sweep's options: \(reason)")
        }
        self.command = command
        self.baseArguments = baseArguments
        self.axes = axes

        var points: [[(String, String)]] = [[]]
        for axis in axes {
            points = points.flatMap { head in axis.values.map { head + zip(axis.options, $0).map { ($0, $1) } } }
        }
        tasks = points.enumerated().map { id, point in
            SweepTask(id: id, parameters: Dictionary(uniqueKeysWithValues: point),
                      arguments: baseArguments + point.map { "--\($0.0)=\($0.1)" })
        }
        // Each task's options are parsed as the command would parse them: a grid of 10⁶ tasks
        // takes minutes, so a terminal sees how far it is.
        let progress = Progress(label: "linflow sweep plan")
        defer { progress.finish() }
        for (k, task) in tasks.enumerated() {
            progress.update(fraction: Double(k) / Double(tasks.count), detail: "checking the options of task \(k + 1) of \(tasks.count)")
            do {
                try validate(command, task.arguments)
            } catch {
                throw LinflowError.usage("task \(task.id) (\(describe(task))): \(error)")
            }
        }
    }

    /// `lr=0.1 init-scale=0.001`, in the axes' order.
    public func describe(_ task: SweepTask) -> String {
        parameterNames.map { "\($0)=\(task.parameters[$0] ?? "")" }.joined(separator: " ")
    }

    /// The plan as written to plan.json: sorted keys, so the same plan is the same bytes.
    public func data() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var d = try encoder.encode(self)
        d.append(0x0A)
        return d
    }

    /// Task ids as a run is given them: `7`, or a chunk `4,5,6` (each listed once).
    public static func parseTaskIDs(_ text: String) throws -> [Int] {
        var ids: [Int] = []
        for word in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let id = Int(word), id >= 0 else {
                throw LinflowError.usage("\(Setting.task) takes task ids separated by commas, e.g. 7 or 4,5,6, got '\(text)'")
            }
            guard !ids.contains(id) else { throw LinflowError.usage("\(Setting.task) lists task \(id) twice") }
            ids.append(id)
        }
        return ids
    }

    public static func read(directory: String) throws -> SweepPlan {
        let path = SweepDirectory(directory).planPath
        guard let data = FileManager.default.contents(atPath: path) else {
            if FileManager.default.fileExists(atPath: directory) {
                throw LinflowError.noInput("\(path): no sweep plan here (make one with linflow sweep plan \(directory) …)")
            }
            throw LinflowError.noInput("\(directory): No such directory")
        }
        do {
            return try JSONDecoder().decode(SweepPlan.self, from: data)
        } catch DecodingError.dataCorrupted where (try? JSONSerialization.jsonObject(with: data)) == nil {
            throw LinflowError.data("\(path): not valid JSON (\(data.isEmpty ? "the file is empty" : "cut short or edited?")); linflow sweep plan writes it anew")
        } catch DecodingError.keyNotFound(let key, _) {
            throw LinflowError.data("\(path): not a sweep plan written by linflow (no '\(key.stringValue)')")
        } catch {
            throw LinflowError.data("\(path): not a sweep plan written by linflow (a field has the wrong type)")
        }
    }

    /// Writes plan.json into `directory` (created if needed). The same plan again changes
    /// nothing (returns false); a different plan already there is refused, since its tasks'
    /// results would be mixed with this one's.
    @discardableResult
    public func write(to directory: String) throws -> Bool {
        let dir = SweepDirectory(directory)
        let bytes = try data()
        if let existing = FileManager.default.contents(atPath: dir.planPath) {
            if existing == bytes { return false }
            throw LinflowError.usage("\(dir.planPath) holds a different plan; give another directory (or remove \(directory) to start over)")
        }
        do {
            try FileManager.default.createDirectory(atPath: dir.tasksPath, withIntermediateDirectories: true)
        } catch {
            throw LinflowError.cannotCreate("\(dir.tasksPath): \(error.localizedDescription)")
        }
        let file = try OutputFile(path: dir.planPath)
        try file.write(String(decoding: bytes, as: UTF8.self))
        try file.commit()
        return true
    }
}
