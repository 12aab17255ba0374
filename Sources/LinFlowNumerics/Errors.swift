/// Every failure linflow reports to a user. Each case maps to a documented exit code
/// (docs/cli.md, "Exit codes") and prints as one line.
public enum LinflowError: Error, Equatable, Sendable, CustomStringConvertible {
    /// An option value that cannot work (exit 64).
    case usage(String)
    /// Malformed or unusable data in an input file (exit 65).
    case data(String)
    /// An input file that is missing or unreadable (exit 66).
    case noInput(String)
    /// An output file that cannot be created or written (exit 73).
    case cannotCreate(String)
    /// A program linflow needs, such as gnuplot, is not installed or cannot do the job (exit 69).
    case unavailable(String)
    /// The integration or descent failed numerically; rows so far were kept (exit 3).
    case numerical(String)
    /// Stopped by SIGINT or SIGTERM; rows so far were kept (exit 130).
    case interrupted(String)

    /// The message as built, with ``Setting`` markers where it names a choice; the executable
    /// renders them as its options.
    public var message: String {
        switch self {
        case .usage(let m), .data(let m), .noInput(let m), .cannotCreate(let m),
             .unavailable(let m), .numerical(let m), .interrupted(let m):
            return m
        }
    }

    /// The message with each setting named in the library's terms (``Setting/plain(_:)``).
    public var description: String { Setting.plain(message) }

    public var exitCode: Int32 {
        switch self {
        case .usage: return 64
        case .data: return 65
        case .noInput: return 66
        case .cannotCreate: return 73
        case .unavailable: return 69
        case .numerical: return 3
        case .interrupted: return 130
        }
    }
}
