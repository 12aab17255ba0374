import Foundation
import LinFlowNumerics
import LinFlowIO
import LinFlowPlot

/// Runs gradient descent, the gradient flow and the modified flow (``ModifiedFlow``) from the
/// same initial weights and writes their losses and distances at every written step.
public struct Comparison {
    public let setup: RunSetup

    public init(_ setup: RunSetup) { self.setup = setup }

    /// `notice` receives the stability warning, before the first step.
    public func run(notice: @escaping (String) -> Void) throws -> ComparisonSummary {
        let request = setup.request
        let integration = request.integration ?? IntegrationChoice()
        let tolerances = integration.tolerances(for: .compare)
        let loop = DescentLoop(setup)
        let flowModel = setup.flow, eta = loop.learningRate, architecture = setup.architecture
        if let w = stabilityWarning(learningRate: eta, at: setup.start, flow: flowModel, sharpness: SharpnessEstimator(flow: flowModel).estimate(at: setup.start)) {
            notice(w)
        }
        func integrator(_ system: ODESystem) throws -> ODEIntegrator {
            try integration.integrator(system, from: setup.start, at: setup.startTime, for: .compare)
        }
        let flow = try integrator(flowModel)
        let modified = try integrator(ModifiedFlow(flow: flowModel, learningRate: eta))
        flow.announceStiffness("flow", to: notice)
        modified.announceStiffness("modified flow", to: notice)
        func advance(_ i: ODEIntegrator, _ name: String, to t: Double) throws -> Weights {
            do {
                try i.advance(to: t)
            } catch .interrupted(let at) {
                throw LinflowError.interrupted("interrupted at t = \(fmt(at))")
            } catch {
                throw LinflowError.numerical("GSL could not integrate the \(name) to t = \(fmt(t)): \(error)")
            }
            return Weights(architecture: architecture, flat: i.state)
        }

        let layout = ComparisonLayout(architecture: architecture, testLoss: setup.test != nil)
        let out = try request.storage.open(request.output, blocks: layout.blocks, rows: loop.rowsAfterStart + 1,
                                           fewerRows: .every, notice: notice)
        var summary = ComparisonSummary(
            architecture: architecture, dataDescription: setup.data.description, learningRate: eta,
            steps: loop.steps, rows: 0, output: out.path, method: integration.method,
            finalLosses: (loop.initialLoss, loop.initialLoss, loop.initialLoss), wallSeconds: 0)
        let descent = GradientDescent(gradientSource: flowModel, initial: setup.start, learningRate: eta)
        var diverged = false
        // With held-out data: the test loss of descent, flow and modified flow over the rows.
        var tests = setup.test.map { _ in [TestLossFigures(), TestLossFigures(), TestLossFigures()] }
        let provenance = { (status: String) in
            let l = summary.finalLosses
            var result: [String: Any] = [
                "rows": summary.rows, "diverged": diverged,
                "final_loss": l.descent, "final_loss_gd": l.descent, "final_loss_flow": l.flow, "final_loss_modified": l.modified,
                "max_gap_flow": summary.flowGap.value, "max_gap_modified": summary.modifiedGap.value,
            ]
            // The unsuffixed figures are the descent's, as final_loss is.
            for (figures, suffix) in zip(tests ?? [], ["", "_flow", "_modified"]) { result.merge(figures.record(suffix: suffix)) { $1 } }
            if let gd = tests?[0] { result.merge(gd.record(suffix: "_gd")) { $1 } }
            return setup.record(status: status, settings: [
                "lr": eta, "steps": loop.steps, "every": loop.every, "first_step": loop.firstStep,
                "method": integration.method.rawValue, "rtol": tolerances.relative, "atol": tolerances.absolute,
                "error_norm": integration.errorNorm.rawValue,
                "max_steps": integration.maxSteps.map { $0 as Any } ?? NSNull(),
                "stiffness": integration.method == .auto
                    ? ["flow": flow.stiffnessSwitch?.record as Any, "modified_flow": modified.stiffnessSwitch?.record as Any] as Any
                    : NSNull(),
            ], result: result)
        }
        try loop.run(descent, to: out, label: "linflow compare",
                     rowsWritten: { summary.rows }, provenance: provenance, diverged: { diverged = true }) { k, t, gd, loss in
            let wf = try advance(flow, "flow", to: t), wm = try advance(modified, "modified flow", to: t)
            // Every loss as L* + excess (never below the floor), the descent's like `descend`'s rows.
            let losses = (loss.isNaN ? loss : flowModel.loss(at: gd), flowModel.loss(at: wf), flowModel.loss(at: wm))
            let df = layout.distances(gd, wf), dm = layout.distances(gd, wm)
            let testLosses = tests == nil ? [] : [loss.isNaN ? loss : setup.testLoss(at: gd)!, setup.testLoss(at: wf)!, setup.testLoss(at: wm)!]
            for i in testLosses.indices { tests![i].add(testLosses[i], time: t) }
            try out.write(row: [t, losses.0, losses.1, losses.2] + testLosses + df + dm)
            summary.rows += 1
            summary.finalLosses = losses
            summary.flowGap.update(df[0], step: k, time: t)
            summary.modifiedGap.update(dm[0], step: k, time: t)
            for (l, name) in layout.layerNames.enumerated() {
                summary.flowLayerGap.update(df[l + 1], step: k, time: t, layer: name)
                summary.modifiedLayerGap.update(dm[l + 1], step: k, time: t, layer: name)
            }
        }
        summary.test = tests.map { (setup.data.test!.description, $0[0], $0[1], $0[2]) }
        summary.firstStep = loop.firstStep
        summary.wallSeconds = loop.elapsedSeconds
        return summary
    }
}
