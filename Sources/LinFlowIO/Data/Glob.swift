#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Column selection by shell glob (`W21_*`, `sv_?`), as POSIX fnmatch(3) without flags: `*`,
/// `?` and `[…]` match any characters including `_`. One matcher for every command that picks
/// columns or files by pattern (plot, export, --inputs/--outputs).
public enum Glob {
    /// True if `name` matches `pattern`.
    public static func matches(_ pattern: String, _ name: String) -> Bool {
        fnmatch(pattern, name, 0) == 0
    }

    /// The names that match any pattern: pattern by pattern, each in `names` order, each once.
    public static func orderedMatches(_ patterns: [String], in names: [String]) -> [String] {
        var seen = Set<String>()
        var out: [String] = []
        for pattern in patterns {
            for name in names where matches(pattern, name) && seen.insert(name).inserted { out.append(name) }
        }
        return out
    }
}
