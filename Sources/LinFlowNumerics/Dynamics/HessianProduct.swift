/// Hessian-vector products H v = ∇²L(θ) v at one θ, for many v, allocating nothing per product:
/// the directional derivative of the velocity G_l = Q_l P_{l−1}ᵀ (``GradientFlow``'s notation,
/// P_0 = I, Q_L = Σ31 − P_L Σ11, Q_l = W_{l+1}ᵀ Q_{l+1}) along dW, negated:
///
///     dP_1 = dW_1,   dP_l = dW_l P_{l−1} + W_l dP_{l−1}
///     dQ_L = −dP_L Σ11,   dQ_l = dW_{l+1}ᵀ Q_{l+1} + W_{l+1}ᵀ dQ_{l+1}
///     dG_1 = dQ_1,   dG_l = dQ_l P_{l−1}ᵀ + Q_l dP_{l−1}ᵀ,     H v = −dG.
///
/// On raw buffers sized once: at 784-1000-10 a product through ``Matrix`` values allocated ~10
/// temporaries of 6 MB. With biases it runs on
/// the augmented chain W̃_l = [W_l b_l; 0ᵀ 1] (directions have zero clamped rows, and the clamped
/// rows of the result are dropped), as ``GradientFlow`` does. Σ11 and Σ31 are the data's
/// (``GradientFlow/correlations``, augmented with biases), as for the loss.
final class HessianProduct {
    private let sizes: [Int]
    private let depth: Int
    private let n0: Int
    private let offsets: [Int]
    let dimension: Int
    private let sigma11: [Double]
    private let sigma31: [Double]
    /// θ (without biases; with them ``chain`` holds it), and per layer l = 1…L: P_l, Q_l, dP_l,
    /// dQ_l (n_l × n0; index 0 unused).
    private let theta: UnsafeMutablePointer<Double>
    private let p, q, dp, dq: [UnsafeMutablePointer<Double>]
    /// With biases only: W̃_l, dW̃_l and dG̃_l (chain shapes; index 0 unused).
    private let architecture: Architecture
    private let chain, direction, result: [UnsafeMutablePointer<Double>]

    init(_ flow: GradientFlow) {
        let a = flow.architecture
        architecture = a
        sizes = a.chainSizes
        depth = a.depth
        n0 = sizes[0]
        dimension = a.parameterCount
        offsets = (0...depth).map { $0 == 0 ? 0 : a.offset(ofLayer: $0) }
        sigma11 = flow.correlations.sigma11.storage
        sigma31 = flow.correlations.sigma31.storage
        theta = .allocate(capacity: dimension)
        (p, q) = (ChainBuffers.prefixShaped(a), ChainBuffers.prefixShaped(a))
        (dp, dq) = (ChainBuffers.prefixShaped(a), ChainBuffers.prefixShaped(a))
        (chain, direction, result) = (ChainBuffers.chainShaped(a, clamped: true), ChainBuffers.chainShaped(a, clamped: false),
                                      ChainBuffers.chainShaped(a, clamped: false))
    }

    deinit {
        theta.deallocate()
        (p + q + dp + dq + chain + direction + result).forEach { $0.deallocate() }
    }

    /// W_l (W̃_l with biases) at the prepared θ.
    private func w(_ l: Int) -> UnsafePointer<Double> { architecture.bias ? UnsafePointer(chain[l]) : UnsafePointer(theta + offsets[l]) }

    /// Fixes θ (flat weights) and forms P_l and Q_l there.
    func prepare(at weights: UnsafePointer<Double>) {
        if architecture.bias {
            architecture.gatherChain(weights, into: chain)
        } else {
            theta.update(from: weights, count: dimension)
        }
        let L = depth
        p[1].update(from: w(1), count: sizes[1] * n0)
        if L >= 2 {
            for l in 2...L {
                gemm(.none, .none, sizes[l], n0, sizes[l - 1], 1, w(l), sizes[l - 1], p[l - 1], n0, 0, p[l], n0)
            }
        }
        q[L].update(from: sigma31, count: sizes[L] * n0)
        gemm(.none, .none, sizes[L], n0, n0, -1, p[L], n0, sigma11, n0, 1, q[L], n0)
        if L >= 2 {
            for l in stride(from: L - 1, through: 1, by: -1) {
                gemm(.transpose, .none, sizes[l], n0, sizes[l + 1], 1, w(l + 1), sizes[l], q[l + 1], n0, 0, q[l], n0)
            }
        }
    }

    /// out = H v at the θ of the last ``prepare(at:)``.
    func apply(_ v: UnsafePointer<Double>, into out: UnsafeMutablePointer<Double>) {
        let L = depth, bias = architecture.bias
        if bias { architecture.gatherChain(v, into: direction) }
        func dw(_ l: Int) -> UnsafePointer<Double> { bias ? UnsafePointer(direction[l]) : v + offsets[l] }
        func target(_ l: Int) -> UnsafeMutablePointer<Double> { bias ? result[l] : out + offsets[l] }
        func P(_ l: Int) -> UnsafePointer<Double> { UnsafePointer(p[l]) }
        func dP(_ l: Int) -> UnsafePointer<Double> { l == 1 ? dw(1) : UnsafePointer(dp[l]) }
        defer { if bias { architecture.scatterChain(result, into: out) } }
        if L == 1 {
            // L = ½ tr((W − W*)Σ11(W − W*)ᵀ) + const: H v = dW Σ11.
            gemm(.none, .none, sizes[1], n0, n0, 1, dw(1), n0, sigma11, n0, 0, target(1), n0)
            return
        }
        for l in 2...L {
            gemm(.none, .none, sizes[l], n0, sizes[l - 1], 1, dw(l), sizes[l - 1], P(l - 1), n0, 0, dp[l], n0)
            gemm(.none, .none, sizes[l], n0, sizes[l - 1], 1, w(l), sizes[l - 1], dP(l - 1), n0, 1, dp[l], n0)
        }
        gemm(.none, .none, sizes[L], n0, n0, -1, dP(L), n0, sigma11, n0, 0, dq[L], n0)
        for l in stride(from: L - 1, through: 1, by: -1) {
            // dQ_1 is dG_1: written (negated) straight into its place in the output.
            let (into, alpha) = l == 1 ? (target(1), -1.0) : (dq[l], 1.0)
            gemm(.transpose, .none, sizes[l], n0, sizes[l + 1], alpha, dw(l + 1), sizes[l], q[l + 1], n0, 0, into, n0)
            gemm(.transpose, .none, sizes[l], n0, sizes[l + 1], alpha, w(l + 1), sizes[l], dq[l + 1], n0, 1, into, n0)
        }
        for l in 2...L {
            gemm(.none, .transpose, sizes[l], sizes[l - 1], n0, -1, dq[l], n0, P(l - 1), n0, 0, target(l), sizes[l - 1])
            gemm(.none, .transpose, sizes[l], sizes[l - 1], n0, -1, q[l], n0, dP(l - 1), n0, 1, target(l), sizes[l - 1])
        }
    }
}
