import Foundation

/// The closed forms assume whitened inputs. Σ11 = c·I is reduced to Σ11 = I exactly: the flow
///
///     dW_l/dt = (W_L⋯W_{l+1})ᵀ(Σ31 − cW)(W_{l−1}⋯W_1)ᵀ = c · (W_L⋯W_{l+1})ᵀ(Σ31/c − W)(W_{l−1}⋯W_1)ᵀ
///
/// is, in the time t̂ = c t, the whitened flow for Σ̂31 = Σ31/c. So W(t) = Ŵ(c t): every mode
/// has s_α → ŝ_α = s_α/c (the strength it converges to) and time runs c times slower.
public struct WhiteInputs: Sendable {
    public let c: Double
    /// Σ̂31 = Σ31/c.
    public let sigma31: Matrix

    /// Refuses (one-line data error) any Σ11 that is not c·I to rounding (``whitenedScale(_:)``).
    public init(_ correlations: Correlations) throws {
        guard let c = whitenedScale(correlations.sigma11) else {
            throw LinflowError.data("the closed forms need whitened inputs, Σ11 = c·I, and these data's Σ11 is not (see `linflow stats`)")
        }
        self.c = c
        sigma31 = (1 / c) * correlations.sigma31
    }
}

/// A small ODE y' = f(y) given by closures, with its Jacobian (row-major) for implicit steppers.
final class ClosureSystem: ODESystem {
    let dimension: Int
    let f: (UnsafePointer<Double>, UnsafeMutablePointer<Double>) -> Void
    let df: (UnsafePointer<Double>, UnsafeMutablePointer<Double>) -> Void

    init(dimension: Int, f: @escaping (UnsafePointer<Double>, UnsafeMutablePointer<Double>) -> Void,
         jacobian df: @escaping (UnsafePointer<Double>, UnsafeMutablePointer<Double>) -> Void) {
        self.dimension = dimension
        self.f = f
        self.df = df
    }

    func evaluate(_ y: UnsafePointer<Double>, _ dydt: UnsafeMutablePointer<Double>) -> Bool {
        f(y, dydt)
        return (0..<dimension).allSatisfy { dydt[$0].isFinite }
    }

    func jacobian(_ y: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>) { df(y, out) }
}

/// Saxe et al.'s solution for an aligned, balanced start (``AlignedStart``) with whitened inputs,
/// at any depth L. Each layer carries w_α = a_α^{1/L} along mode α, dw_α/dt = w_α^{L−1}(s_α − w_α^L)
/// (the other L − 1 layers' product times the mode's error), so the mode strength a_α = w_α^L obeys
///
///     da/dt = L a^{2−2/L} (s − a)                 (Saxe et al. 2014, eq. 15, with τ = 1)
///
/// solved as follows, in whitened variables (ŝ = s/c, t̂ = c t, see ``WhiteInputs``):
/// - L = 1: a(t̂) = ŝ + (a0 − ŝ) e^{−t̂};
/// - L = 2: a(t̂) = ŝ e^{2ŝt̂}/(e^{2ŝt̂} − 1 + ŝ/a0), evaluated as 1/(−expm1(−2ŝt̂)/ŝ + e^{−2ŝt̂}/a0),
///   which cannot overflow and has the limit a0/(1 + 2a0t̂) at ŝ = 0;
/// - L ≥ 3: y = ln a obeys dy/dt̂ = L e^{(1−2/L)y}(ŝ − e^y), integrated by GSL's rk8pd at a
///   tolerance of 1e-13 in y (i.e. relative in a).
/// The frames do not move, so the weights are rebuilt exactly from the start:
/// W_l(t) = W_l(0) R_{l−1} diag((a_α(t)/a_α(0))^{1/L}) R_{l−1}ᵀ with R_0 = V and
/// R_l = W_l(0) R_{l−1} diag(a_α(0)^{−1/L}) over the modes with a_α(0) > 0 (the others stay 0
/// for L ≥ 2); for L = 1, W(t) = W(0) + U diag(a(t) − a(0)) Vᵀ.
///
/// Weight decay γ (``FlowTerms``) adds −γw_α to each layer's dw_α/dt, so da/dt = L a^{2−2/L}(s − a)
/// − Lγa; balance is kept (the imbalance decays as e^{−2γt} from 0) and the frames still do not
/// move. In whitened variables γ̂ = γ/c, and:
/// - L = 1: a(t̂) = a∞ + (a0 − a∞) e^{−(1+γ̂)t̂} with a∞ = ŝ/(1 + γ̂) (the ridge solution);
/// - L = 2: da/dt̂ = 2a(ŝ − γ̂ − a), the logistic above with ŝ − γ̂ for ŝ: the mode settles at
///   ŝ − γ̂ if ŝ > γ̂ and dies (a → 0, as a0/(1 + 2a0t̂) at ŝ = γ̂) otherwise;
/// - L ≥ 3: refused (no closed form; small modes then die and large ones grow, with a threshold).
///
/// Per-layer rates r_l enter through ``RateMetric``: the form is that of V_l = W_l√(ρ/r_l) on the
/// time ρt (ρ = (Π r_l)^{1/L}; √(r1r2) for two layers), from a start aligned and balanced in V.
public final class AlignedModeSolution {
    public let depth: Int
    public let white: WhiteInputs
    /// ŝ_α = s_α/c, what each mode converges to without weight decay.
    public let targets: [Double]
    /// γ̂ = γ/c, the weight decay in whitened time.
    public let decay: Double
    /// What each mode converges to (from a0 > 0): ŝ without decay; with it ŝ/(1 + γ̂) at depth 1,
    /// max(ŝ − γ̂, 0) at depth 2.
    public var limits: [Double] {
        targets.map { s in depth == 1 ? s / (1 + decay) : depth == 2 ? max(s - decay, 0) : s }
    }
    /// a_α(0).
    public let initial: [Double]
    /// Singular vectors of Σ31 (the modes).
    public let basis: SingularValueDecomposition
    private let start: Weights
    private let active: [Int]
    private let frames: [Matrix]
    private var integrator: ODEIntegrator?
    /// The rates' change of variables (the identity without rates).
    public let metric: RateMetric
    static let scalarTolerance = 1e-13

