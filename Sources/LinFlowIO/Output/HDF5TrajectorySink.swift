#if canImport(Glibc)
import Glibc
#endif
import CHDF5
import Foundation
import LinFlowNumerics

/// A trajectory as an HDF5 file: one dataset per ``ColumnBlock``, of shape (rows, block shape)
/// (`t` and `loss` (M+1), `W21` (M+1)×n1×n0, `sv` (M+1)×r, …), float64, in the order of the
/// CSV's columns (the file tracks creation order). Each dataset starts empty, is extendible
/// along its first axis and chunked by rows (a chunk is one row of a large block, or as many
/// rows of a small one as fit in 64 KiB), so each row is written as it is computed and the
/// memory used stays that of one row, however long the run.
///
/// The run record is stored as attributes of the root group: each top-level entry of the JSON
/// record (strings and numbers as such, nested entries as JSON text) and the whole record as
/// `run_record`. The JSON is also written beside the file, as for CSV.
///
/// Like ``OutputFile`` it writes a temporary sibling, renamed over the destination by
/// ``commit(record:)``, or to `OUT.partial` by ``keepPartial(record:)``.
public final class HDF5TrajectorySink: TrajectorySink {
    public let path: String?
    private let destination: String
    private let tempPath: String
    private var file: hid_t = -1
    private let blocks: [ColumnBlock]
    private var datasets: [(block: ColumnBlock, id: hid_t, offset: Int)] = []
    private let width: Int
    private(set) var rows = 0
    private var finished = false

    /// Chunks of small blocks hold this many bytes (a chunk is never less than one row).
    static let chunkBytes = 1 << 16

    public init(path: String, blocks: [ColumnBlock]) throws {
        HDF5.silence()
        var st = stat()
        if stat(path, &st) == 0 {
            if (st.st_mode & S_IFMT) == S_IFDIR { throw LinflowError.cannotCreate("\(path): is a directory") }
            if (st.st_mode & S_IFMT) != S_IFREG {
                throw LinflowError.cannotCreate("\(path): HDF5 needs a regular file (it writes out of order), not a device or pipe; write CSV there with \(Setting.format) csv")
            }
        }
        self.path = path
        destination = path
        let (fd, temp) = try OutputFile.temporarySibling(of: path)
        Glibc.close(fd)
        tempPath = temp
        width = blocks.valueCount
        self.blocks = blocks
        do {
            try create(blocks)
        } catch {
            discard()
            throw error
        }
    }

    deinit { if !finished { discard() } }

    private func create(_ blocks: [ColumnBlock]) throws {
        let p = destination
        // Track link creation order, so that readers list the datasets in the CSV's order.
        let fcpl = try HDF5.check(H5Pcreate(linflow_h5p_file_create()), p, "make a file property list")
        defer { H5Pclose(fcpl) }
        try HDF5.check(status: H5Pset_link_creation_order(fcpl, UInt32(H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED)),
                       p, "track the datasets' order")
        // No creation and modification times in the object headers (HDF5 stores them by
        // default): the same command must give the same bytes, as the CSV does.
        try HDF5.check(status: H5Pset_obj_track_times(fcpl, false), p, "leave out the root group's times")
        file = try HDF5.check(H5Fcreate(tempPath, linflow_h5f_acc_trunc(), fcpl, HDF5.defaultList), p,
                              "create the file \(tempPath)")
        var offset = 0
        for block in blocks {
            let dims = [0] + block.shape
            let maxDims = [HDF5.unlimited] + block.shape.map { hsize_t($0) }
            let space = try HDF5.space(dims, max: maxDims, path: p)
            defer { H5Sclose(space) }
            let dcpl = try HDF5.check(H5Pcreate(linflow_h5p_dataset_create()), p, "make a dataset property list")
            defer { H5Pclose(dcpl) }
            let chunkRows = max(1, Self.chunkBytes / (8 * block.count))
            let chunk = ([chunkRows] + block.shape).map { hsize_t($0) }
            try HDF5.check(status: H5Pset_chunk(dcpl, Int32(chunk.count), chunk), p, "chunk the dataset \(block.name)")
            try HDF5.check(status: H5Pset_obj_track_times(dcpl, false), p, "leave out the times of \(block.name)")
            let id = try HDF5.check(H5Dcreate2(file, block.name, HDF5.double, space, HDF5.defaultList, dcpl, HDF5.defaultList),
                                    p, "create the dataset \(block.name)")
            datasets.append((block, id, offset))
            offset += block.count
        }
    }

