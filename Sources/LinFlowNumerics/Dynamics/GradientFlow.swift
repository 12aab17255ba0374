/// The gradient flow of the squared-error loss of a deep linear chain,
///
///     dW_l/dt = −∂L/∂W_l = (W_L ⋯ W_{l+1})ᵀ (Σ31 − W Σ11) (W_{l−1} ⋯ W_1)ᵀ,   W = W_L ⋯ W_1,
///
/// with L = 1/(2N) Σₙ ‖yₙ − W xₙ‖². For two layers: dW32/dt = (Σ31 − W32W21Σ11)W21ᵀ and
/// dW21/dt = W32ᵀ(Σ31 − W32W21Σ11).
///
/// Biases: an affine chain (``Architecture/bias``) is the linear chain W̃_L ⋯ W̃_1 on x̃ = [x; 1]
/// with a clamped constant unit in each hidden layer, so the same formula applies with Σ̃11 =
/// E[x̃x̃ᵀ], Σ̃31 = E[y x̃ᵀ] (``Correlations/augmented()``) and W̃_l in place of W_l; the
/// velocity of (W_l, b_l) is the top n_l rows of that of W̃_l (the clamped row is discarded:
/// the chain rule through the free entries does not depend on whether the others are free).
/// In particular db_L/dt = E[y − ŷ] and db_l/dt = (W̃_L ⋯ W̃_{l+1})ᵀ E[(y − ŷ)] restricted to unit l.
///
/// Evaluation order (it decides the cost): prefixes P_l = W_l P_{l−1} (P_0 = I), the error
/// E = Σ31 − P_L Σ11, formed in centred form as E = (C31 − P_L C11) + r̄ E[x]ᵀ with the mean
/// residual r̄ = E[y] − P_L E[x] (``Correlations/covariance11``: the same E, without the rounding
/// of moments that are large when the data sit far from the origin), back-propagated Q_L = E, Q_l = W_{l+1}ᵀ Q_{l+1}, and G_l = Q_l P_{l−1}ᵀ.
/// The end-to-end map is formed once, raw samples are never touched, and every buffer is
/// allocated up front: an evaluation allocates nothing.
///
/// ``terms`` add weight decay and per-layer rates (``FlowTerms``): the velocity is then
/// −r_l(∂L/∂W_l + γW_l) (biases −r_l ∂L/∂b_l), applied to −∇L as the last step of an evaluation.
/// The loss, its Hessian (``HessianProduct``) and ``leastSquares`` stay those of L alone.
public final class GradientFlow: @unchecked Sendable {
    public let architecture: Architecture
    /// The correlations the chain sees: those of the data, or of x̃ = [x; 1] with biases.
    public let correlations: Correlations
    public let gemmPath: GemmPath
    /// Weight decay and per-layer rates; plain gradient flow on L by default.
    public let terms: FlowTerms

    /// ``Architecture/chainSizes``: the sizes of the (possibly augmented) chain.
    private let sizes: [Int]
    private let depth: Int
    private let n0: Int
    /// C11 and C31 (the centred moments; Σ11 and Σ31 when the means are not known).
    private let sigma11: UnsafeMutablePointer<Double>
    private let sigma31: UnsafeMutablePointer<Double>
    /// E[x] (n0) then E[y] (nL), and tr C33; used when `centred`.
    private let means: UnsafeMutablePointer<Double>
    private let traceC33: UnsafeMutablePointer<Double>
    private let centred: Bool
    /// prefix[l] holds P_l (n_l × n0) for l = 2…L; indices 0 and 1 unused (P_1 = W_1).
    private let prefix: [UnsafeMutablePointer<Double>]
    /// back[l] holds Q_l (n_l × n0) for l = 2…L; Q_1 is written into the velocity directly.
    private let back: [UnsafeMutablePointer<Double>]
    /// With biases only: chain[l] holds W̃_l (its clamped row set once), grad[l] its velocity.
    private let chain: [UnsafeMutablePointer<Double>]
    private let grad: [UnsafeMutablePointer<Double>]
    private let offsets: [Int]

    /// Number of right-hand-side evaluations so far.
    public var evaluations: Int { counter.pointee }
    // The buffers above are `let` and the counter lives outside the object so that an
    // evaluation of a tiny chain pays no dynamic exclusivity checks (they were ~20% of it).
    private let counter = UnsafeMutablePointer<Int>.allocate(capacity: 1)
    /// [0]: whether ``evaluate(_:_:)`` records the loss (1) or not (0); [1]: 1 once
    /// ``setGradientCorrelations(_:)`` replaced the data's Σ11 and Σ31.
    private let lossFlags = UnsafeMutablePointer<Int>.allocate(capacity: 2)
    private let lastLoss = UnsafeMutablePointer<Double>.allocate(capacity: 1)

