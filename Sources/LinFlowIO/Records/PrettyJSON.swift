#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization

/// The bytes `JSONSerialization.data(withJSONObject:options: [.prettyPrinted, .sortedKeys,
/// .withoutEscapingSlashes])` gives for a record's values, written without Foundation's
/// per-value casts and with each key order computed once per set of keys: a task of a sweep
/// writes a record of some 40 values, and Foundation's writer was a tenth of a small task's time.
///
/// The layout is Foundation's (swift-corelibs-foundation's `JSONWriter`): two spaces of indent,
/// `"key" : value`, `[`/`{` then a line break even when empty; a Double as its `description`
/// without a trailing `.0`; strings escaped as Foundation escapes them (`"`, `\`, the C0
/// controls, `/` left alone); keys in the order of `String.compare(_:options: [.numeric,
/// .caseInsensitive, .forcedOrdering], locale: .system)` (so `sv_2` before `sv_10`).
/// ``encode(_:)`` returns nil for a value of any other type (a Float, an NSNumber), which the
/// caller then hands to Foundation, so the bytes are Foundation's whatever the record holds.
package enum PrettyJSON {
    package static func encode(_ value: Any) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(2048)
        guard append(value, to: &out, indent: 0) else { return nil }
        return out
    }

    private static func append(_ value: Any, to out: inout [UInt8], indent: Int) -> Bool {
        // Exact types only: anything else (a bridged or optional value) goes to Foundation.
        switch ObjectIdentifier(type(of: value)) {
        case ObjectIdentifier(String.self): appendString(value as! String, to: &out)
        case ObjectIdentifier(Bool.self): appendASCII((value as! Bool) ? "true" : "false", to: &out)
        case ObjectIdentifier(Int.self): appendASCII((value as! Int).description, to: &out)
        case ObjectIdentifier(UInt64.self): appendASCII((value as! UInt64).description, to: &out)
        case ObjectIdentifier(Double.self):
            let d = value as! Double
            guard d.isFinite else { return false }
            appendDouble(d, to: &out)
        case ObjectIdentifier(NSNull.self): appendASCII("null", to: &out)
        case ObjectIdentifier([Any].self): return appendArray(value as! [Any], to: &out, indent: indent)
        case ObjectIdentifier([String].self): return appendArray((value as! [String]).map { $0 as Any }, to: &out, indent: indent)
        case ObjectIdentifier([Double].self): return appendArray((value as! [Double]).map { $0 as Any }, to: &out, indent: indent)
        case ObjectIdentifier([Int].self): return appendArray((value as! [Int]).map { $0 as Any }, to: &out, indent: indent)
        case ObjectIdentifier([String: Any].self): return appendObject(value as! [String: Any], to: &out, indent: indent)
        default: return false
        }
        return true
    }

    private static func appendArray(_ array: [Any], to out: inout [UInt8], indent: Int) -> Bool {
        out.append(UInt8(ascii: "["))
        out.append(UInt8(ascii: "\n"))
        for (i, element) in array.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")); out.append(UInt8(ascii: "\n")) }
            appendSpaces(indent + 2, to: &out)
            guard append(element, to: &out, indent: indent + 2) else { return false }
        }
        out.append(UInt8(ascii: "\n"))
        appendSpaces(indent, to: &out)
        out.append(UInt8(ascii: "]"))
        return true
    }

    private static func appendObject(_ object: [String: Any], to out: inout [UInt8], indent: Int) -> Bool {
        out.append(UInt8(ascii: "{"))
        out.append(UInt8(ascii: "\n"))
        for (i, key) in sortedKeys(object.keys).enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")); out.append(UInt8(ascii: "\n")) }
            appendSpaces(indent + 2, to: &out)
            appendString(key, to: &out)
            appendASCII(" : ", to: &out)
            guard append(object[key]!, to: &out, indent: indent + 2) else { return false }
        }
        out.append(UInt8(ascii: "\n"))
        appendSpaces(indent, to: &out)
        out.append(UInt8(ascii: "}"))
        return true
    }

    /// Key orders already computed, by the keys in code-point order.
    private static let orders = Mutex<[[String]: [String]]>([:])

    /// The keys in Foundation's order (see the type's documentation).
    static func sortedKeys(_ keys: Dictionary<String, Any>.Keys) -> [String] {
        let plain = keys.sorted()
        if let known = orders.withLock({ $0[plain] }) { return known }
        let options: String.CompareOptions = [.numeric, .caseInsensitive, .forcedOrdering]
        let locale = NSLocale.system
        let ordered = plain.sorted { a, b in
            a.compare(b, options: options, range: a.startIndex..<a.endIndex, locale: locale) == .orderedAscending
        }
        orders.withLock { $0[plain] = ordered }
        return ordered
    }

    /// A number as Foundation writes it: `description`, less a final `.0`.
    private static func appendDouble(_ d: Double, to out: inout [UInt8]) {
        var text = ByteText(bytes: out)
        out = []
        d.write(to: &text)
        swap(&out, &text.bytes)
        let n = out.count
        if n >= 2, out[n - 2] == UInt8(ascii: "."), out[n - 1] == UInt8(ascii: "0") { out.removeLast(2) }
    }

    private static func appendString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for scalar in s.unicodeScalars {
            switch scalar.value {
            case 0x22: appendASCII("\\\"", to: &out)
            case 0x5C: appendASCII("\\\\", to: &out)
            case 0x08: appendASCII("\\b", to: &out)
            case 0x0C: appendASCII("\\f", to: &out)
            case 0x0A: appendASCII("\\n", to: &out)
            case 0x0D: appendASCII("\\r", to: &out)
            case 0x09: appendASCII("\\t", to: &out)
            case 0x00...0x0F: appendASCII("\\u000" + String(scalar.value, radix: 16), to: &out)
            case 0x10...0x1F: appendASCII("\\u00" + String(scalar.value, radix: 16), to: &out)
            default: out.append(contentsOf: String(scalar).utf8)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    private static func appendASCII(_ s: String, to out: inout [UInt8]) { out.append(contentsOf: s.utf8) }

    private static func appendSpaces(_ n: Int, to out: inout [UInt8]) {
        out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: n))
    }

    /// Bytes that `Double.write(to:)` appends to without a String per number.
    private struct ByteText: TextOutputStream {
        var bytes: [UInt8]
        mutating func write(_ string: String) { bytes.append(contentsOf: string.utf8) }
        mutating func _writeASCII(_ buffer: UnsafeBufferPointer<UInt8>) { bytes.append(contentsOf: buffer) }
    }
}