    public init(start rated: Weights, white: WhiteInputs, terms: FlowTerms = FlowTerms()) throws {
        if terms.weightDecay > 0 && rated.architecture.depth > 2 {
            throw LinflowError.usage("with \(Setting.weightDecay) the aligned closed form holds for one or two layers only: at depth \(rated.architecture.depth) a mode's da/dt = L a^{2−2/L}(s − a) − Lγa has no closed form; use simulate")
        }
        metric = try RateMetric(terms, depth: rated.architecture.depth)
        let start = metric.plain(rated)
        // With equal rates (the only ones decay allows here) V's decay is γ per unit of τ = ρt.
        decay = terms.weightDecay / white.c
        basis = try SingularValueDecomposition(white.sigma31)
        initial = try AlignedStart.modeStrengths(of: start, basis: basis)
        self.start = start
        self.white = white
        depth = start.architecture.depth
        targets = basis.values
        let a0 = initial, L = Double(depth), largest = a0.max() ?? 0
        let active = a0.indices.filter { a0[$0] > AlignedStart.tolerance * largest }
        let inverse = Matrix.diagonal(active.map { pow(a0[$0], -1 / L) })
        var r = basis.v.columns(active)
        var frames: [Matrix] = []
        for l in 1...depth {
            frames.append(r)
            r = start.layer(l) * r * inverse
        }
        self.active = active
        self.frames = frames
    }

    /// a_α(t) for every mode (in Σ31's basis), t in the data's time.
    public func strengths(at t: Double) throws -> [Double] {
        let th = white.c * metric.rho * t
        switch depth {
        case 1:
            let k = 1 + decay
            return zip(targets, initial).map { s, a0 in s / k + (a0 - s / k) * exp(-k * th) }
        case 2:
            return zip(targets, initial).map { target, a0 in
                guard a0 > 0 else { return 0 }
                let s = target - decay
                let phi = s == 0 ? 2 * th : -expm1(-2 * s * th) / s
                return 1 / (phi + exp(-2 * s * th) / a0)
            }
        default:
            var a = [Double](repeating: 0, count: initial.count)
            for (i, y) in zip(active, try integrateLogStrengths(to: th)) { a[i] = exp(y) }
            return a
        }
    }

    /// The weights at time t (see the type's documentation).
    public func weights(at t: Double) throws -> Weights { metric.rated(try plainWeights(at: t)) }

