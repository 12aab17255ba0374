import Foundation
import Testing

/// linflow may re-initialise OpenBLAS with other kernels than it loaded with (docs/cli.md, "The
/// BLAS kernels"). Whatever kernels and thread count run the products, the trajectories must
/// agree to rounding, and the run record must say which kernels ran.
@Suite struct BLASKernelsCLITests {
    /// A network whose products all go to OpenBLAS (each is above 256 multiply-adds).
    func arguments(_ command: String) -> [String] {
        ["--hidden", "24", "--diagnostics", "none"]
            + (command == "descend" ? ["--lr", "0.05", "--steps", "400", "--every", "100", "--no-sharpness"]
                                    : ["--t-end", "40", "--samples", "4"])
    }

    func run(_ command: String, _ environment: [String: String], in dir: URL, name: String) throws -> (rows: [[Double]], kernels: String) {
        let out = dir.appendingPathComponent(name).path
        let r = try CLI.run([command] + arguments(command) + ["-o", out], environment: environment)
        #expect(r.status == 0, "\(r.stderr)")
        let record = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + ".json"))) as! [String: Any]
        let blas = record["blas"] as! [String: Any]
        return (parseCSV(try String(contentsOfFile: out, encoding: .utf8)).rows, blas["kernels"] as! String)
    }

    @Test(arguments: ["simulate", "descend"])
    func kernelsAndThreadsAgree(command: String) throws {
        let dir = CLI.temporaryDirectory()
        let chosen = try run(command, [:], in: dir, name: "chosen.csv")
        let generic = try run(command, ["OPENBLAS_CORETYPE": "Prescott"], in: dir, name: "generic.csv")
        let oneThread = try run(command, ["OPENBLAS_NUM_THREADS": "1"], in: dir, name: "one.csv")
        #expect(generic.kernels == "Prescott", "a user's OPENBLAS_CORETYPE must win")
        #expect(oneThread.kernels == chosen.kernels)
        #expect(chosen.rows.count == 5 && generic.rows.count == 5 && oneThread.rows.count == 5)
        for other in [generic.rows, oneThread.rows] {
            for (a, b) in zip(chosen.rows, other) {
                let scale = a.map(abs).max()!
                let gap = zip(a, b).map { abs($0 - $1) }.max()!
                #expect(gap <= 1e-11 * scale, "max deviation \(gap) at t = \(a[0])")
            }
        }
        // The run moved (so the comparison is not of two copies of the start).
        #expect(chosen.rows.last![1] < 0.5 * chosen.rows.first![1])
    }
}