    /// Whether ``evaluate(_:_:)`` also records L(θ) for ``lossAtLastEvaluation`` (off by default:
    /// the ODE integrators do not need it).
    public var recordsLoss: Bool {
        get { lossFlags[0] != 0 }
        set { lossFlags[0] = newValue ? 1 : 0 }
    }

    /// L(θ) at the θ of the last ``evaluate(_:_:)`` while ``recordsLoss`` was on, read off its
    /// centred error E_c = C31 − WC11 without a further product: tr(WC11Wᵀ) = tr(WC31ᵀ) − tr(WE_cᵀ),
    /// so L = ½(tr C33 − tr(WC31ᵀ) − tr(WE_cᵀ)) + ½‖r̄‖² (``Correlations/loss(endToEnd:)``). It
    /// agrees with ``loss(at:)`` to rounding. NaN if nothing was recorded, or once ``setGradientCorrelations(_:)``
    /// made the evaluations use other correlations than the data's (a minibatch's loss is not L).
    public var lossAtLastEvaluation: Double { lossFlags[1] == 0 ? lastLoss.pointee : .nan }

    /// `correlations` are those of the data (Σ11, Σ31 of x); with biases they must carry the
    /// means, and the flow works on their ``Correlations/augmented()`` form.
    public init(architecture: Architecture, correlations data: Correlations, terms: FlowTerms = FlowTerms(),
                gemmPath: GemmPath = .automatic) throws {
        precondition(architecture.inputs == data.inputs && architecture.outputs == data.outputs)
        try terms.check(depth: architecture.depth)
        self.terms = terms
        let correlations = architecture.bias ? try data.augmented() : data
        leastSquares = try LeastSquares(correlations)
        self.architecture = architecture
        self.correlations = correlations
        self.gemmPath = gemmPath
        sizes = architecture.chainSizes
        depth = architecture.depth
        n0 = sizes[0]
        centred = correlations.inputMean != nil && correlations.outputMean != nil
        sigma11 = .allocate(capacity: n0 * n0)
        sigma31 = .allocate(capacity: correlations.sigma31.storage.count)
        means = .allocate(capacity: n0 + correlations.outputs)
        traceC33 = .allocate(capacity: 1)
        sigma11.initialize(repeating: 0, count: n0 * n0)
        sigma31.initialize(repeating: 0, count: correlations.sigma31.storage.count)
        means.initialize(repeating: 0, count: n0 + correlations.outputs)
        traceC33.initialize(to: 0)
        (prefix, back) = (ChainBuffers.prefixShaped(architecture, from: 2), ChainBuffers.prefixShaped(architecture, from: 2))
        (chain, grad) = (ChainBuffers.chainShaped(architecture, clamped: true), ChainBuffers.chainShaped(architecture, clamped: false))
        counter.initialize(to: 0)
        lossFlags.initialize(repeating: 0, count: 2)
        lastLoss.initialize(to: .nan)
        dimension = architecture.parameterCount
        offsets = (0...depth).map { $0 == 0 ? 0 : architecture.offset(ofLayer: $0) }
        load(correlations)
    }

    /// Copies the moments the evaluations use (centred, with the means, when they are known).
    private func load(_ c: Correlations) {
        sigma11.update(from: (centred ? c.covariance11 : c.sigma11).storage, count: n0 * n0)
        sigma31.update(from: (centred ? c.covariance31 : c.sigma31).storage, count: c.sigma31.storage.count)
        traceC33.pointee = centred ? c.traceCovariance33 : c.traceSigma33
        if centred, let mx = c.inputMean, let my = c.outputMean {
            means.update(from: mx, count: n0)
            (means + n0).update(from: my, count: my.count)
        } else if centred {
            means.update(repeating: 0, count: n0 + c.outputs)
        }
    }

    deinit {
        sigma11.deallocate()
        sigma31.deallocate()
        means.deallocate()
        traceC33.deallocate()
        (prefix + back + chain + grad).forEach { $0.deallocate() }
        counter.deallocate()
        lossFlags.deallocate()
        lastLoss.deallocate()
    }

    /// The number of parameters (stored: the architecture computes it on every call).
    public let dimension: Int

