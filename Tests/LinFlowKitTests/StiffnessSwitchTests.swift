import Testing
import Numerics
@testable import LinFlowNumerics
import LinFlowTestSupport
@testable import LinFlowIO
@testable import LinFlowPlot
@testable import LinFlowRuns
@testable import LinFlowSweep

/// `--method auto` (``StiffnessSwitch``): rkf45's output where the flow is not stiff, an implicit
/// method's accuracy at a small multiple of msbdf's cost where it is.
@Suite struct StiffnessSwitchTests {
    /// Inputs ≈ 1000 ± 1 (not centred): Σ11 has an eigenvalue ~2·10⁶ beside ones ~1, so once the
    /// weights have grown the Hessian's top eigenvalue forces rkf45's steps to ~3/λ_max while
    /// the solution itself moves on the slow scale.
    static func nonCentred() -> Correlations {
        var g = SplitMix64(seed: 21)
        var xs: [[Double]] = [], ys: [[Double]] = []
        for _ in 0..<200 {
            let x = [1000 + g.normal(), 1000 + g.normal()]
            xs.append(x)
            ys.append([0.002 * x[0] - 0.001 * x[1] + 0.1 * g.normal()])
        }
        return Correlations(inputs: xs, outputs: ys)
    }

    func run(_ flow: GradientFlow, _ w0: [Double], _ method: StepperMethod, to times: [Double], rtol: Double = 1e-8)
        throws -> ODEIntegrator {
        let i = try ODEIntegrator(system: flow, initialState: w0, method: method, relativeTolerance: rtol,
                                  absoluteTolerance: rtol * 1e-2)
        for t in times { try i.advance(to: t) }
        return i
    }

    /// A well-conditioned flow while it learns (to t = 40, before its late phase pins the steps):
    /// steps set by accuracy, far inside the stability limit, so auto never switches and lands on
    /// rkf45's bits at every output time, over a run long enough for two checks (after 125 and
    /// 375 steps).
    @Test func nonStiffRunIsRKF45BitForBit() throws {
        let data = Samples(n: 40, inputs: 6, outputs: 4, seed: 3)
        let a = try Architecture(sizes: [6, 8, 4])
        let flow = try GradientFlow(architecture: a, correlations: data.correlations)
        var g = SplitMix64(seed: 5)
        let w0 = (0..<a.parameterCount).map { _ in 1e-2 * g.normal() }
        let times = (1...40).map(Double.init)
        let auto = try run(flow, w0, .auto, to: times, rtol: 1e-10)
        let rk = try run(flow, w0, .rkf45, to: times, rtol: 1e-10)
        #expect(auto.steps > 2 * StiffnessSwitch.chunk, "too short to reach a check: \(auto.steps) steps")
        #expect(auto.stiffnessSwitch == nil)
        #expect(auto.activeMethod == .rkf45)
        #expect(auto.state == rk.state)
        #expect(auto.steps == rk.steps)
    }

    /// The non-centred flow: auto switches to the NDF (the Jacobian −H is symmetric), says why (h·λ_max ≥ 1 at the switch), ends
    /// within tolerance of msbdf alone and of a tight rk8pd reference, and costs at most 10×
    /// msbdf's RHS evaluations, where rkf45 alone needs ~100× msbdf's steps.
    @Test func stiffRunSwitchesToNDF() throws {
        let a = try Architecture(sizes: [2, 2, 1])
        let flow = try GradientFlow(architecture: a, correlations: Self.nonCentred())
        var g = SplitMix64(seed: 8)
        let w0 = (0..<a.parameterCount).map { _ in 1e-3 * g.normal() }
        let times = (1...80).map(Double.init)
        let auto = try run(flow, w0, .auto, to: times)
        let bdf = try run(flow, w0, .msbdf, to: times)
        let reference = try run(flow, w0, .rk8pd, to: times, rtol: 1e-12)
        let s = try #require(auto.stiffnessSwitch)
        #expect(s.outcome == .switched)
        #expect(auto.activeMethod == .ndf)
        #expect(s.stepper == .ndf)
        #expect(s.meanStep * s.lambdaMax >= StiffnessSwitch.pinned)
        #expect(s.message.contains("switches to linflow's NDF"))
        let scale = reference.state.map(abs).max()!
        for (x, r) in zip(auto.state, reference.state) { #expect(abs(x - r) <= 1e-5 * scale) }
        for (x, r) in zip(auto.state, bdf.state) { #expect(abs(x - r) <= 1e-5 * scale) }
        // The problem is stiff: rkf45 alone needs far more steps than msbdf.
        let rk = try run(flow, w0, .rkf45, to: times)
        #expect(rk.steps > 20 * bdf.steps, "rkf45 \(rk.steps) steps, msbdf \(bdf.steps)")
        // The cost, counted rather than timed (a shared machine's clock is no judge): auto's RHS
        // evaluations, its 500 rkf45 steps included, are within 10× of msbdf's alone (both then
        // build the same Jacobians). A release build times auto at 1.2× msbdf (docs/performance.md).
        let before = flow.evaluations
        _ = try run(flow, w0, .auto, to: times)
        let autoEvaluations = flow.evaluations - before
        _ = try run(flow, w0, .msbdf, to: times)
        let bdfEvaluations = flow.evaluations - before - autoEvaluations
        #expect(autoEvaluations <= 10 * bdfEvaluations, "auto \(autoEvaluations) RHS vs msbdf \(bdfEvaluations)")
    }

    /// With per-layer rates the Jacobian −R H is not symmetric, which the NDF's solves assume:
    /// auto switches to msbdf instead, says so, and still ends within tolerance of rk8pd.
    @Test func nonSymmetricJacobianSwitchesToMSBDF() throws {
        let a = try Architecture(sizes: [2, 2, 1])
        let flow = try GradientFlow(architecture: a, correlations: Self.nonCentred(), terms: FlowTerms(layerRates: [1, 2]))
        var g = SplitMix64(seed: 8)
        let w0 = (0..<a.parameterCount).map { _ in 1e-3 * g.normal() }
        let times = (1...80).map(Double.init)
        let auto = try run(flow, w0, .auto, to: times)
        let reference = try run(flow, w0, .rk8pd, to: times, rtol: 1e-12)
        let s = try #require(auto.stiffnessSwitch)
        #expect(s.stepper == .msbdf)
        #expect(auto.activeMethod == .msbdf)
        #expect(s.message.contains("switches to msbdf with the exact Jacobian"))
        let scale = reference.state.map(abs).max()!
        for (x, r) in zip(auto.state, reference.state) { #expect(abs(x - r) <= 1e-5 * scale) }
    }

    /// The rule itself: pinned steps switch, small ones do not, too many unknowns stay explicit.
    @Test func decisionRule() {
        #expect(StiffnessSwitch.decide(time: 1, meanStep: 1e-3, dimension: 10, lambdaMax: { 2e3 })?.outcome == .switched)
        #expect(StiffnessSwitch.decide(time: 1, meanStep: 1e-3, dimension: 10, lambdaMax: { 10 }) == nil)
        #expect(StiffnessSwitch.decide(time: 1, meanStep: 1e-3, dimension: 10, lambdaMax: { nil }) == nil)
        #expect(StiffnessSwitch.decide(time: 1, meanStep: 1e-3, dimension: 5000, lambdaMax: { 2e3 })?.outcome == .tooLarge)
    }
}
