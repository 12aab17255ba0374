import LinFlowNumerics
import LinFlowIO
import LinFlowPlot

// DataChoice (the data file or built-in dataset and how to read it) is in LinFlowIO, Data/DataChoice.swift.

/// Everything a user asked of one run, grouped as the options are. A group that the command
/// does not take is nil; ``RunSetup`` resolves the request against the data.
public struct RunRequest: Sendable {
    public var command: RunCommand
    public var data = DataChoice()
    /// `--test`, `--test-fraction`, `--split-seed` (simulate, descend, compare, analytic).
    public var heldOut = HeldOutChoice()
    public var network = NetworkChoice()
    public var start = StartChoice()
    public var integration: IntegrationChoice?
    /// `--weight-decay`, `--layer-rates` (simulate, descend, compare, analytic).
    public var dynamics: DynamicsChoice?
    /// `--then FILE@T` (simulate, descend; compare refuses it).
    public var tasks: TaskSequenceChoice?
    public var sampling: SamplingChoice?
    public var columns: ColumnChoice?
    public var descent: DescentChoice?
    public var analytic: AnalyticChoice?
    /// nil or "-": standard output.
    public var output: String?
    /// `--format`, `--weights`: CSV or HDF5, and the weight blocks (``TrajectoryStorage``).
    public var storage = TrajectoryStorage()

    /// The command line that asked for the run, word by word, kept in its record.
    public var arguments: [String]

    public init(command: RunCommand, arguments: [String]) {
        self.command = command
        self.arguments = arguments
    }

    /// The kind of start when --init is not given: analytic's closed forms need an aligned one.
    public var defaultStartKind: String { command == .analytic ? "aligned" : "random" }

    public func initialization() throws(LinflowError) -> Initialization {
        try start.initialization(defaultKind: defaultStartKind)
    }

    /// Checks every choice and their combinations, before any data are read.
    public func validate() throws(LinflowError) {
        try data.validate()
        try heldOut.validate(data: data)
        try network.validate()
        try start.validate()
        try integration?.validate()
        try sampling?.validate()
        try descent?.validate()
        try dynamics?.validate(network: network)
        if command == .compare, let first = tasks?.switches.first {
            throw .usage("\(Setting.taskSequence) \(first.file)@\(fmt(first.time)): compare takes one task: its modified flow is a correction of one loss's gradient flow, which a switch of data breaks at O(1), not O(η); compare each task from the state at its switch (\(Setting.start) FILE of a descent's row) instead")
        }
        try tasks?.validate(data: data, heldOut: heldOut, tEnd: sampling?.tEnd)
        // From a file the start's t is known once the file is read (RunSetup checks the switch against it).
        if let first = tasks?.switches.first, !(first.time > 0) {
            if case .file = try initialization() {} else {
                throw .usage("\(Setting.taskSequence) \(first.file)@\(fmt(first.time)): the switch must come after the start, t = 0")
            }
        }
        // From a file the start's t is known once the file is read (RunSetup.endTime checks it).
        if case .file = try initialization() {} else if let t = sampling?.tEnd, !(t > 0) {
            throw .usage("\(Setting.endTime) must be a positive number (the start is at t = 0), got \(t)")
        }
        try storage.validate(output: output, command: command)
        if command == .analytic && network.bias {
            throw .usage("\(Setting.bias): the closed forms are for linear chains; drop \(Setting.bias)")
        }
    }
}
