import Foundation
import Testing

/// The package's floor plan, checked: each library target imports only the targets below it
/// (the order of Package.swift), and no library target spells a linflow option — those live in
/// the executable (Sources/linflow), which renders the library's ``Setting`` markers.
@Suite struct LayeringTests {
    /// Bottom to top. A target may import only those before it.
    static let layers = ["CLinFlow", "LinFlowNumerics", "LinFlowIO", "LinFlowPlot", "LinFlowRuns", "LinFlowSweep", "linflow"]
    /// Siblings that must not see each other.
    static let independent: Set<[String]> = [["LinFlowPlot", "LinFlowSweep"], ["LinFlowRuns", "LinFlowSweep"]]

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func swiftFiles(of target: String) -> [URL] {
        let dir = root.appendingPathComponent("Sources/\(target)")
        let all = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? []
        return all.filter { $0.pathExtension == "swift" }.sorted { $0.path < $1.path }
    }

    @Test func everyTargetImportsOnlyTheLayersBelowIt() throws {
        var wrong: [String] = []
        for (level, target) in Self.layers.enumerated() {
            for file in Self.swiftFiles(of: target) {
                let text = try String(contentsOf: file, encoding: .utf8)
                for line in text.split(separator: "\n") where line.hasPrefix("import ") {
                    let module = line.dropFirst("import ".count).trimmingCharacters(in: .whitespaces)
                    guard let other = Self.layers.firstIndex(of: module) else { continue }
                    if other >= level || Self.independent.contains([module, target].sorted()) {
                        wrong.append("\(file.lastPathComponent) (\(target)) imports \(module)")
                    }
                }
            }
        }
        #expect(wrong.isEmpty, "\(wrong)")
        // The check sees the targets (a renamed folder would make it vacuous).
        #expect(Self.layers.dropFirst().allSatisfy { !Self.swiftFiles(of: $0).isEmpty })
    }

    @Test func packageDeclaresTheSameOrder() throws {
        let manifest = try String(contentsOf: Self.root.appendingPathComponent("Package.swift"), encoding: .utf8)
        // `.target(name: "X", dependencies: [...])` and its multi-line form, in declaration order.
        let pattern = try NSRegularExpression(pattern: #"\.(?:target|executableTarget)\(\s*name:\s*"(\w+)",\s*dependencies:\s*\[([^\]]*)\]"#)
        let ns = manifest as NSString
        var seen = 0
        for m in pattern.matches(in: manifest, range: NSRange(location: 0, length: ns.length)) {
            let target = ns.substring(with: m.range(at: 1))
            guard let level = Self.layers.firstIndex(of: target) else { continue }
            seen += 1
            let deps = ns.substring(with: m.range(at: 2)).split(separator: ",").compactMap { d -> String? in
                let t = d.trimmingCharacters(in: .whitespacesAndNewlines)
                return t.hasPrefix("\"") ? t.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) : nil
            }
            for d in deps {
                guard let other = Self.layers.firstIndex(of: d) else { continue }
                #expect(other < level && !Self.independent.contains([d, target].sorted()), "\(target) depends on \(d)")
            }
        }
        #expect(seen == Self.layers.count, "found \(seen) of the layered targets in Package.swift")
    }

    /// A string literal or a plain `//` comment in a library target that spells an option —
    /// `--name`, `-o`, or a flag composed as `--\(…)` — other than another program's option on a
    /// line that says so (`// sbatch's option`). LinFlowSweep composes `--\(name)` from the option
    /// names a user gives `--grid` and `--zip` for the command being swept: those come from the
    /// user, not from the library, so that form is allowed there alone.
    @Test func noLibraryTargetSpellsAnOption() throws {
        let literal = try NSRegularExpression(pattern: #""(?:[^"\\]|\\.)*""#)
        let spelled = try NSRegularExpression(pattern: #"--[a-z]|(?<![\w-])-o(?=[\s=:)"])"#)
        let composed = try NSRegularExpression(pattern: #"--\\\("#)
        let spelledInComment = try NSRegularExpression(pattern: #"(?<![\w-])--[a-z]"#)
        var found: [String] = []
        for target in Self.layers where target.hasPrefix("LinFlow") {
            for file in Self.swiftFiles(of: target) {
                let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
                for (i, line) in lines.enumerated() {
                    let code = String(line), trimmed = code.trimmingCharacters(in: .whitespaces)
                    if code.contains("sbatch's option") { continue }
                    // Doc comments document the options a type stands for; a plain comment speaks
                    // of the library's settings, as its code does.
                    if trimmed.hasPrefix("//") {
                        if !trimmed.hasPrefix("///"), spelledInComment.firstMatch(in: code, range: NSRange(location: 0, length: (code as NSString).length)) != nil {
                            found.append("\(target)/\(file.lastPathComponent):\(i + 1)")
                        }
                        continue
                    }
                    let ns = code as NSString
                    for m in literal.matches(in: code, range: NSRange(location: 0, length: ns.length)) {
                        let text = ns.substring(with: m.range), range = NSRange(location: 0, length: (text as NSString).length)
                        let composes = composed.firstMatch(in: text, range: range) != nil && target != "LinFlowSweep"
                        if spelled.firstMatch(in: text, range: range) != nil || composes {
                            found.append("\(target)/\(file.lastPathComponent):\(i + 1)")
                            break
                        }
                    }
                }
            }
        }
        #expect(found.isEmpty, "option names in library targets (use a Setting): \(found)")
    }
}
