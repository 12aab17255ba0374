import CGSL
import CLinFlow

/// Which of OpenBLAS's kernel sets (its "core type") runs the matrix products.
///
/// OpenBLAS chooses once, when it loads, from the CPU model; releases older than the CPU fall
/// back to generic SSE3 kernels ("Prescott"). `selectForThisCPU()` redoes that choice from the
/// CPU's instruction-set features, as `OPENBLAS_CORETYPE` would before start. A user's own
/// `OPENBLAS_CORETYPE` always wins. docs/performance.md has the measurements.
public enum BLASCore {
    /// The core type in use, e.g. "SkylakeX", "Haswell", "Prescott".
    public static var name: String { String(cString: linflow_blas_core()) }

    /// The number of threads OpenBLAS splits a product over (`OPENBLAS_NUM_THREADS`, by
    /// default the cores). It can change the last bits of a product, so runs record it.
    public static var threads: Int { Int(linflow_blas_threads()) }

    /// Sets the threads of every later product in this process, as `OPENBLAS_NUM_THREADS`
    /// does for a process at its start: what a sweep running its tasks in-process gives them,
    /// the count each task's own process would get (so their records and bits agree).
    public static func setThreads(_ count: Int) { linflow_blas_set_threads(Int32(max(1, count))) }

    /// What a run record says about the products: OpenBLAS, its kernels and its threads.
    package static var record: [String: Any] { ["library": "OpenBLAS", "kernels": name, "threads": threads] }

    /// Re-initialises OpenBLAS with the kernels this CPU supports when it fell back to Prescott.
    /// Call it first thing in a process, before any BLAS call and before other threads start:
    /// OpenBLAS's thread pool and buffers are torn down and rebuilt.
    @discardableResult
    public static func selectForThisCPU() -> String {
        String(cString: linflow_blas_select_core())
    }
}
