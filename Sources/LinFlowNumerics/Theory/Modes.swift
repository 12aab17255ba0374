/// The basis in which `--modes` reports the strength of each mode of the end-to-end map,
/// a_α = u_αᵀ W v_α (α = 1…r, r = min(n0, nL)).
///
/// u_α, v_α are the singular vectors of the least-squares map W* = Σ31Σ11⁺ that the network
/// learns (with biases: of the linear block of the affine least-squares map, i.e. of the
/// centred regression), so every a_α converges to the singular value σ_α of W* and a plot
/// shows each stage ending on its own plateau. For whitened inputs, Σ11 = c·I, W* = Σ31/c:
/// the vectors are those of Σ31 — the basis of Saxe et al.'s analysis, in which an aligned
/// start decouples — and σ_α = s_α/c; they are then taken from Σ31 itself, so they agree with
/// `--init aligned`. For other inputs no basis decouples the flow; W*'s is the one in which
/// the end point is diagonal, whereas in Σ31's own basis the learned map keeps off-diagonal
/// parts and the a_α need not approach anything in particular.
public struct ModeBasis: Sendable {
    /// n_L × r, columns u_α.
    public let u: Matrix
    /// n_0 × r, columns v_α.
    public let v: Matrix
    /// σ_α, the strengths the modes converge to.
    public let values: [Double]

    public init(u: Matrix, v: Matrix, values: [Double]) {
        precondition(u.cols == values.count && v.cols == values.count)
        (self.u, self.v, self.values) = (u, v, values)
    }

    public init(flow: GradientFlow) throws {
        let n0 = flow.architecture.inputs
        if !flow.architecture.bias, let c = whitenedScale(flow.correlations.sigma11) {
            let svd = try SingularValueDecomposition(flow.correlations.sigma31)
            (u, v, values) = (svd.u, svd.v, svd.values.map { $0 / c })
        } else {
            let svd = try SingularValueDecomposition(flow.leastSquares.map.leadingColumns(n0))
            (u, v, values) = (svd.u, svd.v, svd.values)
        }
    }

    /// a_α = u_αᵀ W v_α for the linear part W of the end-to-end map.
    public func strengths(of endToEnd: Matrix) -> [Double] {
        let m = u.transposed * endToEnd * v
        return (0..<values.count).map { m[$0, $0] }
    }
}
