import LinFlowIO
import LinFlowNumerics
import LinFlowTestSupport
import Testing

/// The `sv_k` columns: the singular values of the end-to-end map W = W_L ⋯ W_1, decreasing,
/// checked against the product formed here by hand and two independent facts: GSL's
/// Golub–Reinsch SVD (another algorithm than the LAPACK dgesdd the columns use) and
/// Σ_k s_k² = ‖W‖²_F.
@Suite struct DiagnosticColumnsTests {
    @Test(arguments: [[5, 4, 3], [3, 6, 2, 7], [8, 16, 15]])
    func singularValueColumnsAreThoseOfTheEndToEndMap(sizes: [Int]) throws {
        let a = try Architecture(sizes: sizes)
        let layout = TrajectoryLayout(architecture: a, diagnostics: .singularValues)
        var g = SplitMix64(seed: UInt64(31 * sizes.count + sizes[0]))
        let w = Weights(architecture: a, flat: (0..<a.parameterCount).map { _ in g.normal() })
        let row = try layout.values(time: 0, loss: 0, excess: 0, weights: w)
        let first = try #require(layout.columns.firstIndex(of: "sv_1"))
        let sv = Array(row[first...])
        var product = w.layer(1)
        for l in 2..<sizes.count { product = w.layer(l) * product }
        #expect(product.rows == sizes.last! && product.cols == sizes.first!)
        #expect(sv.count == min(sizes.first!, sizes.last!))
        #expect(zip(sv, sv.dropFirst()).allSatisfy { $0 >= $1 }, "not decreasing: \(sv)")
        let reference = try SingularValueDecomposition(product).values
        let scale = reference[0]
        for (s, r) in zip(sv, reference) { #expect(abs(s - r) <= 1e-13 * scale, "\(s) against \(r)") }
        let frobenius = product.storage.reduce(0) { $0 + $1 * $1 }
        #expect(abs(sv.reduce(0) { $0 + $1 * $1 } - frobenius) <= 1e-13 * frobenius)
        // A bottleneck narrower than both ends (3-6-2-7) leaves a zero singular value.
        if let narrowest = sizes.dropFirst().dropLast().min(), narrowest < sv.count {
            #expect(sv[narrowest...].allSatisfy { $0 <= 1e-14 * scale }, "\(sv)")
        }
    }
}
