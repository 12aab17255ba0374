/// The modified flow of backward error analysis (Barrett & Dherin, "Implicit gradient
/// regularization", ICLR 2021) for gradient descent with learning rate η:
///
///     dθ/dt = −∇L̃(θ),   L̃ = L + (η/4)‖∇L‖²,   i.e.   dθ/dt = −∇L − (η/2) H∇L,
///
/// with H = ∇²L. Descent θ_{k+1} = θ_k − η∇L(θ_k) stays within O(η²) of this flow at t = kη
/// over a fixed horizon, but only within O(η) of the plain flow dθ/dt = −∇L.
///
/// H∇L is the exact Hessian-vector product: with g = −∇L from ``GradientFlow/evaluate(_:_:)``,
/// H∇L = −Hg (``HessianProduct``, allocation-free), so the right-hand side is g + (η/2)·Hg.
///
/// With weight decay and per-layer rates (``GradientFlow/terms``) descent is θ ← θ + ηf(θ) with
/// f = −R(∇L + γDθ) (R the rates, D the identity on weights and 0 on biases), and the same
/// analysis gives dθ/dt = f − (η/2) f′f with f′ = −R(H + γD): the right-hand side is
/// f + (η/2)·R(Hf + γDf), which is the above for R = I, γ = 0.
public final class ModifiedFlow: ODESystem {
    public let flow: GradientFlow
    public let learningRate: Double
    private var g: [Double]

    /// H g on preallocated buffers, into `hg`.
    private let hessianProduct: HessianProduct
    private var hg: [Double]

    public init(flow: GradientFlow, learningRate: Double) {
        self.flow = flow
        self.learningRate = learningRate
        g = Array(repeating: 0, count: flow.dimension)
        hg = g
        hessianProduct = HessianProduct(flow)
    }

    public var dimension: Int { flow.dimension }

    public func evaluate(_ y: UnsafePointer<Double>, _ dydt: UnsafeMutablePointer<Double>) -> Bool {
        let n = dimension
        guard g.withUnsafeMutableBufferPointer({ flow.evaluate(y, $0.baseAddress!) }) else { return false }
        // dθ/dt = g − (η/2) f′g with f′g = −R(Hg + γDg) (= −Hg for the plain flow).
        hessianProduct.prepare(at: y)
        let terms = flow.terms, architecture = flow.architecture
        g.withUnsafeBufferPointer { pg in
            hg.withUnsafeMutableBufferPointer { phg in
                hessianProduct.apply(pg.baseAddress!, into: phg.baseAddress!)
                if !terms.isPlain {
                    for i in 0..<n { phg[i] = -phg[i] }
                    terms.apply(to: phg.baseAddress!, decaying: pg.baseAddress!, architecture: architecture)
                    for i in 0..<n { phg[i] = -phg[i] }
                }
            }
        }
        let half = 0.5 * learningRate
        for i in 0..<n { dydt[i] = g[i] + half * hg[i] }
        return allFinite(dydt, count: n)
    }

    /// ∂f/∂θ by central differences of the exact right-hand side f, one column at a time with
    /// step h_j = 10⁻⁶·max(1, |θ_j|) (the exact derivative would need third derivatives of L).
    /// Only GSL's implicit steppers ask for it, and they use it only to solve their stage
    /// equations, so its O(h²) error affects their convergence, not the accuracy of the result.
    public func jacobian(_ y: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>) {
        let n = dimension
        var x = Array(UnsafeBufferPointer(start: y, count: n))
        var plus = [Double](repeating: 0, count: n), minus = plus
        for j in 0..<n {
            let h = 1e-6 * max(1, abs(x[j])), xj = x[j]
            x[j] = xj + h
            _ = evaluate(x, &plus)
            x[j] = xj - h
            _ = evaluate(x, &minus)
            x[j] = xj
            for i in 0..<n { out[i * n + j] = (plus[i] - minus[i]) / (2 * h) }
        }
    }
}
