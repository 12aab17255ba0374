import LinFlowNumerics
/// Runs `body`, which writes rows to `out`, then commits the file. On a numerical failure or
/// an interrupt the rows written so far are kept as OUT.partial and the one-line message says
/// where; on any other error the destination is left untouched.
///
/// `provenance(status)` gives the ``RunRecord`` stored with the file ("complete") or with the
/// kept rows ("partial", with the failure added).
package func writingRows(to out: TrajectorySink, rowsWritten: () -> Int, provenance: (_ status: String) -> RunRecord,
                 _ body: () throws -> Void) throws {
    let interrupt = InterruptFlag.shared
    interrupt.arm()
    defer { interrupt.disarm() }
    do {
        try body()
        try out.commit(record: provenance("complete"))
    } catch let error as LinflowError {
        func kept(_ m: String) -> String {
            var record = provenance("partial")
            record.entries["failure"] = m
            guard let partial = out.keepPartial(record: record) else { return m }
            return m + "; the \(rowsWritten()) rows written so far are in \(partial)"
        }
        switch error {
        case .numerical(let m): throw LinflowError.numerical(kept(m))
        case .interrupted(let m): throw LinflowError.interrupted(kept(m))
        default:
            out.discard()
            throw error
        }
    } catch {
        out.discard()
        throw error
    }
}
