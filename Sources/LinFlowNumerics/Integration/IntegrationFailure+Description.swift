extension IntegrationFailure: CustomStringConvertible {
    /// Why an integration stopped early, in words: the one description every command uses.
    public var description: String {
        switch self {
        case .nonFinite(let t):
            "the weights became infinite or NaN near t = \(fmt(t))"
        case .tooManySteps(let t, let limit):
            "GSL reached \(Setting.maxSteps) \(limit) at t = \(fmt(t))"
        case .stepSizeUnderflow(let t):
            "GSL's step size fell below what double precision can resolve at t = \(fmt(t)) (tolerances too tight, or the flow is blowing up)"
        case .gsl(let t, let status, let reason):
            "GSL failed at t = \(fmt(t)): \(reason) (status \(status))"
        case .interrupted(let t):
            "interrupted at t = \(fmt(t))"
        }
    }
}
