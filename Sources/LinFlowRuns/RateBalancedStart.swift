import LinFlowNumerics
import LinFlowIO

extension Initialization {
    /// The start `self` describes, balanced in the metric of `rates` where `self` is a balanced
    /// kind: `balanced`, `aligned` and `lambda-balanced` are drawn for V and mapped to W (λ in
    /// the rates' metric, so V's is ρλ); `random`, `orthogonal` and files are taken as they are.
    public func weights(for a: Architecture, correlations c: Correlations, rates: [Double]?) throws -> Weights {
        guard let rates else { return try weights(for: a, correlations: c) }
        let metric = try RateMetric(FlowTerms(layerRates: rates), depth: a.depth)
        switch self {
        case .balanced, .aligned:
            return metric.rated(try weights(for: a, correlations: c))
        case .lambdaBalanced(let seed, let scale, let lambda):
            return metric.rated(try Initialization.lambdaBalanced(seed: seed, scale: scale, lambda: metric.rho * lambda)
                .weights(for: a, correlations: c))
        case .gaussian, .orthogonal, .file:
            return try weights(for: a, correlations: c)
        }
    }
}
