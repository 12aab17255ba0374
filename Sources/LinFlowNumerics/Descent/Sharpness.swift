import Dispatch

/// The sharpness λ_max(H), the largest (algebraic) eigenvalue of the Hessian H = ∇²L(θ), by the
/// Lanczos iteration on exact Hessian-vector products (H v = −``GradientFlow/velocityDerivative(at:along:)``).
///
/// k steps of Lanczos from a unit vector q_1 build an orthonormal basis of the Krylov space
/// span{q_1, Hq_1, …, H^{k−1}q_1} in which H is the tridiagonal T_k (α on the diagonal, β beside
/// it); the largest eigenvalue θ of T_k is the best estimate of λ_max that space holds, never
/// above it, and ‖H y − θ y‖ = β_{k+1}|s_k| for its Ritz vector y = Q_k s (θ and s_k² by
/// ``tridiagonalTopEigenvalue(diagonal:offDiagonal:leading:)`` at each step, in O(k); LAPACK's
/// dstevx confirms the stopping test and gives s once). It finds the largest *algebraic* eigenvalue directly, also where H is
/// indefinite (at θ = 0 of a two-layer net its spectrum is ±s_i), and converges in tens of
/// products where power iteration needs thousands when the top eigenvalues cluster (2004 at
/// 784-1000-10 on random data).
///
/// It stops when the residual is ≤ `tolerance`·|θ| (an eigenvalue of H lies within the residual
/// of θ), or after `maxIterations` (or the dimension) steps. When the basis fits in 32 MB it is
/// kept, each new vector is re-orthogonalised against it (no spurious copies of converged values),
/// and the next call starts from this call's Ritz vector plus a fresh random vector: the first
/// makes estimates along a trajectory cheap, the second lets a new eigenvalue that rises past
/// the old top one be found. Larger networks start from a fresh random vector each time. The
/// random vectors come from a fixed seed, so estimates are reproducible.
///
/// With `reusing`, an estimate θ₀ made at W₀ with residual r₀ is returned again at W while
/// r₀ + ``HessianDrift`` (a bound on ‖H(W) − H(W₀)‖₂) ≤ `tolerance`·|θ₀|: by Weyl's inequality
/// every eigenvalue of H moved by at most the bound, so an eigenvalue of H(W) still lies within
/// `tolerance`·|θ₀| of θ₀, the promise of a fresh estimate, and λ_max(H(W)) is as close to θ₀
/// as λ_max(H(W₀)) was, give or take the bound. Never for chains with biases.
public final class SharpnessEstimator {
    public let flow: GradientFlow
    public let tolerance: Double
    public let maxIterations: Int
    /// Hessian-vector products used so far.
    public private(set) var products = 0
    /// Wall-clock seconds spent in ``estimate(at:)`` so far.
    public private(set) var seconds = 0.0
    /// Estimates returned again under the `reusing` rule instead of computed.
    public private(set) var reused = 0
    /// The `reusing` rule's bound; nil without the rule or for a chain with biases.
    private let drift: HessianDrift?
    /// The last computed estimate, its residual and where it was made.
    private var last: (value: Double, residual: Double, anchor: HessianDrift.Anchor)?
    /// The residual ‖Hy − θy‖ of the last Lanczos run's estimate.
    private var lastResidual = Double.infinity
    private var vector: [Double]
    private let random = GaussianSource(seed: 0x5348_4152)
    /// How many Lanczos vectors are kept for re-orthogonalisation and the Ritz vector.
    private let storable: Int
    /// Allocation-free Hessian-vector products.
    private let hessianProduct: HessianProduct

    /// Whether the estimate is of the descent step's operator instead of the loss's Hessian
    /// (``init(flow:tolerance:maxIterations:ofStep:)``).
    public let ofStep: Bool
    /// √r_l on every entry of layer l (weights and biases), and 1 on weights, 0 on biases (what
    /// the decay reaches); empty when ``ofStep`` is false or the flow is plain.
    private let rootRates: [Double], decayed: [Double]
    /// R^{1/2}v for the product at hand (with ``ofStep``), allocated once.
    private var scaled: [Double]

    /// `ofStep`: estimate instead the top eigenvalue of R(H + γD), the operator whose η-multiple
    /// descent's step subtracts near θ under ``GradientFlow/terms`` (per-layer rates R, decay γ
    /// on the weights D, not the biases), through its symmetric form R^{1/2}(H + γD)R^{1/2}:
    /// descent is stable at θ only while η·λ_max of it ≤ 2. For a plain flow it is λ_max(H).
    public init(flow: GradientFlow, tolerance: Double = 1e-7, maxIterations: Int = 2000, ofStep: Bool = false,
                reusing: Bool = false) {
        self.flow = flow
        drift = reusing && !(ofStep && !flow.terms.isPlain) ? HessianDrift(flow: flow) : nil
        self.ofStep = ofStep && !flow.terms.isPlain
        var roots: [Double] = [], decayed: [Double] = []
        if self.ofStep {
            let a = flow.architecture
            for l in 1...a.depth {
                let (rows, cols) = a.shape(ofLayer: l), r = flow.terms.rate(ofLayer: l).squareRoot()
                roots += [Double](repeating: r, count: rows * cols + (a.bias ? rows : 0))
                decayed += [Double](repeating: 1, count: rows * cols) + [Double](repeating: 0, count: a.bias ? rows : 0)
            }
        }
        (rootRates, self.decayed) = (roots, decayed)
        scaled = [Double](repeating: 0, count: self.ofStep ? flow.dimension : 0)
        self.tolerance = tolerance
        self.maxIterations = maxIterations
        vector = Array(repeating: 0, count: flow.dimension)
        storable = (32 << 20) / (8 * max(1, flow.dimension))
        hessianProduct = HessianProduct(flow)
    }

