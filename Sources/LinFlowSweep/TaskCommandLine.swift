/// How the sweep starts linflow: the executable and the words of its command lines, which only
/// the executable knows how to spell (this layer names no option).
public struct TaskCommandLine: Sendable {
    /// The linflow executable (an absolute path, visible from the Slurm nodes).
    public var executable: String
    /// The words after the executable that run one task: its `command` and `arguments`, writing
    /// its trajectory to `output`.
    public var task: @Sendable (_ command: String, _ arguments: [String], _ output: String) -> [String]
    /// The words after the executable that run one Slurm array element of the sweep in
    /// `directory`; the element's task id follows them as the last word.
    public var arrayElement: @Sendable (_ directory: String) -> [String]
    /// The words after `linflow` that submit the sweep in `directory` again (for the comment at
    /// the top of the Slurm script).
    public var resubmit: @Sendable (_ directory: String) -> [String]

    public init(executable: String,
                task: @escaping @Sendable (_ command: String, _ arguments: [String], _ output: String) -> [String],
                arrayElement: @escaping @Sendable (_ directory: String) -> [String],
                resubmit: @escaping @Sendable (_ directory: String) -> [String]) {
        self.executable = executable
        self.task = task
        self.arrayElement = arrayElement
        self.resubmit = resubmit
    }
}
