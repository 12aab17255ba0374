import CHDF5
import Foundation
import LinFlowNumerics

/// linflow's use of the HDF5 C library: every call's status is checked, HDF5's own printing of
/// error stacks is switched off, and a failure becomes one ``LinflowError`` line that names the
/// file, what was being done, and HDF5's most specific message.
package enum HDF5 {
    /// Runs `body`'s HDF5 calls alone in the process: the system's HDF5 library is not built
    /// thread-safe, and a sweep's tasks that run in-process may start from .h5 files on
    /// several threads at once (their outputs are CSV, written without HDF5).
    package static func serialized<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
    private static let lock = NSLock()

    /// Switches off HDF5's automatic error printing. A thread-safe HDF5 (Debian's is) keeps
    /// this setting per thread, so each entry point calls it on its own thread.
    static func silence() { _ = linflow_h5_silence_errors() }

    /// HDF5's message for the failure that has just happened ("" if it left none).
    static func lastError() -> String {
        var buffer = [CChar](repeating: 0, count: 512)
        linflow_h5_last_error(&buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The one-line error for a failed call: `make` chooses the kind (cannot create vs bad input).
    static func failure(_ path: String, _ doing: String, _ make: (String) -> LinflowError) -> LinflowError {
        let detail = lastError()
        return make("\(path): HDF5 could not \(doing)\(detail.isEmpty ? "" : " (\(detail))")")
    }

    /// An identifier returned by HDF5 (negative on failure).
    @discardableResult
    static func check(_ id: hid_t, _ path: String, _ doing: @autoclosure () -> String,
                      _ make: (String) -> LinflowError = LinflowError.cannotCreate) throws -> hid_t {
        guard id >= 0 else { throw failure(path, doing(), make) }
        return id
    }

    /// A status returned by HDF5 (negative on failure).
    static func check(status: herr_t, _ path: String, _ doing: @autoclosure () -> String,
                      _ make: (String) -> LinflowError = LinflowError.cannotCreate) throws {
        guard status >= 0 else { throw failure(path, doing(), make) }
    }

    static var defaultList: hid_t { linflow_h5p_default() }
    static var double: hid_t { linflow_h5t_native_double() }
    static var int64: hid_t { linflow_h5t_native_int64() }
    static var unlimited: hsize_t { linflow_h5s_unlimited() }

    /// The 8-byte signature at the start of every HDF5 file (at offset 0 for files linflow writes).
    static let signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]

    /// True if `path` is a readable file that starts with HDF5's signature.
    package static func isHDF5(path: String) -> Bool {
        guard let f = fopen(path, "rb") else { return false }
        defer { fclose(f) }
        var head = [UInt8](repeating: 0, count: 8)
        return fread(&head, 1, 8, f) == 8 && head == signature
    }

    /// A simple dataspace of `dims` (and `maxDims`, default the same).
    static func space(_ dims: [Int], max maxDims: [hsize_t]? = nil, path: String) throws -> hid_t {
        let d = dims.map { hsize_t($0) }
        return try d.withUnsafeBufferPointer { dp in
            if let maxDims {
                return try maxDims.withUnsafeBufferPointer { mp in
                    try check(H5Screate_simple(Int32(d.count), dp.baseAddress, mp.baseAddress), path, "make a dataspace")
                }
            }
            return try check(H5Screate_simple(Int32(d.count), dp.baseAddress, nil), path, "make a dataspace")
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
