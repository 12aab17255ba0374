/// The sharpness λ_max(H), the largest (algebraic) eigenvalue of the Hessian H = ∇²L(θ), by
/// power iteration on exact Hessian-vector products (H v = −``GradientFlow/velocityDerivative(at:along:)``).
///
/// H is symmetric but indefinite away from a minimum (at θ = 0 of a two-layer net its spectrum
/// is ±s_i, the singular values of Σ31), so plain power iteration would find the eigenvalue of
/// largest magnitude, which can be negative. Two phases therefore:
///
/// 1. power iteration on H: ρ_k = ‖H v_k‖ increases to the spectral radius ρ = max |λ_i|.
///    If the Rayleigh quotient v·Hv has reached +ρ, the dominant eigenvalue is positive: λ_max = ρ.
/// 2. otherwise power iteration on H + ρI, whose eigenvalues λ_i + ρ are ≥ 0 and largest at
///    λ_max: its Rayleigh quotient μ gives λ_max = μ − ρ.
///
/// Each phase stops when its estimate changes by less than `tolerance` (relative) in one
/// iteration, or after `maxIterations`. A Rayleigh quotient never exceeds λ_max, so an estimate
/// that has not converged errs low. Each call starts from the last eigenvector plus a fresh
/// random vector of the same norm: the first makes estimates along a trajectory cheap, the
/// second lets a new eigenvalue that rises past the old top one be found (a warm start alone,
/// purified of every other direction, would stay with the old eigenvalue).
public final class SharpnessEstimator {
    public let flow: GradientFlow
    public let tolerance: Double
    public let maxIterations: Int
    /// Hessian-vector products used so far.
    public private(set) var products = 0
    private var vector: [Double]
    private let random = GaussianSource(seed: 0x5348_4152)

    public init(flow: GradientFlow, tolerance: Double = 1e-7, maxIterations: Int = 2000) {
        self.flow = flow
        self.tolerance = tolerance
        self.maxIterations = maxIterations
        vector = Array(repeating: 0, count: flow.dimension)
    }

    /// A unit vector from a fixed pseudo-random sequence, so that estimates are reproducible.
    private func freshVector() -> [Double] {
        normalized((0..<flow.dimension).map { _ in random.next(standardDeviation: 1) })
    }

    /// λ_max(∇²L) at `weights`.
    public func estimate(at weights: Weights) -> Double {
        let arch = flow.architecture, layers = 1...arch.depth
        // What the products share at θ (W_l, prefixes, back-propagated errors) is built once per
        // estimate, not once per product as ``GradientFlow/velocityDerivative(at:along:)`` would.
        let lin = GradientFlow.Linearization(flow, at: weights)
        func hessianTimes(_ v: [Double]) -> [Double] {
            products += 1
            let direction = Weights(architecture: arch, flat: v)
            let dG = lin.derivative(along: layers.map { direction.chainLayer($0, clamp: 0) })
            return Weights(architecture: arch, chainLayers: dG).flat.map { -$0 }
        }
        // Phase 1: spectral radius.
        var v = normalized(zip(vector, freshVector()).map(+)), rho = 0.0, hv = [Double]()
        for _ in 0..<maxIterations {
            hv = hessianTimes(v)
            let r = norm(hv)
            guard r > 0, r.isFinite else { return r.isFinite ? 0 : .nan }
            v = hv.map { $0 / r }
            let done = abs(r - rho) <= tolerance * r
            rho = r
            if done { break }
        }
        if abs(dot(v, hessianTimes(v)) - rho) <= 10 * tolerance * rho {
            vector = v
            return rho
        }
        // Phase 2: the top of H + ρI.
        var mu = 0.0
        for _ in 0..<maxIterations {
            var w = hessianTimes(v)
            for i in w.indices { w[i] += rho * v[i] }
            let m = dot(v, w)
            let done = abs(m - mu) <= tolerance * abs(m)
            mu = m
            v = normalized(w)
            if done { break }
        }
        vector = v
        return mu - rho
    }
}

func dot(_ a: [Double], _ b: [Double]) -> Double {
    var s = 0.0
    for i in a.indices { s += a[i] * b[i] }
    return s
}

func norm(_ a: [Double]) -> Double { dot(a, a).squareRoot() }

func normalized(_ a: [Double]) -> [Double] {
    let n = norm(a)
    return n > 0 ? a.map { $0 / n } : a
}
