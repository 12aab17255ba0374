/// The neural tangent kernel of a linear chain on the training inputs, in the compact form that
/// needs the data only through Σ11 (docs/theory.md, "The tangent kernel").
///
/// For f(x) = W_L⋯W_1 x, ∂f_a(x)/∂(W_l)_{ij} = (A_l)_{ai} (B_l x)_j with A_l = W_L⋯W_{l+1}
/// (n_L × n_l, I for l = L) and B_l = W_{l−1}⋯W_1 (n_{l−1} × n_0, I for l = 1), so the full
/// (N·n_L) × (N·n_L) kernel over sample pairs (n, m) and output pairs (a, b) is
///
///     K[(n,a),(m,b)] = Σ_l (A_lA_lᵀ)_{ab} · x_nᵀ B_lᵀB_l x_m,
///
/// and with Σ_n x_n x_nᵀ = N Σ11 its Frobenius inner product with another such kernel K′ is
///
///     ⟨K, K′⟩_F = N² Σ_{l,l′} tr(G_l G′_{l′}) · tr(C_l C′_{l′}),   G_l = A_lA_lᵀ,  C_l = B_lᵀB_l Σ11.
///
/// With biases the chain is the one on x̃ = [x; 1] (``Weights/chainLayer(_:clamp:)``) with Σ̃11 =
/// E[x̃x̃ᵀ]: B_l becomes the product of chain matrices below layer l, and A_l keeps only the
/// columns of the parameter rows of layer l (the clamped constant unit is no parameter), which
/// adds exactly the bias derivatives ∂f_a/∂(b_l)_i = (A_l)_{ai}. N² is dropped: it cancels in
/// every normalised quantity.
///
/// With per-layer rates r_l (``FlowTerms``) the network's outputs move as df/dt = −K_r ∇_f L with
/// K_r = Σ_l r_l (A_lA_lᵀ) ⊗ (x B_lᵀB_l x): each layer's term weighted by its rate, G_l ↦ r_l G_l.
/// That is the kernel of the dynamics, and the one the `kernel_distance` column compares.
public struct TangentKernel: Sendable {
    /// G_l and C_l for l = 1…L.
    let factors: [(g: Matrix, c: Matrix)]

    /// `sigma11` is Σ11, or Σ̃11 = E[x̃x̃ᵀ] for an affine network (``Correlations/augmented()``).
    public init(weights: Weights, sigma11: Matrix, rates: [Double]? = nil) {
        let L = weights.architecture.depth
        let chain = (1...L).map { weights.chainLayer($0) }
        var below = [Matrix.identity(sigma11.rows)]  // below[l-1] = B_l
        for l in 1..<L { below.append(chain[l - 1] * below[l - 1]) }
        var above = Matrix.identity(weights.architecture.outputs)  // A_l, built from the top down
        var factors = [(g: Matrix, c: Matrix)](repeating: (Matrix(rows: 0, cols: 0), Matrix(rows: 0, cols: 0)), count: L)
        for l in stride(from: L, through: 1, by: -1) {
            let parameters = above.leadingColumns(weights.architecture.sizes[l])
            let b = below[l - 1]
            factors[l - 1] = ((rates?[l - 1] ?? 1) * (parameters * parameters.transposed), b.transposed * b * sigma11)
            above = above * chain[l - 1]
        }
        self.factors = factors
    }

    /// ⟨K, K′⟩_F / N².
    public func inner(_ other: TangentKernel) -> Double {
        var sum = 0.0
        for f in factors {
            for h in other.factors { sum += traceOfProduct(f.g, h.g) * traceOfProduct(f.c, h.c) }
        }
        return sum
    }

    /// tr(XY) = Σ_ij X_ij Y_ji, without forming XY.
    private func traceOfProduct(_ x: Matrix, _ y: Matrix) -> Double {
        var s = 0.0
        for i in 0..<x.rows { for j in 0..<x.cols { s += x[i, j] * y[j, i] } }
        return s
    }
}

/// The `kernel_distance` column: 1 − ⟨K₀, K_t⟩_F / (‖K₀‖_F ‖K_t‖_F) between the tangent kernel
/// of the start and that of the current weights (0 at t = 0, and while the kernel only rescales;
/// it stays near 0 in the lazy regime and grows in the rich one). 0 when either kernel is 0.
public struct KernelDistance: Sendable {
    let reference: TangentKernel
    let referenceNorm: Double
    let sigma11: Matrix
    let rates: [Double]?

    /// The reference kernel at `start`, on the training inputs of `correlations`; with `rates`,
    /// the rate-weighted kernel K_r of ``TangentKernel``.
    public init(start: Weights, correlations: Correlations, rates: [Double]? = nil) throws {
        sigma11 = start.architecture.bias ? try correlations.augmented().sigma11 : correlations.sigma11
        self.rates = rates
        reference = TangentKernel(weights: start, sigma11: sigma11, rates: rates)
        referenceNorm = reference.inner(reference).squareRoot()
    }

    public func distance(at weights: Weights) -> Double {
        let k = TangentKernel(weights: weights, sigma11: sigma11, rates: rates)
        let norm = k.inner(k).squareRoot()
        guard norm > 0, referenceNorm > 0 else { return 0 }
        // Clamped at 0: the cosine of equal kernels can round to just above 1.
        return max(0, 1 - reference.inner(k) / (referenceNorm * norm))
    }
}
