import Foundation
import Testing

/// docs/man/linflow.1 is made from the built executable's help by scripts/docs/man_page.py; it must
/// be the page that the executable's help gives now.
@Suite struct ManPageTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardizedFileURL

    @Test func manPageIsCurrent() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", Self.root.appendingPathComponent("scripts/docs/man_page.py").path, "--check", CLI.executable.path]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "\(text.prefix(3000))")
    }

    /// Every option of every command is in the page, with its non-ASCII value names (σ, λ, η)
    /// intact.
    @Test func pageNamesEveryOption() throws {
        let page = try String(contentsOf: Self.root.appendingPathComponent("docs/man/linflow.1"), encoding: .utf8)
        for command in ["simulate", "descend", "compare", "analytic", "plot", "stats"] {
            let r = try CLI.run([command, "--experimental-dump-help"])
            let json = try JSONSerialization.jsonObject(with: r.stdoutData) as! [String: Any]
            for a in (json["command"] as! [String: Any])["arguments"] as? [[String: Any]] ?? [] {
                for n in a["names"] as? [[String: Any]] ?? [] where n["kind"] as? String == "long" {
                    let name = (n["name"] as! String).replacingOccurrences(of: "-", with: "\\-")
                    #expect(page.contains("\\-\\-\(name)"), "\(command) --\(n["name"]!) is not in docs/man/linflow.1")
                }
            }
        }
        #expect(page.contains("\\fB\\-\\-init\\-scale\\fR \\fIσ\\fR"))
        #expect(page.contains("\\fB\\-\\-lambda\\fR \\fIλ\\fR"))
        #expect(page.contains("\\fB\\-\\-lr\\fR \\fIη\\fR"))
    }
}
