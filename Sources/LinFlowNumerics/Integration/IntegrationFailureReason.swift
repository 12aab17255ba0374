/// Why an integration failed, in words.
package func reason(_ f: IntegrationFailure) -> String {
    switch f {
    case .nonFinite(let t): return "the weights became infinite or NaN near t = \(fmt(t))"
    case .tooManySteps(let t, _): return "too many steps at t = \(fmt(t))"
    case .stepSizeUnderflow(let t): return "the step size fell below what double precision resolves at t = \(fmt(t))"
    case .gsl(let t, _, let r): return "\(r) at t = \(fmt(t))"
    case .interrupted(let t): return "interrupted at t = \(fmt(t))"
    }
}