    public func write(row: [Double]) throws {
        precondition(row.count == width, "a row of \(row.count) values for \(width) columns")
        let p = destination
        try row.withUnsafeBufferPointer { values in
            for (block, id, offset) in datasets {
                let extent = ([rows + 1] + block.shape).map { hsize_t($0) }
                try HDF5.check(status: H5Dset_extent(id, extent), p, "extend the dataset \(block.name)")
                let fileSpace = try HDF5.check(H5Dget_space(id), p, "get the dataspace of \(block.name)")
                defer { H5Sclose(fileSpace) }
                let start = ([rows] + block.shape.map { _ in 0 }).map { hsize_t($0) }
                let count = [hsize_t(1)] + block.shape.map { hsize_t($0) }
                try HDF5.check(status: H5Sselect_hyperslab(fileSpace, H5S_SELECT_SET, start, nil, count, nil),
                               p, "select row \(rows) of \(block.name)")
                let memory = try HDF5.space([1] + block.shape, path: p)
                defer { H5Sclose(memory) }
                try HDF5.check(status: H5Dwrite(id, HDF5.double, memory, fileSpace, HDF5.defaultList, values.baseAddress! + offset),
                               p, "write row \(rows) of \(block.name)")
            }
        }
        rows += 1
    }

    /// Stores `record` as attributes, closes the file and syncs it to disk.
    private func finish(with given: RunRecord) throws {
        let p = destination
        let record = given.describing(format: .hdf5, blocks: blocks)
        let json = String(decoding: try record.data(), as: UTF8.self)
        try setAttribute("run_record", json)
        for (key, value) in record.entries.sorted(by: { $0.key < $1.key }) {
            switch value {
            case let s as String: try setAttribute(key, s)
            case let b as Bool: try setAttribute(key, b ? "true" : "false")
            case let i as Int: try setAttribute(key, Int64(i))
            case let d as Double: try setAttribute(key, d)
            default:
                let data = try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes, .fragmentsAllowed])
                try setAttribute(key, String(decoding: data, as: UTF8.self))
            }
        }
        try closeHandles()
        // HDF5 closes without fsync; sync before the rename, as OutputFile does.
        let fd = open(tempPath, O_RDONLY)
        guard fd >= 0, fsync(fd) == 0 else {
            let reason = String(cString: strerror(errno))
            if fd >= 0 { Glibc.close(fd) }
            throw LinflowError.cannotCreate("\(p): \(reason)")
        }
        Glibc.close(fd)
    }

    private func closeHandles() throws {
        let p = destination
        var failed: String?
        for d in datasets where H5Dclose(d.id) < 0 { failed = failed ?? "close the dataset \(d.block.name)" }
        datasets = []
        if file >= 0, H5Fclose(file) < 0 { failed = failed ?? "close the file" }
        file = -1
        if let failed { throw HDF5.failure(p, failed, LinflowError.cannotCreate) }
    }

    private func setAttribute(_ name: String, _ text: String) throws {
        let p = destination
        let type = try HDF5.check(H5Tcopy(linflow_h5t_c_s1()), p, "make a string type")
        defer { H5Tclose(type) }
        try HDF5.check(status: H5Tset_size(type, Int(bitPattern: UInt(bitPattern: -1))), p, "make a string type")  // H5T_VARIABLE
        try HDF5.check(status: H5Tset_cset(type, H5T_CSET_UTF8), p, "make a UTF-8 string type")
        try text.withCString { c in
            var pointer: UnsafePointer<CChar>? = c
            try attribute(name, type: type) { H5Awrite($0, type, &pointer) }
        }
    }

    private func setAttribute(_ name: String, _ value: Int64) throws {
        var v = value
        try attribute(name, type: HDF5.int64) { H5Awrite($0, HDF5.int64, &v) }
    }

    private func setAttribute(_ name: String, _ value: Double) throws {
        var v = value
        try attribute(name, type: HDF5.double) { H5Awrite($0, HDF5.double, &v) }
    }

    /// Creates the scalar attribute `name` of the root group (replacing one of that name) and
    /// has `write` fill it.
    private func attribute(_ name: String, type: hid_t, write: (hid_t) -> herr_t) throws {
        let p = destination
        if H5Aexists(file, name) > 0 {
            try HDF5.check(status: H5Adelete(file, name), p, "replace the attribute \(name)")
        }
        let space = try HDF5.check(H5Screate(H5S_SCALAR), p, "make a scalar dataspace")
        defer { H5Sclose(space) }
        let a = try HDF5.check(H5Acreate2(file, name, type, space, HDF5.defaultList, HDF5.defaultList), p,
                               "create the attribute \(name)")
        defer { H5Aclose(a) }
        try HDF5.check(status: write(a), p, "write the attribute \(name)")
    }

    public func commit(record: RunRecord) throws {
        finished = true
        do {
            try finish(with: record)
        } catch {
            try? closeHandles()
            unlink(tempPath)
            throw error
        }
        try OutputFile.install(tempPath, as: destination)
        try record.describing(format: .hdf5, blocks: blocks).write(beside: destination)
    }

    public func keepPartial(record: RunRecord) -> String? {
        guard !finished else { return nil }
        finished = true
        do { try finish(with: record) } catch {
            try? closeHandles()
            unlink(tempPath)
            return nil
        }
        guard let partial = OutputFile.installPartial(tempPath, of: destination) else { return nil }
        try? record.describing(format: .hdf5, blocks: blocks).write(beside: partial)
        return partial
    }

    public func discard() {
        guard !finished else { return }
        finished = true
        try? closeHandles()
        unlink(tempPath)
    }
}
