/// Which closed form `linflow analytic` evaluates.
public enum ClosedFormKind: String, CaseIterable, Sendable {
    /// `modes` if the start is aligned and balanced, else `lambda-balanced` (two layers).
    case auto
    /// ``AlignedModeSolution``: Saxe et al., aligned balanced starts, any depth.
    case modes
    /// ``RiccatiSolution``: Braun et al., zero-balanced two-layer starts.
    case riccati
    /// ``RiccatiSolution`` with F_λ: Dominé et al., λ-balanced two-layer starts, any λ.
    case lambdaBalanced = "lambda-balanced"
}

/// One of the closed forms, advanced row by row.
public enum ClosedFormSolution {
    case modes(AlignedModeSolution)
    case riccati(RiccatiSolution)

    /// The form `kind` asks for, or the first that applies for `auto`; its refusal otherwise.
    /// `terms` (weight decay, rates) are those of the flow the form must solve.
    public init(_ kind: ClosedFormKind, start: Weights, white: WhiteInputs, terms: FlowTerms = FlowTerms()) throws {
        // Decay with unequal rates defeats every form: say so before trying any.
        _ = try RateMetric(terms, depth: start.architecture.depth)
        func riccati(anyLambda: Bool) throws -> RiccatiSolution {
            if terms.weightDecay > 0 {
                throw LinflowError.usage("with \(Setting.weightDecay) the Riccati closed forms do not hold (the imbalance decays as e^{−2γt}, so the start does not stay λ-balanced); only the aligned balanced two-layer form does (\(Setting.start) aligned)")
            }
            return try RiccatiSolution(start: start, white: white, anyLambda: anyLambda, terms: terms)
        }
        switch kind {
        case .modes: self = .modes(try AlignedModeSolution(start: start, white: white, terms: terms))
        case .riccati: self = .riccati(try riccati(anyLambda: false))
        case .lambdaBalanced: self = .riccati(try riccati(anyLambda: true))
        case .auto:
            do { self = .modes(try AlignedModeSolution(start: start, white: white, terms: terms)) } catch let aligned {
                guard start.architecture.depth == 2, !start.architecture.bias else { throw aligned }
                self = .riccati(try riccati(anyLambda: true))
            }
        }
    }

    public var description: String {
        let metric: RateMetric
        switch self {
        case .modes(let m): metric = m.metric
        case .riccati(let r): metric = r.metric
        }
        guard !metric.isIdentity else { return plainDescription }
        return plainDescription + "; with the layer rates in V_l = W_l√(ρ/r_l) on the time ρt, ρ = (Π r_l)^{1/L} = \(fmt(metric.rho))"
    }

    private var plainDescription: String {
        switch self {
        case .modes(let m) where m.depth == 2 && m.decay > 0:
            return "Saxe et al., aligned balanced start, weight decay: u(t) = s′e^{2s′t}/(e^{2s′t} − 1 + s′/u0) with s′ = s − γ for every mode"
        case .modes(let m) where m.depth == 2:
            return "Saxe et al., aligned balanced start: u(t) = s e^{2st}/(e^{2st} − 1 + s/u0) for every mode"
        case .modes(let m) where m.depth == 1 && m.decay > 0:
            return "one layer, aligned start, weight decay: a(t) = a∞ + (a0 − a∞) e^{−(1+γ)t}, a∞ = s/(1 + γ), for every mode"
        case .modes(let m) where m.depth == 1:
            return "one layer, aligned start: a(t) = s + (a0 − s) e^{−t} for every mode"
        case .modes(let m):
            return "Saxe et al., aligned balanced start, depth \(m.depth): da/dt = \(m.depth) a^{2−2/\(m.depth)}(s − a) per mode (rk8pd)"
        case .riccati(let r) where r.lambda != 0:
            return "Dominé et al., λ-balanced start (λ = \(fmt(r.lambda))): QQᵀ = e^{F_λt}Q0 M⁻¹ Q0ᵀe^{F_λt} (hidden basis up to rotation)"
        case .riccati:
            return "Braun et al., zero-balanced start: QQᵀ = e^{Ft}Q0 M⁻¹ Q0ᵀe^{Ft} (hidden basis up to rotation)"
        }
    }

    /// The weights at time t; t must not decrease between calls.
    public mutating func weights(at t: Double) throws -> Weights {
        switch self {
        case .modes(let m):
            return try m.weights(at: t)
        case .riccati(var r):
            try r.advance(to: t)
            self = .riccati(r)
            return r.weights
        }
    }
}

