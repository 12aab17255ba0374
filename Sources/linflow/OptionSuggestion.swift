import ArgumentParser
import Foundation

/// Better answers to an unknown option than ArgumentParser's nearest name: `descend --t-end`
/// was told "Did you mean '--seed'?". An option that another command takes is named with those
/// commands; a suggestion is kept only when it is a near spelling of what was typed.
enum OptionSuggestion {
    /// The long options each subcommand takes, read off its help.
    static func options(of command: ParsableCommand.Type) -> Set<String> {
        let help = command.helpMessage(columns: 10_000)
        var names = Set<String>()
        for line in help.split(separator: "\n") where line.hasPrefix("  -") {
            let head = line.split(separator: " ", omittingEmptySubsequences: true).prefix(3)
            for word in head where word.hasPrefix("--") {
                names.insert(String(word.prefix { $0 != "," && $0 != " " && $0 != "<" && $0 != "=" }))
                if word.hasPrefix("--[no-]") {
                    let base = word.dropFirst(7).prefix { $0 != "," }
                    names.insert("--" + base)
                    names.insert("--no-" + base)
                }
            }
        }
        return names
    }

    static func rewrite(_ message: String, command: String?) -> String {
        let pattern = #"^Unknown option '(--[^']+)'(?:\. Did you mean '([^']+)'\?)?"#
        guard let regex = try? NSRegularExpression(pattern: pattern),
              let m = regex.firstMatch(in: message, range: NSRange(message.startIndex..., in: message)),
              let optionRange = Range(m.range(at: 1), in: message) else { return message }
        let option = String(message[optionRange])
        let suggestion = Range(m.range(at: 2), in: message).map { String(message[$0]) }
        let owners = Linflow.configuration.subcommands.filter { options(of: $0).contains(option) }.map { $0._commandName }
        var text = "unknown option '\(option)'"
        if let command { text += " for \(command)" }
        if !owners.isEmpty {
            text += "; it is an option of \(owners.joined(separator: ", "))"
        } else if let suggestion, distance(option, suggestion) <= max(2, option.count / 4) {
            text += "; did you mean '\(suggestion)'?"
        }
        return text
    }

    /// Levenshtein distance.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var row = Array(0...b.count)
        for i in 1...max(1, a.count) where !a.isEmpty {
            var previous = row[0]
            row[0] = i
            for j in stride(from: 1, through: b.count, by: 1) {
                let current = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = current
            }
        }
        return a.isEmpty ? b.count : row[b.count]
    }
}
