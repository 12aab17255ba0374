/// Runs `body`, which writes rows to `out`, then commits the file. On a numerical failure or
/// an interrupt the rows written so far are kept as OUT.partial and the one-line message says
/// where; on any other error the destination is left untouched.
///
/// `provenance(status)` gives the ``RunRecord`` written beside the file ("complete") or beside
/// the kept rows ("partial", with the failure added).
func writingRows(to out: OutputFile, rowsWritten: () -> Int, provenance: (_ status: String) -> RunRecord,
                 _ body: () throws -> Void) throws {
    let interrupt = InterruptFlag.shared
    interrupt.arm()
    defer { interrupt.disarm() }
    do {
        try body()
        try out.commit()
        try provenance("complete").write(beside: out.path)
    } catch let error as LinflowError {
        func kept(_ m: String) -> String {
            guard let partial = out.keepPartial() else { return m }
            var record = provenance("partial")
            record.entries["failure"] = m
            try? record.write(beside: partial)
            return m + "; the \(rowsWritten()) rows written so far are in \(partial)"
        }
        switch error {
        case .numerical(let m): throw LinflowError.numerical(kept(m))
        case .interrupted(let m): throw LinflowError.interrupted(kept(m))
        default:
            out.discard()
            throw error
        }
    }
}
