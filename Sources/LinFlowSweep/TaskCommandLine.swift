import LinFlowIO

/// How the sweep starts linflow: the executable and the words of its command lines, which only
/// the executable knows how to spell (this layer names no option), and how it runs one task in
/// this process.
public struct TaskCommandLine: Sendable {
    /// Runs one task's words (those of ``task``, without the executable) in this process, as
    /// `linflow WORDS…` would run as a process: the same parse and the same code, its messages
    /// written to `log` instead of stderr. Returns the exit status the process would have had.
    public typealias InProcess = @Sendable (_ words: [String], _ log: TaskLog) -> Int32

    /// The linflow executable (an absolute path, visible from the Slurm nodes).
    public var executable: String
    /// The words after the executable that run one task: its `command` and `arguments`, writing
    /// its trajectory to `output`.
    public var task: @Sendable (_ command: String, _ arguments: [String], _ output: String) -> [String]
    /// The words after the executable that run one Slurm array element of the sweep in
    /// `directory`: the element's tasks (a list of ids) follow them as the last word. `isolated`:
    /// each task in a process of its own, else all of them in the element's process.
    public var arrayElement: @Sendable (_ directory: String, _ isolated: Bool) -> [String]
    /// The words after `linflow` that submit the sweep in `directory` again (for the comment at
    /// the top of the Slurm script).
    public var resubmit: @Sendable (_ directory: String) -> [String]
    /// How a task runs in this process; nil: only as a process of its own.
    public var inProcess: InProcess?

    public init(executable: String,
                task: @escaping @Sendable (_ command: String, _ arguments: [String], _ output: String) -> [String],
                arrayElement: @escaping @Sendable (_ directory: String, _ isolated: Bool) -> [String],
                resubmit: @escaping @Sendable (_ directory: String) -> [String],
                inProcess: InProcess? = nil) {
        self.executable = executable
        self.task = task
        self.arrayElement = arrayElement
        self.resubmit = resubmit
        self.inProcess = inProcess
    }
}
