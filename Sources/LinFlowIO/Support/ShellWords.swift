/// A word as a POSIX shell reads it back: unchanged when it holds only characters the shell
/// takes literally, else in single quotes (a quote inside as '\''). For the command lines that
/// linflow writes into scripts (Slurm job arrays, gnuplot scripts' headers).
public func shellQuote(_ word: String) -> String {
    let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-+=./,:@%")
    return !word.isEmpty && word.allSatisfy(safe.contains) ? word : "'" + word.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
}
