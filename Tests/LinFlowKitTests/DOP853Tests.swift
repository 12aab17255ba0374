import CGSL
import CLinFlow
import Foundation
import Testing
@testable import LinFlowNumerics
import LinFlowTestSupport

/// y' = y²: exact y = y₀/(1 − y₀t). Its local error terms have no zeros near the steps used
/// below, so the error estimate's order shows cleanly from h = 0.2 down.
private let square: @convention(c) (Double, UnsafePointer<Double>?, UnsafeMutablePointer<Double>?, UnsafeMutableRawPointer?) -> Int32 = { _, y, f, _ in
    f![0] = y![0] * y![0]
    return Int32(GSL_SUCCESS)
}

/// The Dormand–Prince 8(5,3) stepper (CLinFlow's dop853_step.c) against closed forms, GSL's own
/// rk8pd, and Saxe et al.'s exact solution of the flow. The closed-form problem (closedFormField,
/// DormandPrinceTests.swift) is y₁' = y₁(1 − y₁), y₂' = cos(t) y₂; its second equation depends
/// on t, so the nodes c_i are tested along with a_ij and b_i.
@Suite struct DOP853Tests {
    let y0 = [0.1, 0.8]

    /// Fixed steps of size T/n with the bare stepper (no control): the global error at T.
    func fixedSteps(_ n: Int, to end: Double, type: UnsafePointer<gsl_odeiv2_step_type>) -> Double {
        var counter = 0
        return withUnsafeMutablePointer(to: &counter) { cp in
            var sys = gsl_odeiv2_system(function: closedFormField, jacobian: nil, dimension: 2, params: cp)
            let step = gsl_odeiv2_step_alloc(type, 2)!
            defer { gsl_odeiv2_step_free(step) }
            var y = y0, yerr = [0.0, 0.0], dydtOut = [0.0, 0.0]
            let h = end / Double(n)
            for k in 0..<n {
                let st = gsl_odeiv2_step_apply(step, Double(k) * h, h, &y, &yerr, nil, &dydtOut, &sys)
                precondition(st == GSL_SUCCESS)
            }
            let exact = closedForm(y0, end)
            return max(abs(y[0] - exact[0]), abs(y[1] - exact[1]))
        }
    }

    /// Global error ∝ h⁸: halving h divides it by 2⁸ = 256. From n = 4 to 32 steps over [0, 4]
    /// the errors go from ~1e-6 to ~3e-14 (about 100 ulps of y₂ ≈ 2, so rounding moves the last
    /// ratio by < 0.1 in the exponent); a wrong a_ij, b_i or c_i drops the order to 7 or below.
    @Test func globalErrorIsOfOrderEight() {
        let errs = [4, 8, 16, 32].map { fixedSteps($0, to: 4, type: linflow_step_dop853()) }
        for (a, b) in zip(errs, errs.dropFirst()) {
            let order = Foundation.log2(a / b)
            #expect(order > 7.6 && order < 8.8, "observed order \(order) from errors \(errs)")
        }
        // GSL's rk8pd, the reference 8th-order stepper, on the same problem: also 8th order,
        // approached from below at these steps (7.45 from 8 to 16 steps, 8.0 from 16 to 32).
        let gsl = [8, 16, 32].map { fixedSteps($0, to: 4, type: linflow_step_rk8pd()) }
        #expect(Foundation.log2(gsl[1] / gsl[2]) > 7.2, "rk8pd: \(gsl)")
    }

