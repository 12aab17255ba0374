#if canImport(LinFlowNumerics)  // scripts/fuzz compiles these files with LinflowError and Setting alone
import LinFlowNumerics
#endif
// How a CSV file is laid out beyond RFC 4180. Kept free of Foundation: scripts/fuzz compiles
// the CSV reader with this file alone.

/// `--header auto|yes|no`.
public enum HeaderMode: String, Sendable, Equatable, CaseIterable {
    case auto, yes, no
}

/// `--delimiter comma|tab|semicolon|C` as the byte that separates cells.
public struct Delimiter: Sendable, Equatable, CustomStringConvertible {
    public let byte: UInt8
    public static let comma = Delimiter(byte: UInt8(ascii: ","))

    public init(byte: UInt8) { self.byte = byte }

    public init(argument: String) throws {
        switch argument {
        case "comma", ",": byte = UInt8(ascii: ",")
        case "tab", "\t", "\\t": byte = 0x09
        case "semicolon", ";": byte = UInt8(ascii: ";")
        default:
            let u = Array(argument.utf8)
            guard u.count == 1, u[0] > 0x20, u[0] < 0x7F, u[0] != UInt8(ascii: "\""), u[0] != UInt8(ascii: "#"),
                  !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(u[0]), u[0] != UInt8(ascii: "."),
                  u[0] != UInt8(ascii: "-"), u[0] != UInt8(ascii: "+") else {
                throw LinflowError.usage("\(Setting.delimiter) must be comma, tab, semicolon or one ASCII punctuation character that cannot be part of a number, got '\(argument)'")
            }
            byte = u[0]
        }
    }

    public var description: String {
        switch byte {
        case UInt8(ascii: ","): return "comma"
        case 0x09: return "tab"
        case UInt8(ascii: ";"): return "semicolon"
        default: return String(UnicodeScalar(byte))
        }
    }
}

