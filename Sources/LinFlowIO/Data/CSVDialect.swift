#if canImport(LinFlowNumerics)  // scripts/fuzz compiles these files with LinflowError and Setting alone
import LinFlowNumerics
#endif
// How a CSV file is laid out beyond RFC 4180. Kept free of Foundation: scripts/fuzz compiles
// the CSV reader with this file alone.

/// `--header auto|yes|no`.
public enum HeaderMode: String, Sendable, Equatable, CaseIterable {
    case auto, yes, no
}

/// `--delimiter comma|tab|semicolon|space|C` as the byte that separates cells.
///
/// `space` is a run of one or more spaces, with spaces at either end of a line ignored: the
/// layout of `numpy.savetxt` (single spaces, '%.18e') and of aligned columns.
public struct Delimiter: Sendable, Equatable, CustomStringConvertible {
    public let byte: UInt8
    public static let comma = Delimiter(byte: UInt8(ascii: ","))
    public static let space = Delimiter(byte: 0x20)

    /// Whether a run of delimiters is one separator, and delimiters at a line's ends none (space).
    public var separatesByRuns: Bool { byte == 0x20 }

    public init(byte: UInt8) { self.byte = byte }

    public init(argument: String) throws {
        switch argument {
        case "comma", ",": byte = UInt8(ascii: ",")
        case "tab", "\t", "\\t": byte = 0x09
        case "semicolon", ";": byte = UInt8(ascii: ";")
        case "space", " ": byte = 0x20
        default:
            let u = Array(argument.utf8)
            guard u.count == 1, u[0] > 0x20, u[0] < 0x7F, u[0] != UInt8(ascii: "\""), u[0] != UInt8(ascii: "#"),
                  !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(u[0]), u[0] != UInt8(ascii: "."),
                  u[0] != UInt8(ascii: "-"), u[0] != UInt8(ascii: "+") else {
                throw LinflowError.usage("\(Setting.delimiter) must be comma, tab, semicolon, space or one ASCII punctuation character that cannot be part of a number, got '\(argument)'")
            }
            byte = u[0]
        }
    }

    public var description: String {
        switch byte {
        case UInt8(ascii: ","): return "comma"
        case 0x09: return "tab"
        case UInt8(ascii: ";"): return "semicolon"
        case 0x20: return "space"
        default: return String(UnicodeScalar(byte))
        }
    }
}