    /// V(t) (``RateMetric``), W(t) itself without rates.
    private func plainWeights(at t: Double) throws -> Weights {
        let a = try strengths(at: t)
        if depth == 1 {
            let delta = Matrix.diagonal(zip(a, initial).map { $0 - $1 })
            return Weights(architecture: start.architecture,
                           layers: [start.layer(1) + basis.u * delta * basis.v.transposed])
        }
        let ratio = Matrix.diagonal(active.map { pow(a[$0] / initial[$0], 1 / Double(depth)) })
        return Weights(architecture: start.architecture, layers: (1...depth).map { l in
            start.layer(l) * frames[l - 1] * ratio * frames[l - 1].transposed
        })
    }

    /// The time at which mode α first reaches `level` (in the data's time): 0 if it starts
    /// there, nil if it never does (level ≥ ŝ_α, or a_α(0) = 0 at depth ≥ 2). Depth 2:
    /// t = (1/(2s)) ln(u_f(ŝ − u0)/(u0(ŝ − u_f))); depth 1: t = (1/c) ln((ŝ − u0)/(ŝ − u_f));
    /// depth ≥ 3: t = (1/c) ∫ dy/(L e^{(1−2/L)y}(ŝ − e^y)) from ln u0 to ln u_f, by rk8pd.
    public func time(toReach level: Double, mode α: Int) throws -> Double? {
        let s = depth <= 2 ? limits[α] : targets[α], u0 = initial[α], c = white.c * metric.rho
        if u0 >= level { return 0 }
        if level >= s || (depth >= 2 && !active.contains(α)) { return nil }
        switch depth {
        case 1: return log((s - u0) / (s - level)) / ((1 + decay) * c)
        case 2: return log(level * (s - u0) / (u0 * (s - level))) / (2 * s * c)
        default:
            // State (y, t̂) advanced in τ = y − ln u0: dy/dτ = 1, dt̂/dτ = 1/g(y).
            let g = logStrengthRate(s), L = Double(depth)
            let system = ClosureSystem(dimension: 2, f: { y, d in
                d[0] = 1
                d[1] = 1 / g(y[0])
            }, jacobian: { y, j in
                let beta = 1 - 2 / L, e = exp(beta * y[0])
                let dg = L * (beta * s * e - (1 + beta) * e * exp(y[0]))
                (j[0], j[1], j[2], j[3]) = (0, 0, -dg / (g(y[0]) * g(y[0])), 0)
            })
            let ode = try ODEIntegrator(system: system, initialState: [log(u0), 0], method: .rk8pd,
                                        relativeTolerance: Self.scalarTolerance, absoluteTolerance: Self.scalarTolerance)
            try advance(ode, to: log(level / u0))
            return ode.state[1] / c
        }
    }

    /// g(y) = dy/dt̂ = L e^{(1−2/L)y}(ŝ − e^y) for y = ln a.
    private func logStrengthRate(_ s: Double) -> (Double) -> Double {
        let L = Double(depth)
        return { y in L * exp((1 - 2 / L) * y) * (s - exp(y)) }
    }

    private func integrateLogStrengths(to th: Double) throws -> [Double] {
        guard !active.isEmpty else { return [] }
        if integrator == nil || integrator!.time > th {
            let rates = active.map { logStrengthRate(targets[$0]) }
            let s = active.map { targets[$0] }, L = Double(depth), n = active.count
            let system = ClosureSystem(dimension: n, f: { y, d in
                for i in 0..<n { d[i] = rates[i](y[i]) }
            }, jacobian: { y, j in
                let beta = 1 - 2 / L
                for i in 0..<(n * n) { j[i] = 0 }
                for i in 0..<n {
                    let e = exp(beta * y[i])
                    j[i * n + i] = L * (beta * s[i] * e - (1 + beta) * e * exp(y[i]))
                }
            })
            integrator = try ODEIntegrator(system: system, initialState: active.map { log(initial[$0]) },
                                           method: .rk8pd, relativeTolerance: Self.scalarTolerance,
                                           absoluteTolerance: Self.scalarTolerance)
        }
        try advance(integrator!, to: th)
        return integrator!.state
    }

    private func advance(_ ode: ODEIntegrator, to t: Double) throws {
        do { try ode.advance(to: t) } catch {
            throw LinflowError.numerical("the per-mode ODE failed: \(error)")
        }
    }
}