    /// The least-squares solution of the same data, used for the loss and for reports.
    public let leastSquares: LeastSquares

    /// L(θ) = 1/(2N) Σₙ ‖yₙ − ŷₙ‖² at the given weights, as L* + (L − L*) from the samples'
    /// R factor (``LeastSquares/loss(endToEnd:)``): never below the floor the run reports.
    /// Every command computes the loss through here so that all agree on it. ``leastSquares``
    /// and ``Weights/effectiveMap`` are both in the chain's input space (x̃ with biases).
    public func loss(at weights: Weights) -> Double {
        lossAndExcess(at: weights).loss
    }

    /// L(θ) and the excess L(θ) − L* (≥ 0, the `excess_loss` column).
    public func lossAndExcess(at weights: Weights) -> (loss: Double, excess: Double) {
        let (loss, excess) = leastSquares.loss(endToEnd: weights.effectiveMap)
        // A NaN weight gives a NaN excess; keep it NaN in both (a divergence must be seen).
        return excess.isNaN ? (.nan, .nan) : (loss, excess)
    }

    /// Writes dθ/dt = −∇L(θ) (with ``terms``: −r_l(∇_l L + γW_l)) for the flat weights θ = `y` into `dydt`.
    /// Returns false if any component is not finite.
    @discardableResult
    public func evaluate(_ y: UnsafePointer<Double>, _ dydt: UnsafeMutablePointer<Double>) -> Bool {
        counter.pointee += 1
        let p = gemmPath
        let bias = architecture.bias
        if bias { architecture.gatherChain(y, into: chain) }
        // W̃_l and where its velocity goes: the flat vector itself, or the chain buffers.
        func w(_ l: Int) -> UnsafePointer<Double> { bias ? UnsafePointer(chain[l]) : y + offsets[l] }
        func g(_ l: Int) -> UnsafeMutablePointer<Double> { bias ? grad[l] : dydt + offsets[l] }
        // Prefixes P_l = W_l P_{l−1}; P_1 = W_1 is read in place (no copy: at 784-1000-10 that
        // is 6 MB per evaluation), so prefix[1] is unused.
        func P(_ l: Int) -> UnsafePointer<Double> { l == 1 ? w(1) : UnsafePointer(prefix[l]) }
        if depth >= 2 {
            for l in 2...depth {
                gemm(.none, .none, sizes[l], n0, sizes[l - 1], 1, w(l), sizes[l - 1],
                     P(l - 1), n0, 0, prefix[l], n0, path: p)
            }
        }
        // E = (C31 − P_L C11) + r̄ E[x]ᵀ, stored in back[L] (in G_1 itself for a single layer).
        let nL = sizes[depth]
        let e = depth == 1 ? g(1) : back[depth]
        e.update(from: sigma31, count: nL * n0)
        gemm(.none, .none, nL, n0, n0, -1, P(depth), n0, sigma11, n0, 1, e, n0, path: p)
        let recording = lossFlags[0] != 0
        var t1 = 0.0, t2 = 0.0, rr = 0.0
        if recording {
            let w = P(depth)
            for i in 0..<(nL * n0) { t1 += w[i] * sigma31[i]; t2 += w[i] * e[i] }
        }
        if centred {
            let w = P(depth), mx = UnsafePointer(means), my = UnsafePointer(means + n0)
            for o in 0..<nL {
                var r = my[o]
                for i in 0..<n0 { r -= w[o * n0 + i] * mx[i] }
                rr += r * r
                for i in 0..<n0 { e[o * n0 + i] += r * mx[i] }
            }
        }
        if recording {
            let l = 0.5 * (traceC33.pointee - t1 - t2) + 0.5 * rr
            // Clamped like ``Correlations/loss(endToEnd:)``; a NaN stays NaN (Swift's max(0, .nan)
            // is 0) so that a divergence is seen.
            lastLoss.pointee = l.isNaN ? l : max(0, l)
        }
        // Q_l = W_{l+1}ᵀ Q_{l+1}; Q_1 is G_1 and goes straight to its place in dθ/dt.
        if depth >= 2 {
            for l in stride(from: depth - 1, through: 1, by: -1) {
                gemm(.transpose, .none, sizes[l], n0, sizes[l + 1], 1, w(l + 1), sizes[l],
                     back[l + 1], n0, 0, l == 1 ? g(1) : back[l], n0, path: p)
            }
        }
        // G_l = Q_l P_{l−1}ᵀ.
        if depth >= 2 {
            for l in 2...depth {
                gemm(.none, .transpose, sizes[l], sizes[l - 1], n0, 1, back[l], n0, P(l - 1), n0,
                     0, g(l), sizes[l - 1], path: p)
            }
        }
        if bias { architecture.scatterChain(grad, into: dydt) }
        terms.apply(to: dydt, decaying: y, architecture: architecture)
        return allFinite(dydt, count: dimension)
    }

