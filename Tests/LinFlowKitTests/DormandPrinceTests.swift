import CGSL
import CLinFlow
import Foundation
import Testing
import Numerics
@testable import LinFlowNumerics
import LinFlowTestSupport
@testable import LinFlowIO
@testable import LinFlowPlot
@testable import LinFlowRuns
@testable import LinFlowSweep

/// y₁' = y₁(1 − y₁), y₂' = cos(t) y₂: exact y₁ = 1/(1 + (1/y₁₀ − 1)e^{−t}), y₂ = y₂₀ e^{sin t}.
/// The second equation depends on t, so the nodes c_i are tested along with a_ij and b_i.
let closedFormField: @convention(c) (Double, UnsafePointer<Double>?, UnsafeMutablePointer<Double>?, UnsafeMutableRawPointer?) -> Int32 = { t, y, f, counter in
    f![0] = y![0] * (1 - y![0])
    f![1] = Foundation.cos(t) * y![1]
    counter?.assumingMemoryBound(to: Int.self).pointee += 1
    return Int32(GSL_SUCCESS)
}

func closedForm(_ y0: [Double], _ t: Double) -> [Double] {
    [1 / (1 + (1 / y0[0] - 1) * Foundation.exp(-t)), y0[1] * Foundation.exp(Foundation.sin(t))]
}

/// The closed-form problem from y0 at t = 0 to 20 under GSL's driver (evolve and its standard
/// control at the given tolerances, first try h0), counting RHS evaluations; `resetEachStep`
/// resets the stepper before every step, so that it forgets any stage kept from the last.
/// `prepare` runs on the driver before the first step.
func evolveClosedForm(_ type: UnsafePointer<gsl_odeiv2_step_type>, from y0: [Double], h0: Double, atol: Double, rtol: Double,
                      resetEachStep: Bool, prepare: (UnsafeMutablePointer<gsl_odeiv2_driver>) -> Void = { _ in })
    -> (y: [Double], evals: Int, steps: Int, failed: Int) {
    var counter = 0
    return withUnsafeMutablePointer(to: &counter) { cp in
        var sys = gsl_odeiv2_system(function: closedFormField, jacobian: nil, dimension: 2, params: cp)
        let d = gsl_odeiv2_driver_alloc_y_new(&sys, type, h0, atol, rtol)!
        defer { gsl_odeiv2_driver_free(d) }
        prepare(d)
        var y = y0, t = 0.0, h = h0, steps = 0
        while t < 20 {
            if resetEachStep { gsl_odeiv2_step_reset(d.pointee.s) }
            let st = gsl_odeiv2_evolve_apply(d.pointee.e, d.pointee.c, d.pointee.s, &sys, &t, 20, &h, &y)
            precondition(st == GSL_SUCCESS)
            steps += 1
        }
        return (y, cp.pointee, steps, Int(d.pointee.e.pointee.failed_steps))
    }
}

/// The Dormand–Prince 5(4) stepper (CGSL's dp45_step.h) against closed forms, and against GSL's
/// own rkf45 on gradient flows.
@Suite struct DormandPrinceTests {
    let y0 = [0.1, 0.8]

    /// Steps of fixed size h from t = 0 to 2 with the bare stepper (no control); returns the
    /// global error and the last step's error estimate.
    func fixedSteps(_ n: Int, type: UnsafePointer<gsl_odeiv2_step_type>) -> (error: Double, lastEstimate: Double) {
        var counter = 0
        return withUnsafeMutablePointer(to: &counter) { cp in
            var sys = gsl_odeiv2_system(function: closedFormField, jacobian: nil, dimension: 2, params: cp)
            let step = gsl_odeiv2_step_alloc(type, 2)!
            defer { gsl_odeiv2_step_free(step) }
            var y = y0, yerr = [0.0, 0.0], dydtOut = [0.0, 0.0]
            let h = 2.0 / Double(n)
            for k in 0..<n {
                let st = gsl_odeiv2_step_apply(step, Double(k) * h, h, &y, &yerr, nil, &dydtOut, &sys)
                precondition(st == GSL_SUCCESS)
            }
            let exact = closedForm(y0, 2)
            return (max(abs(y[0] - exact[0]), abs(y[1] - exact[1])), max(abs(yerr[0]), abs(yerr[1])))
        }
    }

    /// Global error ∝ h⁵: halving h divides it by 2⁵ = 32. A wrong a_ij, b_i or c_i drops the
    /// order (to 4 or below: a ratio ≤ 16), which this test catches.
    @Test func globalErrorIsOfOrderFive() {
        let errs = [8, 16, 32, 64].map { fixedSteps($0, type: linflow_step_dp45()).error }
        for (a, b) in zip(errs, errs.dropFirst()) {
            let order = Foundation.log2(a / b)
            #expect(order > 4.7 && order < 5.5, "observed order \(order) from errors \(errs)")
        }
        // And the same problem through GSL's rkf45, the reference stepper: also fifth order.
        let gsl = [8, 16, 32, 64].map { fixedSteps($0, type: linflow_step_rkf45()).error }
        #expect(Foundation.log2(gsl[2] / gsl[3]) > 4.5)
    }