/// Braun, Dominé, Fitzgerald & Saxe (2022) and Dominé et al. (2024): the exact flow of a
/// two-layer network from any λ-balanced start, W32ᵀW32 − W21W21ᵀ = λI (λ = 0: zero-balanced),
/// with whitened inputs.
///
/// With Q = [W21ᵀ; W32] ((n0+n2) × n1), K = ½QᵀQ = ½(W21W21ᵀ + W32ᵀW32), so that
/// W32ᵀW32 = K + (λ/2)I and W21W21ᵀ = K − (λ/2)I, the flow dW21ᵀ/dt = Σ31ᵀW32 − W21ᵀ(W32ᵀW32),
/// dW32/dt = Σ31W21ᵀ − W32(W21W21ᵀ) reads dQ/dt = F_λQ − ½Q(QᵀQ) with
///
///     F_λ = [−(λ/2)I  Σ31ᵀ; Σ31  (λ/2)I]    (n0 + n2 square, symmetric),
///
/// so that P = QQᵀ obeys the matrix Riccati equation dP/dt = F_λP + PF_λ − P², solved by
///
///     P(t) = e^{Ft} Q0 M(t)⁻¹ Q0ᵀ e^{Ft},   M(t) = I + Q0ᵀ (∫₀ᵗ e^{2Fτ} dτ) Q0
///
/// (check: Z = e^{Ft}Q0 has dZ/dt = FZ and dM/dt = ZᵀZ, so dP/dt = FP + PF − Z M⁻¹ZᵀZ M⁻¹Zᵀ).
/// M ⪰ I (the integral is positive definite), so nothing singular is ever inverted, whatever
/// Q0, λ or the rank of Σ31; F itself is never inverted either: with F = O diag(φ) Oᵀ,
/// e^{Ft} = O diag(e^{φt}) Oᵀ and ∫₀ᵗe^{2Fτ}dτ = O diag(expm1(2φt)/(2φ)) Oᵀ, which is t at φ = 0.
/// M's condition number grows like e^{2 φ_max t}, so evaluated in one go from t = 0 the formula
/// loses all digits by φ t ≈ 10; it is therefore applied over steps δ with φ_max δ ≤ ½ (the
/// solution map composes: P(t+δ) is the formula at δ started from P(t)), which keeps it exact
/// to rounding. Any factor of P serves as the next Q; the symmetric one Q ← e^{Fδ}Q M^{−1/2} is
/// used. P — the end-to-end map W32W21 (its off-diagonal block), W21ᵀW21 and W32W32ᵀ — is exact;
/// the hidden basis is not fixed by P: the weights written are the flow's up to an orthogonal
/// rotation of the hidden units (exactly the flow's own for aligned starts, where M's commute).
/// Such a rotation keeps QᵀJQ = W32ᵀW32 − W21W21ᵀ = λI (J = diag(−I, I)), so the written weights
/// stay λ-balanced. Inputs with Σ11 = c·I are handled through ``WhiteInputs``: that reduction
/// rescales time and Σ31, not the weights, so λ is unchanged (rescaling the weights by √c
/// instead would turn λ into cλ).
public struct RiccatiSolution {
    public let white: WhiteInputs
    public let architecture: Architecture
    /// The start's λ (0 for a zero-balanced start), in the rates' metric: W32ᵀW32/r2 − W21W21ᵀ/r1 = λI.
    public let lambda: Double
    /// The rates' change of variables: the form solves V on the time ρt (``RateMetric``).
    public let metric: RateMetric
    /// Time of ``weights`` (data's time).
    public private(set) var time = 0.0
    private let phi: [Double]
    private let o: Matrix
    private var q: Matrix