    /// One step of y' = y² from the exact y(0.3): the estimate h ρ e5 (ρ ≈ 10|e5|/|e3| = O(h²)
    /// times an O(h⁶) e5) shrinks like h⁸ per halving, where a lone 5th-order difference would
    /// shrink like h⁶ and a lone 3rd-order one like h⁴; and it lies above the 8th-order
    /// solution's true error (O(h⁹)), as an estimate the control can trust must.
    @Test func errorEstimateIsOfOrderEight() {
        func step(_ h: Double, scale: (Double, Double)? = nil) -> (estimate: Double, error: Double) {
            var sys = gsl_odeiv2_system(function: square, jacobian: nil, dimension: 1, params: nil)
            let step = gsl_odeiv2_step_alloc(linflow_step_dop853(), 1)!
            defer { gsl_odeiv2_step_free(step) }
            if let (a, r) = scale { precondition(linflow_step_dop853_set_error_scale(step, a, r) == GSL_SUCCESS) }
            let exact = { (t: Double) in 0.5 / (1 - 0.5 * t) }
            var y = [exact(0.3)], yerr = [0.0], out = [0.0]
            precondition(gsl_odeiv2_step_apply(step, 0.3, h, &y, &yerr, nil, &out, &sys) == GSL_SUCCESS)
            // dydt_out is f at the new point (gives_exact_dydt_out): the next step's k₁.
            #expect(out[0] == y[0] * y[0])
            return (abs(yerr[0]), abs(y[0] - exact(0.3 + h)))
        }
        let hs = [0.4, 0.2, 0.1, 0.05, 0.025]
        let steps = hs.map { step($0) }
        for (a, b) in zip(steps.dropFirst(), steps.dropFirst(2)) {
            let order = Foundation.log2(a.estimate / b.estimate)
            #expect(order > 7.7 && order < 8.5, "estimate shrinks like h^\(order): \(steps.map(\.estimate))")
        }
        // Where the true error is resolved above rounding (h = 0.4, 0.2: 1.4e-9, 1.2e-12).
        for s in steps.prefix(2) { #expect(s.error < s.estimate, "\(s)") }
        // In one dimension the weights D cancel from ρ: any scale gives the same estimate.
        for scale in [(7.0, 0.0), (1e-10, 1e-8)] {
            let scaled = step(0.1, scale: scale).estimate
            #expect(abs(scaled - steps[2].estimate) <= 1e-13 * steps[2].estimate)
        }
    }

    /// The weights are the control's only for dop853, and only when they can weigh.
    @Test func errorScaleIsRefusedWhereItHasNoMeaning() {
        let rk = gsl_odeiv2_step_alloc(linflow_step_rk8pd(), 2)!, dop = gsl_odeiv2_step_alloc(linflow_step_dop853(), 2)!
        defer { gsl_odeiv2_step_free(rk); gsl_odeiv2_step_free(dop) }
        #expect(linflow_step_dop853_set_error_scale(rk, 1e-10, 1e-8) == GSL_EINVAL)
        #expect(linflow_step_dop853_set_error_scale(dop, 0, 0) == GSL_EINVAL)
        #expect(linflow_step_dop853_set_error_scale(dop, -1, 1e-8) == GSL_EINVAL)
        #expect(linflow_step_dop853_set_error_scale(dop, .nan, 1e-8) == GSL_EINVAL)
        #expect(linflow_step_dop853_set_error_scale(dop, 0, 1e-8) == GSL_SUCCESS)
    }

    /// Under GSL's driver the stepper reuses k₁₃ as the next k₁ (FSAL) and k₁ on a retry after a
    /// rejected step; the result must be bit for bit what fresh evaluations give (a stepper
    /// reset before every step forgets both), with fewer evaluations.
    @Test func firstSameAsLastChangesNoBitAndSavesEvaluations() {
        func run(resetEachStep: Bool) -> (y: [Double], evals: Int, steps: Int, failed: Int) {
            evolveClosedForm(linflow_step_dop853(), from: y0, h0: 2, atol: 1e-12, rtol: 1e-10, resetEachStep: resetEachStep) { d in
                precondition(linflow_step_dop853_set_error_scale(d.pointee.s, 1e-12, 1e-10) == GSL_SUCCESS)
            }
        }
        let fsal = run(resetEachStep: false), fresh = run(resetEachStep: true)
        #expect(fsal.y == fresh.y)
        #expect(fsal.steps == fresh.steps)
        #expect(fsal.failed > 0, "the start h = 2 must be rejected at least once for the retry path to run")
        // Reset before each step: 13 evaluations per step, 12 per retry inside it (k₁ = f(y) kept).
        // FSAL: 12 per try, plus k₁ at the start and at most once per rejection (when k₁ was
        // the last k₁₃, in dydt_out, which the rejected try overwrote).
        #expect(fresh.evals == 13 * fresh.steps + 12 * fresh.failed)
        let tries = fsal.steps + fsal.failed
        #expect(fsal.evals >= 12 * tries + 1 && fsal.evals <= 12 * tries + 1 + fsal.failed, "\(fsal.evals) evaluations for \(tries) tries")
        let exact = closedForm(y0, 20)
        #expect(abs(fsal.y[1] - exact[1]) < 1e-8 * abs(exact[1]))
    }

    /// On gradient flows through linflow's integrator, with the max and the RMS norm, the stepper
    /// lands within its tolerance of GSL's rk8pd at rtol 1e-13, and so does rk8pd at the same
    /// tolerance (the bound 100·rtol: global error of a few times the local tolerance over
    /// t ≤ 20, as for dp45).
    @Test(arguments: [[4, 5, 3], [3, 4, 4, 4, 2]], [ErrorNorm.max, .rms])
    func matchesGSLsRK8PDOnGradientFlow(sizes: [Int], norm: ErrorNorm) throws {
        let problem = try RandomFlowProblem(sizes: sizes)
        let reference = try problem.end(.rk8pd, rtol: 1e-13)
        for rtol in [1e-7, 1e-10] {
            let dop = try problem.end(.dop853, rtol: rtol, norm: norm), rk = try problem.end(.rk8pd, rtol: rtol, norm: norm)
            let eDOP = problem.relativeGap(dop, reference), eRK = problem.relativeGap(rk, reference)
            #expect(eDOP < 100 * rtol, "dop853 error \(eDOP) at rtol \(rtol)")
            #expect(eRK < 100 * rtol, "rk8pd error \(eRK) at rtol \(rtol)")
        }
    }

    /// Saxe et al.'s exact solution for aligned balanced starts (white inputs): dop853 at rtol
    /// 1e-11 follows it to 1e-8 in every weight at every time, as ClosedFormTests asks of rkf45.
    @Test(arguments: [1, 2, 3])
    func followsTheAlignedClosedForm(depth: Int) throws {
        for (label, gap) in try alignedClosedFormGaps(depth: depth, method: .dop853) { #expect(gap < 1e-8, "\(label): \(gap)") }
    }
}