    /// One step from the exact start: the embedded 4th-order solution y − yerr has local error
    /// O(h⁵) and the 5th-order y has O(h⁶), so yerr equals the 4th-order solution's error up to
    /// a relative O(h) (the ratio tends to 1, its distance from 1 halving with h) and shrinks by
    /// 2⁵ per halving. Wrong b* weights break both.
    @Test func errorEstimateIsTheFourthOrderSolutionsError() {
        var counter = 0
        var ratios: [Double] = [], estimates: [Double] = []
        for h in [0.1, 0.05, 0.025] {
            withUnsafeMutablePointer(to: &counter) { cp in
                var sys = gsl_odeiv2_system(function: closedFormField, jacobian: nil, dimension: 2, params: cp)
                let step = gsl_odeiv2_step_alloc(linflow_step_dp45(), 2)!
                defer { gsl_odeiv2_step_free(step) }
                let t0 = 0.3
                var y = closedForm(y0, t0), yerr = [0.0, 0.0], out = [0.0, 0.0]
                _ = gsl_odeiv2_step_apply(step, t0, h, &y, &yerr, nil, &out, &sys)
                let exact = closedForm(y0, t0 + h)
                let err4 = y[1] - yerr[1] - exact[1]  // the 4th-order solution's error (component 2)
                ratios.append(-err4 / yerr[1])
                estimates.append(abs(yerr[1]))
                // dydt_out is f at the new point (gives_exact_dydt_out).
                #expect(out[1].isApproximatelyEqual(to: Foundation.cos(t0 + h) * y[1], relativeTolerance: 1e-14))
            }
        }
        #expect(abs(ratios[2] - 1) < 0.1, "estimate / true 4th-order error: \(ratios)")
        for (a, b) in zip(ratios, ratios.dropFirst()) {
            let shrink = abs(a - 1) / abs(b - 1)
            #expect(shrink > 1.6 && shrink < 2.5, "estimate / true 4th-order error: \(ratios)")
        }
        let order = Foundation.log2(estimates[1] / estimates[2])
        #expect(order > 4.6 && order < 5.4, "estimate shrinks like h^\(order)")
    }

    /// Under GSL's driver the stepper reuses k₇ as the next k₁ (FSAL) and k₁ on a retry after a
    /// rejected step; the result must be bit for bit what fresh evaluations give (a stepper
    /// reset before every step forgets both), with fewer evaluations.
    @Test func firstSameAsLastChangesNoBitAndSavesEvaluations() {
        func run(resetEachStep: Bool) -> (y: [Double], evals: Int, steps: Int, failed: Int) {
            evolveClosedForm(linflow_step_dp45(), from: y0, h0: 0.5, atol: 1e-9, rtol: 1e-7, resetEachStep: resetEachStep)
        }
        let fsal = run(resetEachStep: false), fresh = run(resetEachStep: true)
        #expect(fsal.y == fresh.y)
        #expect(fsal.steps == fresh.steps)
        #expect(fsal.failed > 0, "the start h = 0.5 must be rejected at least once for the retry path to run")
        // Reset before each step: 7 evaluations per step, 6 per retry inside it (k₁ = f(y) kept).
        // FSAL: 6 per try, plus k₁ at the start and at most once per rejection (when k₁ was
        // the last k₇, in dydt_out, which the rejected try overwrote).
        #expect(fresh.evals == 7 * fresh.steps + 6 * fresh.failed)
        let tries = fsal.steps + fsal.failed
        #expect(fsal.evals >= 6 * tries + 1 && fsal.evals <= 6 * tries + 1 + fsal.failed, "\(fsal.evals) evaluations for \(tries) tries")
        #expect(fsal.evals < fresh.evals)
        let exact = closedForm(y0, 20)
        #expect(abs(fsal.y[1] - exact[1]) < 1e-5 * abs(exact[1]))
    }

    /// On gradient flows the stepper must land where GSL's rkf45 does (both within their
    /// tolerance of rk8pd at rtol 1e-13), with the max and the RMS norm.
    @Test(arguments: [[4, 5, 3], [3, 4, 4, 4, 2]], [ErrorNorm.max, .rms])
    func matchesGSLsRKF45OnGradientFlow(sizes: [Int], norm: ErrorNorm) throws {
        let problem = try RandomFlowProblem(sizes: sizes)
        let reference = try problem.end(.rk8pd, rtol: 1e-13)
        for rtol in [1e-6, 1e-9] {
            let dp = try problem.end(.dp45, rtol: rtol, norm: norm), rk = try problem.end(.rkf45, rtol: rtol, norm: norm)
            let eDP = problem.relativeGap(dp, reference), eRK = problem.relativeGap(rk, reference)
            #expect(eDP < 100 * rtol, "dp45 error \(eDP) at rtol \(rtol)")
            #expect(eRK < 100 * rtol, "rkf45 error \(eRK) at rtol \(rtol)")
            #expect(problem.relativeGap(dp, rk) < 100 * rtol)
        }
    }
}

/// A gradient flow on 30 random samples from a random start (σ = 0.3), integrated through
/// linflow's integrator to t = 1, 5, 20 (atol = rtol/100): the problem on which the own steppers
/// are compared with GSL's.
struct RandomFlowProblem {
    let flow: GradientFlow
    let w0: [Double]

    init(sizes: [Int]) throws {
        let data = Samples(n: 30, inputs: sizes.first!, outputs: sizes.last!, seed: 4, shift: 0)
        let a = try Architecture(sizes: sizes)
        flow = try GradientFlow(architecture: a, correlations: data.correlations)
        var g = SplitMix64(seed: 9)
        w0 = (0..<a.parameterCount).map { _ in 0.3 * g.normal() }
    }

    func end(_ m: StepperMethod, rtol: Double, norm: ErrorNorm = .max) throws -> [Double] {
        let i = try ODEIntegrator(system: flow, initialState: w0, method: m, relativeTolerance: rtol,
                                  absoluteTolerance: rtol * 1e-2, errorNorm: norm)
        for t in [1.0, 5, 20] { try i.advance(to: t) }
        return i.state
    }

    /// max_i |a_i − b_i| / max_i |b_i|.
    func relativeGap(_ a: [Double], _ b: [Double]) -> Double {
        zip(a, b).map { abs($0 - $1) }.max()! / b.map(abs).max()!
    }
}