    /// Makes ``evaluate(_:_:)`` use the Σ11 and Σ31 of `c` (the data's sizes, with means), e.g. a
    /// minibatch's own for stochastic gradient descent; with biases they are augmented like the
    /// data's. `correlations`, `loss(at:)`, `leastSquares` and `velocityDerivative(at:along:)`
    /// keep describing the data the flow was made with.
    public func setGradientCorrelations(_ data: Correlations) throws {
        let c = architecture.bias ? try data.augmented() : data
        precondition(c.inputs == n0 && c.outputs == architecture.outputs)
        load(c)
        lossFlags[1] = 1
    }

    /// The velocity dθ/dt at `weights` (−∇L for the plain flow), as a value (allocates; for set-up and tests).
    public func velocity(at weights: Weights) -> Weights {
        var out = [Double](repeating: 0, count: dimension)
        weights.flat.withUnsafeBufferPointer { y in
            out.withUnsafeMutableBufferPointer { d in _ = evaluate(y.baseAddress!, d.baseAddress!) }
        }
        return Weights(architecture: architecture, flat: out)
    }

    /// The directional derivative of −∇L at θ along v, i.e. −H(θ) v with H the Hessian of L alone
    /// (``terms`` do not enter: this is the loss's curvature, which `sharpness` reports)
    /// (``HessianProduct``, which differentiates the evaluation order of ``evaluate(_:_:)`` term
    /// by term). Allocates; for one-off products and tests — repeated products at one θ should
    /// keep a ``HessianProduct``.
    public func velocityDerivative(at weights: Weights, along v: Weights) -> Weights {
        let hp = HessianProduct(self)
        var out = [Double](repeating: 0, count: dimension)
        weights.flat.withUnsafeBufferPointer { hp.prepare(at: $0.baseAddress!) }
        v.flat.withUnsafeBufferPointer { pv in out.withUnsafeMutableBufferPointer { hp.apply(pv.baseAddress!, into: $0.baseAddress!) } }
        return Weights(architecture: architecture, flat: out.map { -$0 })
    }

    /// The Jacobian of the flow, ∂(dθ/dt)/∂θ = −H (with ``terms``: −R(H + γD), R the rates on
    /// each layer's entries, D the identity on the weights and 0 on the biases), row-major
    /// dimension × dimension, built from exact Hessian-vector products (used by GSL's implicit steppers).
    /// It costs `dimension` directional derivatives per call, so implicit steppers suit small
    /// networks (hundreds of weights, not tens of thousands).
    public func jacobian(at weights: Weights, into out: UnsafeMutablePointer<Double>) {
        let n = dimension
        // Column j is −H e_j; H is symmetric, so rows are written contiguously instead.
        let hp = HessianProduct(self)
        weights.flat.withUnsafeBufferPointer { hp.prepare(at: $0.baseAddress!) }
        let e = UnsafeMutablePointer<Double>.allocate(capacity: n)
        defer { e.deallocate() }
        e.initialize(repeating: 0, count: n)
        for j in 0..<n {
            e[j] = 1
            hp.apply(e, into: out + j * n)
            e[j] = 0
        }
        for i in 0..<(n * n) { out[i] = -out[i] }
        guard !terms.isPlain else { return }
        // Row i of −R(H + γD) is r_i times row i of −H, less γ r_i on the diagonal of a weight:
        // the terms applied to each column of the transpose, with the unit vector as direction.
        let column = UnsafeMutablePointer<Double>.allocate(capacity: n)
        defer { column.deallocate() }
        for j in 0..<n {
            for i in 0..<n { column[i] = out[i * n + j] }
            e[j] = 1
            terms.apply(to: column, decaying: e, architecture: architecture)
            e[j] = 0
            for i in 0..<n { out[i * n + j] = column[i] }
        }
    }
}

extension GradientFlow: ODESystem {
    public func jacobian(_ y: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>) {
        let w = Weights(architecture: architecture, flat: Array(UnsafeBufferPointer(start: y, count: dimension)))
        jacobian(at: w, into: out)
    }
}
