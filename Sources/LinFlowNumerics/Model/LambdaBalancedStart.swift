import Foundation

/// `--init lambda-balanced --lambda λ`: a random two-layer start with
///
///     W32ᵀW32 − W21W21ᵀ = λ I   (n1 × n1)
///
/// (Dominé et al. 2024's λ-balanced starts; λ = 0 is zero-balanced). The exact flow conserves
/// this matrix, so the start fixes the regime: large |λ| learns lazily, λ ≈ 0 from small weights
/// richly.
///
/// Existence. W32ᵀW32 = W21W21ᵀ + λI with λ > 0 is positive definite, so it has rank n1 and
/// needs n2 ≥ n1 (outputs ≥ hidden); λ < 0 mirrors it, W21W21ᵀ = W32ᵀW32 + |λ|I, needing
/// n0 ≥ n1 (inputs ≥ hidden). λ = 0 exists for every size. Other sizes are refused.
///
/// Construction. One layer, the free one, is drawn with i.i.d. N(0, σ²) entries (σ =
/// `--init-scale`), row-major: W21 for λ > 0, W32 for λ < 0, and for λ = 0 W21 when
/// n2 ≥ min(n0, n1), else W32. With A = W21 (free W21) or A = W32ᵀ (free W32), the other layer
/// is the square root of S = AAᵀ + |λ|I = U diag(μ) Uᵀ on a random frame: B = R diag(√μ) Uᵀ over
/// the eigenvalues μ > 0 (all n1 of them when λ ≠ 0), with R (n2 × r or n0 × r) Haar with
/// orthonormal columns (drawn after A), and W32 = B or W21 = Bᵀ. Then BᵀB = S: λ-balanced to
/// rounding. So σ is the scale of the free layer only; the other has singular values
/// √(d_i² + |λ|), where d_i are the free layer's, so |λ| itself sets a floor on the weights.
/// Deeper chains are refused: the balance of every adjacent pair can be met, but linflow has no
/// exact solution there to offer and the partner layers would need a common frame.
///
/// Limits of double precision, each refused in one line (exit 64) before any integration:
/// - overflow: the flow, its imbalance column and its Jacobian multiply entries of W32ᵀW32
///   (≈ |λ| + the free layer's squares) by each other, so |λ| and every entry of S must stay
///   below √(largest double) ≈ 1.3e154 (checked on λ alone before the data are read, and on S
///   once drawn);
/// - lost digits: S = AAᵀ + |λ|I keeps no digit of the smaller of the two terms when it lies
///   below the rounding of the larger: λ ≠ 0 under ε·max(AAᵀ) makes a zero-balanced start, and
///   a free layer with max(AAᵀ) under ε·|λ| vanishes from its partner (σ = 0, A = 0, is exact
///   and allowed).
public enum LambdaBalancedStart {
    /// √(largest double): a Gram entry beyond it overflows when squared.
    public static let largestGramEntry = Double.greatestFiniteMagnitude.squareRoot()

    /// The limit on λ alone (overflow), checked before the data are read.
    public static func check(lambda: Double) throws {
        guard lambda.isFinite else { throw LinflowError.usage("\(Setting.lambda) must be a finite number, got \(lambda)") }
        guard abs(lambda) < largestGramEntry else {
            throw LinflowError.usage("\(Setting.lambda) \(fmt(lambda)) overflows: W32ᵀW32 − W21W21ᵀ = λI puts |λ| in the Gram of a layer, whose products (the flow, the imbalance) exceed the largest double; |λ| must be below \(fmt(largestGramEntry))")
        }
    }