    /// `anyLambda: false` (Braun et al.'s form, `--form riccati`) refuses a start that is not
    /// zero-balanced; `true` (`--form lambda-balanced`) accepts any λ-balanced start.
    public init(start rated: Weights, white: WhiteInputs, anyLambda: Bool = false, terms: FlowTerms = FlowTerms()) throws {
        let a = rated.architecture
        guard !a.bias else { throw LinflowError.usage("the closed forms are for linear chains; drop \(Setting.bias)") }
        guard a.depth == 2 else {
            throw LinflowError.usage("the Riccati closed forms are for two-layer networks; a \(a.depth)-layer chain has one only from an aligned start (\(Setting.start) aligned)")
        }
        metric = try RateMetric(terms, depth: 2)
        let start = metric.plain(rated)
        guard let lambda = LambdaBalancedStart.lambda(of: start) else {
            throw LinflowError.usage("the start is not λ-balanced (W32ᵀW32 − W21W21ᵀ is not a multiple of I); the closed forms need \(Setting.start) aligned, balanced or lambda-balanced")
        }
        let gap = LambdaBalancedStart.balance(of: start).frobeniusNorm
        let w21 = start.layer(1), w32 = start.layer(2)
        let size = max(w21.frobeniusNorm * w21.frobeniusNorm, w32.frobeniusNorm * w32.frobeniusNorm, .leastNormalMagnitude)
        // A start zero-balanced to rounding is solved with λ = 0 exactly (Braun et al.'s F).
        let zeroBalanced = gap <= AlignedStart.tolerance * size
        if !anyLambda && !zeroBalanced {
            throw LinflowError.usage("the start is not zero-balanced (‖W32ᵀW32 − W21W21ᵀ‖_F = \(gap)); \(Setting.closedForm) riccati needs \(Setting.start) aligned or \(Setting.start) balanced, \(Setting.closedForm) lambda-balanced takes λ-balanced starts")
        }
        let (n0, n2) = (a.inputs, a.outputs)
        var f = Matrix(rows: n0 + n2, cols: n0 + n2)
        for j in 0..<n2 {
            for i in 0..<n0 { (f[i, n0 + j], f[n0 + j, i]) = (white.sigma31[j, i], white.sigma31[j, i]) }
        }
        if !zeroBalanced {
            for i in 0..<n0 { f[i, i] = -lambda / 2 }
            for j in 0..<n2 { f[n0 + j, n0 + j] = lambda / 2 }
        }
        (phi, o) = try symmetricEigen(f)
        q = Self.stack(w21.transposed, w32)
        self.lambda = zeroBalanced ? 0 : lambda / metric.rho
        self.white = white
        architecture = a
    }

    /// The weights at ``time``: V21 = (top n0 rows of Q)ᵀ, V32 = the bottom n2 rows, W from V.
    public var weights: Weights {
        let n0 = architecture.inputs, n1 = architecture.sizes[1]
        let top = Matrix(rows: n0, cols: n1, storage: Array(q.storage[0..<(n0 * n1)]))
        let bottom = Matrix(rows: q.rows - n0, cols: n1, storage: Array(q.storage[(n0 * n1)...]))
        return metric.rated(Weights(architecture: architecture, layers: [top.transposed, bottom]))
    }

    /// Moves the solution forward to time t ≥ ``time``.
    public mutating func advance(to t: Double) throws {
        precondition(t >= time, "the Riccati solution only moves forward")
        let span = white.c * metric.rho * (t - time)
        // φ_max grows with |λ| (φ_max ≥ |λ|/2): refuse what would take hours rather than start it.
        let needed = (2 * max(phi.first ?? 0, 0) * span).rounded(.up)
        guard needed <= Self.maximumSteps else {
            throw LinflowError.numerical("the Riccati closed form would need \(needed) steps to reach t = \(t) (φ_max = \(phi.first ?? 0), e.g. from a large |λ|); at most \(Int(Self.maximumSteps)) are taken")
        }
        let steps = max(1, Int(needed))
        let delta = span / Double(steps)
        let e = o * Matrix.diagonal(phi.map { exp($0 * delta) }) * o.transposed
        let g = o * Matrix.diagonal(phi.map { $0 == 0 ? delta : expm1(2 * $0 * delta) / (2 * $0) }) * o.transposed
        for _ in 0..<steps {
            let m = Matrix.identity(q.cols) + q.transposed * g * q
            let (mu, v) = try symmetricEigen(m)
            q = e * q * (v * Matrix.diagonal(mu.map { 1 / $0.squareRoot() }) * v.transposed)
        }
        time = t
    }

    /// The most steps of ``advance(to:)`` (each an n1 × n1 eigen-decomposition) in one call.
    static let maximumSteps = 1e6

    private static func stack(_ a: Matrix, _ b: Matrix) -> Matrix {
        Matrix(rows: a.rows + b.rows, cols: a.cols, storage: a.storage + b.storage)
    }
}
