// libFuzzer harness for linflow's CSV reader (scripts/fuzz/run.sh builds and runs it).
// Every input is written to a file and read as linflow reads data (with the comma and with
// `--delimiter space`): it must either parse or
// throw a LinflowError whose message is one line naming the file. Anything else (a trap, a
// crash, a sanitizer report, a multi-line message) is a bug.
import Glibc

private let path = "/dev/shm/linflow-fuzz-\(getpid()).csv"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    precondition(fd >= 0)
    var off = 0
    while off < size { off += max(0, write(fd, data + off, size - off)) }
    close(fd)
    // As a comma-separated file (the default) and as a space-separated one (`--delimiter space`,
    // whose runs of spaces and spaces at a line's ends take their own paths).
    for delimiter in [nil, Delimiter.space] {
        do {
            // A small chunk size exercises records and quotes split across reads.
            let reader = try NumericCSVReader(path: path, chunkSize: 7, delimiter: delimiter)
            var rows = 0
            try reader.forEachRow { row in
                precondition(row.count == reader.columnCount)
                precondition(row.allSatisfy { $0.isFinite })
                rows += 1
            }
        } catch let e as LinflowError {
            let m = e.description
            precondition(m.hasPrefix(path), "message does not name the file: \(m)")
            precondition(!m.contains("\n"), "message spans lines: \(m)")
        } catch {
            preconditionFailure("unexpected error type: \(error)")
        }
    }
    return 0
}