    /// The weights; `architecture` must be a two-layer chain (biases, if any, start at zero).
    public static func weights(for architecture: Architecture, lambda: Double, scale: Double,
                               source g: GaussianSource) throws -> Weights {
        try check(lambda: lambda)
        guard architecture.depth == 2 else {
            throw LinflowError.usage("\(Setting.start) lambda-balanced is for two-layer networks (W32ᵀW32 − W21W21ᵀ = λI), got \(architecture.depth) layers")
        }
        let (n0, n1, n2) = (architecture.sizes[0], architecture.sizes[1], architecture.sizes[2])
        if lambda > 0 && n2 < n1 {
            throw LinflowError.usage("no λ-balanced start with λ = \(lambda) > 0: it needs outputs ≥ hidden units (W32ᵀW32 = W21W21ᵀ + λI has rank \(n1)), but there are \(n2) outputs and \(n1) hidden units")
        }
        if lambda < 0 && n0 < n1 {
            throw LinflowError.usage("no λ-balanced start with λ = \(lambda) < 0: it needs inputs ≥ hidden units (W21W21ᵀ = W32ᵀW32 + |λ|I has rank \(n1)), but there are \(n0) inputs and \(n1) hidden units")
        }
        let freeLower = lambda > 0 || (lambda == 0 && n2 >= min(n0, n1))
        let free = freeLower
            ? Matrix(rows: n1, cols: n0, storage: (0..<(n1 * n0)).map { _ in g.next(standardDeviation: scale) })
            : Matrix(rows: n2, cols: n1, storage: (0..<(n2 * n1)).map { _ in g.next(standardDeviation: scale) }).transposed
        // free is A (n1 × m'), the partner B must satisfy BᵀB = AAᵀ + |λ|I with B having m rows.
        let rows = freeLower ? n2 : n0
        let gram = free * free.transposed
        let s = gram + abs(lambda) * Matrix.identity(n1)
        let freeName = freeLower ? "W21W21ᵀ" : "W32ᵀW32"
        guard s.storage.allSatisfy({ abs($0) < largestGramEntry }) else {
            throw LinflowError.usage("\(Setting.initialScale) \(fmt(scale)) with \(Setting.lambda) \(fmt(lambda)) gives a start whose Gram \(freeName) + |λ|I overflows when the flow multiplies it (entries must stay below \(fmt(largestGramEntry)))")
        }
        // The largest entry of the free layer's Gram is on its diagonal.
        let top = (0..<n1).map { gram[$0, $0] }.max() ?? 0
        let eps = Double.ulpOfOne
        if lambda != 0 && abs(lambda) <= eps * top {
            throw LinflowError.usage("\(Setting.lambda) \(fmt(lambda)) is below the rounding of \(freeName) (entries up to \(fmt(top)), rounded to ±\(fmt(eps * top))) at \(Setting.initialScale) \(scale): the start would keep no digit of λ (it would be zero-balanced); use \(Setting.lambda) 0, |λ| above \(fmt(eps * top)), or a smaller \(Setting.initialScale)")
        }
        if top > 0 && top <= eps * abs(lambda) {
            throw LinflowError.usage("\(Setting.lambda) \(fmt(lambda)) swamps \(freeName) (entries up to \(fmt(top)), below λ's rounding ±\(fmt(eps * abs(lambda)))) at \(Setting.initialScale) \(scale): W32ᵀW32 − W21W21ᵀ = λI would keep no digit of the random layer; use |λ| below \(fmt(top / eps)), a larger \(Setting.initialScale), or \(Setting.initialScale) 0 for a zero \(freeLower ? "W21" : "W32")")
        }
        let (mu, u) = try symmetricEigen(s)
        let largest = max(mu.first ?? 0, 0)
        // Eigenvalues that are zero in exact arithmetic (λ = 0, rank-deficient A) come out at
        // rounding level; they are dropped so that R needs no more columns than the rank.
        let active = mu.indices.filter { mu[$0] > 1e-12 * largest }
        var partner = Matrix(rows: rows, cols: n1)
        if !active.isEmpty {
            let r = g.orthonormalColumns(rows, active.count)
            partner = r * Matrix.diagonal(active.map { mu[$0].squareRoot() }) * u.columns(active).transposed
        }
        let layers = freeLower ? [free, partner] : [partner.transposed, free.transposed]
        return Weights(architecture: architecture, layers: layers)
    }

    /// W32ᵀW32 − W21W21ᵀ of a two-layer network (n1 × n1).
    public static func balance(of w: Weights) -> Matrix {
        let w21 = w.layer(1), w32 = w.layer(2)
        return w32.transposed * w32 - w21 * w21.transposed
    }

    /// The λ of a λ-balanced two-layer start, λ = tr(D)/n1 for D = W32ᵀW32 − W21W21ᵀ, or nil
    /// when ‖D − λI‖_F exceeds ``AlignedStart``'s tolerance (1e-9) × max(‖W21‖²_F, ‖W32‖²_F)
    /// (biases must be zero).
    public static func lambda(of w: Weights) -> Double? {
        let tolerance = AlignedStart.tolerance
        guard w.architecture.depth == 2 else { return nil }
        if w.architecture.bias, !(1...2).allSatisfy({ w.bias($0).allSatisfy { $0 == 0 } }) { return nil }
        let d = balance(of: w), n1 = d.rows
        let lambda = (0..<n1).reduce(0.0) { $0 + d[$1, $1] } / Double(n1)
        let gap = (d - lambda * Matrix.identity(n1)).frobeniusNorm
        let a = w.layer(1).frobeniusNorm, b = w.layer(2).frobeniusNorm
        return gap <= tolerance * max(a * a, b * b, .leastNormalMagnitude) ? lambda : nil
    }
}