    /// A unit vector from a fixed pseudo-random sequence, so that estimates are reproducible.
    private func freshVector() -> [Double] {
        normalized((0..<flow.dimension).map { _ in random.next(standardDeviation: 1) })
    }

    /// λ_max(∇²L) at `weights` (with ``ofStep``, λ_max(R^{1/2}(∇²L + γD)R^{1/2})).
    public func estimate(at weights: Weights) -> Double {
        let start = DispatchTime.now()
        defer { seconds += LinFlowNumerics.seconds(since: start) }
        guard let drift else { return lanczos(at: weights) }
        if let last, last.residual + drift.bound(from: last.anchor, to: weights) <= tolerance * abs(last.value) {
            reused += 1
            return last.value
        }
        let value = lanczos(at: weights)
        last = value.isFinite ? (value, lastResidual, drift.anchor(at: weights)) : nil
        return value
    }

    /// The Lanczos estimate at `weights`; sets ``lastResidual``.
    private func lanczos(at weights: Weights) -> Double {
        lastResidual = .infinity
        // What the products share at θ (W_l, prefixes, back-propagated errors) is built once per
        // estimate; each product then runs on preallocated buffers (``HessianProduct``).
        let n = flow.dimension
        weights.flat.withUnsafeBufferPointer { hessianProduct.prepare(at: $0.baseAddress!) }
        let γ = flow.terms.weightDecay
        func hessianTimes(_ v: [Double], _ out: inout [Double]) {
            guard ofStep else {
                v.withUnsafeBufferPointer { pv in
                    out.withUnsafeMutableBufferPointer { hessianProduct.apply(pv.baseAddress!, into: $0.baseAddress!) }
                }
                return
            }
            // R^{1/2}(H + γD)R^{1/2} v
            for i in 0..<n { scaled[i] = rootRates[i] * v[i] }
            scaled.withUnsafeBufferPointer { pu in
                out.withUnsafeMutableBufferPointer { hessianProduct.apply(pu.baseAddress!, into: $0.baseAddress!) }
            }
            for i in 0..<n { out[i] = rootRates[i] * (out[i] + γ * decayed[i] * scaled[i]) }
        }
        let steps = min(maxIterations, n)
        var q = normalized(zip(vector, freshVector()).map(+)), previous = [Double](repeating: 0, count: n)
        var basis: [[Double]] = []
        let keep = steps <= storable
        var alpha: [Double] = [], beta: [Double] = []  // beta[i] couples q_i and q_{i+1}
        var theta = -Double.infinity, ritz: [Double] = [], leading: Double?
        var w = [Double](repeating: 0, count: n)
        for k in 0..<steps {
            if keep { basis.append(q) }
            products += 1
            hessianTimes(q, &w)
            guard w.withUnsafeBufferPointer({ allFinite($0.baseAddress!, count: n) }) else { return .nan }
            let a = dot(w, q)
            alpha.append(a)
            let b = beta.last ?? 0
            // w ← w − α q − β q_prev, then against every kept vector (BLAS level 1: at
            // 784-1000-10 each pass is over 794 000 numbers).
            axpy(-a, q, &w)
            if b != 0 { axpy(-b, previous, &w) }
            if keep { for v in basis { axpy(-dot(w, v), v, &w) } }
            let next = norm(w)
            // β ≈ 0: the Krylov space is invariant under H and θ is exact in it.
            let invariant = next <= 1e-14 * max(abs(a), b, 1e-300)
            // T_k's top eigenvalue and the last component of its eigenvector give the residual,
            // in O(k) without LAPACK (``tridiagonalTopEigenvalue``); LAPACK's eigenpair, whose
            // vector builds the Ritz vector, only once the iteration stops.
            guard let (value, last2) = tridiagonalTopEigenvalue(diagonal: alpha, offDiagonal: beta, leading: leading) else { return .nan }
            let stops = { [tolerance] (value: Double, last2: Double, slack: Double) in
                // Some eigenvalue of H lies within the residual of θ.
                next * last2.squareRoot() <= slack * tolerance * max(abs(value), .leastNormalMagnitude) || invariant || k == steps - 1
            }
            // LAPACK decides once the O(k) residual is within rounding of passing the test
            // (1% covers the two computations' differences in s_k), so that the stops are its.
            leading = value
            if stops(value, last2, 1.01) {
                guard let (value, s) = try? tridiagonalTopEigenpair(diagonal: alpha, offDiagonal: beta) else { return .nan }
                // The residual is decided by LAPACK's pair, as the value written is its.
                if stops(value, s[k] * s[k], 1) {
                    theta = value
                    ritz = s
                    lastResidual = next * abs(s[k])
                    break
                }
            }
            beta.append(next)
            swap(&previous, &q)
            scal(1 / next, &w)
            swap(&q, &w)  // w's old storage (q_{k−1}'s) is overwritten by the next product
        }
        if keep {
            var y = [Double](repeating: 0, count: n)
            for (v, c) in zip(basis, ritz) { axpy(c, v, &y) }
            vector = normalized(y)
        } else {
            vector = [Double](repeating: 0, count: n)
        }
        return theta
    }
}
