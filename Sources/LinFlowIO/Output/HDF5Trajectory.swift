import CHDF5
import LinFlowNumerics

/// Reads a trajectory that ``HDF5TrajectorySink`` wrote (or any HDF5 file whose root holds
/// numeric datasets that share their first axis, the rows): its blocks in the file's creation
/// order (by name if it has none), and one row of a block at a time, so that reading uses the
/// memory of a row, not of the file.
public final class HDF5Trajectory {
    public let path: String
    public private(set) var blocks: [ColumnBlock] = []
    /// The rows every block has (a partial file's blocks may differ by one row; the shortest counts).
    public private(set) var rows = 0
    private var ids: [hid_t] = []
    private var file: hid_t = -1

    public init(path: String) throws {
        HDF5.silence()
        self.path = path
        guard HDF5.isHDF5(path: path) else {
            throw LinflowError.noInput("\(path): not an HDF5 file (or unreadable)")
        }
        file = try HDF5.check(H5Fopen(path, linflow_h5f_acc_rdonly(), HDF5.defaultList), path, "open the file", LinflowError.noInput)
        var found: [ColumnBlock] = []
        var shortest = Int.max
        do {
            for name in try Self.names(file, path) {
                let id = try HDF5.check(H5Dopen2(file, name, HDF5.defaultList), path, "open the dataset \(name)", LinflowError.data)
                ids.append(id)
                let space = try HDF5.check(H5Dget_space(id), path, "read the shape of \(name)", LinflowError.data)
                defer { H5Sclose(space) }
                let rank = Int(H5Sget_simple_extent_ndims(space))
                guard rank >= 1 else { throw LinflowError.data("\(path): the dataset \(name) is a scalar, not one value per row") }
                var dims = [hsize_t](repeating: 0, count: rank)
                try HDF5.check(status: H5Sget_simple_extent_dims(space, &dims, nil), path, "read the shape of \(name)", LinflowError.data)
                let type = H5Dget_type(id)
                defer { if type >= 0 { H5Tclose(type) } }
                let cls = H5Tget_class(type)
                guard cls == H5T_FLOAT || cls == H5T_INTEGER else {
                    throw LinflowError.data("\(path): the dataset \(name) is not numeric")
                }
                found.append(ColumnBlock(name, shape: dims.dropFirst().map { Int($0) }))
                shortest = min(shortest, Int(dims[0]))
            }
        } catch {
            closeAll()
            throw error
        }
        guard !found.isEmpty else {
            closeAll()
            throw LinflowError.data("\(path): holds no datasets")
        }
        blocks = found
        rows = shortest
    }

    deinit { closeAll() }

    private func closeAll() {
        for id in ids { H5Dclose(id) }
        ids = []
        if file >= 0 { H5Fclose(file) }
        file = -1
    }

    /// The CSV header of the file: its blocks' column names.
    public var columnNames: [String] { blocks.columnNames }

    /// Row `row` of block `index`, row-major, into `values` (replacing its contents).
    public func read(block index: Int, row: Int, into values: inout [Double]) throws {
        let block = blocks[index], id = ids[index]
        values = [Double](repeating: 0, count: block.count)
        let fileSpace = try HDF5.check(H5Dget_space(id), path, "read \(block.name)", LinflowError.data)
        defer { H5Sclose(fileSpace) }
        let start = ([row] + block.shape.map { _ in 0 }).map { hsize_t($0) }
        let count = [hsize_t(1)] + block.shape.map { hsize_t($0) }
        try HDF5.check(status: H5Sselect_hyperslab(fileSpace, H5S_SELECT_SET, start, nil, count, nil), path,
                       "select row \(row) of \(block.name)", LinflowError.data)
        let memory = try HDF5.space([1] + block.shape, path: path)
        defer { H5Sclose(memory) }
        try values.withUnsafeMutableBufferPointer { buffer in
            try HDF5.check(status: H5Dread(id, HDF5.double, memory, fileSpace, HDF5.defaultList, buffer.baseAddress!),
                           path, "read row \(row) of \(block.name)", LinflowError.data)
        }
    }

    /// The value of the run record's attribute `name` (a string), if the file has one.
    public func textAttribute(_ name: String) -> String? {
        guard H5Aexists(file, name) > 0 else { return nil }
        let a = H5Aopen(file, name, HDF5.defaultList)
        guard a >= 0 else { return nil }
        defer { H5Aclose(a) }
        let type = H5Aget_type(a)
        defer { H5Tclose(type) }
        guard H5Tget_class(type) == H5T_STRING, H5Tis_variable_str(type) > 0 else { return nil }
        var pointer: UnsafeMutablePointer<CChar>?
        guard H5Aread(a, type, &pointer) >= 0, let pointer else { return nil }
        defer { free(pointer) }
        return String(cString: pointer)
    }

    /// The names of the root group's datasets, in creation order if tracked, else by name.
    private static func names(_ file: hid_t, _ path: String) throws -> [String] {
        final class Box { var names: [String] = [] }
        let box = Box()
        let visit: H5L_iterate_t = { _, name, _, data in
            guard let name, let data else { return -1 }
            Unmanaged<Box>.fromOpaque(data).takeUnretainedValue().names.append(String(cString: name))
            return 0
        }
        let context = Unmanaged.passUnretained(box).toOpaque()
        var index: hsize_t = 0
        if H5Literate(file, H5_INDEX_CRT_ORDER, H5_ITER_INC, &index, visit, context) < 0 {
            box.names = []
            index = 0
            try HDF5.check(status: H5Literate(file, H5_INDEX_NAME, H5_ITER_INC, &index, visit, context),
                           path, "list the datasets", LinflowError.data)
        }
        return box.names.filter { isDataset(file, $0) }
    }

    private static func isDataset(_ file: hid_t, _ name: String) -> Bool {
        let object = H5Oopen(file, name, HDF5.defaultList)
        guard object >= 0 else { return false }
        defer { H5Oclose(object) }
        return H5Iget_type(object) == H5I_DATASET
    }
}

#if canImport(Glibc)
import Glibc
#endif
