import Foundation

/// Which closed form `linflow analytic` evaluates.
public enum ClosedFormKind: String, CaseIterable, Sendable {
    /// `modes` if the start is aligned and balanced, else `riccati`.
    case auto
    /// ``AlignedModeSolution``: Saxe et al., aligned balanced starts, any depth.
    case modes
    /// ``RiccatiSolution``: Braun et al., zero-balanced two-layer starts.
    case riccati
}

/// One of the closed forms, advanced row by row.
public enum ClosedFormSolution {
    case modes(AlignedModeSolution)
    case riccati(RiccatiSolution)

    /// The form `kind` asks for, or the first that applies for `auto`; its refusal otherwise.
    public init(_ kind: ClosedFormKind, start: Weights, white: WhiteInputs) throws {
        switch kind {
        case .modes: self = .modes(try AlignedModeSolution(start: start, white: white))
        case .riccati: self = .riccati(try RiccatiSolution(start: start, white: white))
        case .auto:
            do { self = .modes(try AlignedModeSolution(start: start, white: white)) } catch let aligned {
                guard start.architecture.depth == 2, !start.architecture.bias else { throw aligned }
                self = .riccati(try RiccatiSolution(start: start, white: white))
            }
        }
    }

    public var description: String {
        switch self {
        case .modes(let m) where m.depth == 2:
            return "Saxe et al., aligned balanced start: u(t) = s e^{2st}/(e^{2st} − 1 + s/u0) for every mode"
        case .modes(let m) where m.depth == 1:
            return "one layer, aligned start: a(t) = s + (a0 − s) e^{−t} for every mode"
        case .modes(let m):
            return "Saxe et al., aligned balanced start, depth \(m.depth): da/dt = \(m.depth) a^{2−2/\(m.depth)}(s − a) per mode (rk8pd)"
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

/// Everything `linflow analytic` needs to know.
public struct AnalyticConfiguration: Sendable {
    public var data: DataSource = .builtin(DataSource.defaultDataset)
    public var network: NetworkSpec?
    public var bias = false
    /// Aligned by default: a random start has no closed form.
    public var initialization: Initialization = .aligned(seed: 1, scale: 1e-3)
    public var form: ClosedFormKind = .auto
    /// nil: the dataset's suggested horizon, or 80.
    public var tEnd: Double?
    public var samples = 200
    public var output: String?
    /// CSV or HDF5, and which weight blocks (`--format`, `--weights`).
    public var storage = TrajectoryStorage()
    public var diagnostics: TrajectoryLayout.Diagnostics = .all
    public var modes = false
    /// Also integrate the flow numerically, to measure learning times and the deviation.
    public var check = true
    /// The stepper and tolerances of that check.
    public static let checkMethod = StepperMethod.rk8pd
    public static let checkTolerances = (relative: 1e-12, absolute: 1e-14)

    public init() {}
}

/// What `linflow analytic` reports on stderr.
public struct AnalyticSummary: Sendable {
    public struct Mode: Sendable {
        /// s_α, singular value of Σ31; the mode converges to s_α/c.
        public var s: Double
        public var target: Double
        public var initial: Double
        /// Time at which a_α reaches target/2: on the closed form, and on the numerical flow.
        public var predicted: Double?
        public var measured: Double?
    }

    public var architecture: Architecture
    public var dataDescription: String
    public var c: Double
    public var form: String
    public var tEnd: Double
    public var rows: Int
    public var output: String?
    public var modes: [Mode]
    /// Largest |closed form − numerical flow| over the rows (nil without the check): of the
    /// end-to-end map, of the weights (or of QQᵀ for the Riccati form), and of the loss.
    public var deviation: (endToEnd: Double, weights: Double, loss: Double)?
    public var weightsLabel: String

    public var text: String {
        func f(_ x: Double?) -> String { x.map { String(format: "%.10g", $0) } ?? "never" }
        var lines = [
            "linflow analytic: \(architecture.description) network on \(dataDescription), Σ11 = \(c)·I, t = 0…\(fmt(tEnd)): \(rows) rows → \(output ?? "stdout")",
            "  closed form: \(form)\(c == 1 ? "" : ", with s → s/c, t → c·t")",
            "  mode  s_α          s_α/c        a_α(0)       t½ closed form   t½ numerical flow",
        ]
        for (i, m) in modes.enumerated() {
            let cells = [String(i + 1), fmt(m.s), fmt(m.target), fmt(m.initial), f(m.predicted), f(m.measured)]
            let widths = [4, 12, 12, 12, 16, 16]
            let line = zip(cells, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: " ")
            lines.append("  " + line.replacingOccurrences(of: " +$", with: "", options: .regularExpression))
        }
        let gaps = modes.compactMap { m in m.predicted.flatMap { p in m.measured.map { abs(p - $0) } } }
        lines.append("  (t½: when a_α = u_αᵀWv_α first reaches half of s_α/c)" + (gaps.isEmpty ? "" : "; largest |Δt½| = \(fmt(gaps.max()!))"))
        if let d = deviation {
            let tol = AnalyticConfiguration.checkTolerances
            lines.append("  largest |closed form − numerical flow| over the rows (\(AnalyticConfiguration.checkMethod.rawValue), rtol \(tol.relative), atol \(tol.absolute)): end-to-end map \(fmt(d.endToEnd)), \(weightsLabel) \(fmt(d.weights)), loss \(fmt(d.loss))")
        }
        return lines.joined(separator: "\n")
    }
}

/// Writes a closed-form trajectory in the layout of `simulate` and, unless told not to,
/// integrates the flow beside it to measure learning times and the largest deviation.
public struct Analytic {
    public let configuration: AnalyticConfiguration

    public init(_ configuration: AnalyticConfiguration) { self.configuration = configuration }

    public func run() throws -> AnalyticSummary {
        let cfg = configuration
        if let tEnd = cfg.tEnd, !(tEnd > 0 && tEnd.isFinite) {
            throw LinflowError.usage("--t-end must be a positive number, got \(tEnd)")
        }
        guard cfg.samples >= 1 else { throw LinflowError.usage("--samples must be at least 1, got \(cfg.samples)") }
        let data = try cfg.data.correlations()
        let c = data.correlations
        let architecture = try resolveArchitecture(network: cfg.network, bias: cfg.bias, initialization: cfg.initialization,
                                                   inputs: c.inputs, outputs: c.outputs)
        guard !architecture.bias else { throw LinflowError.usage("the closed forms are for linear chains; drop --bias") }
        let white = try WhiteInputs(c)
        let w0 = try cfg.initialization.weights(for: architecture, correlations: c)
        var solution = try ClosedFormSolution(cfg.form, start: w0, white: white)
        let flow = try GradientFlow(architecture: architecture, correlations: c)
        let layout = try TrajectoryLayout(architecture: architecture, diagnostics: cfg.diagnostics,
                                          modes: cfg.modes ? try ModeBasis(flow: flow) : nil, weights: cfg.storage.weights)
        let tEnd = cfg.tEnd ?? data.suggestedHorizon ?? SimulationConfiguration.defaultHorizon
        let times = (0...cfg.samples).map { tEnd * Double($0) / Double(cfg.samples) }
        // The table's modes: Σ31's singular vectors, in which the closed forms are written.
        let basis = try SingularValueDecomposition(c.sigma31)
        let modes = ModeBasis(u: basis.u, v: basis.v, values: basis.values.map { $0 / white.c })
        let numeric = try cfg.check ? checkIntegrator(flow, w0, 0) : nil
        let isRiccati: Bool
        if case .riccati = solution { isRiccati = true } else { isRiccati = false }

        var closedStrengths: [[Double]] = [], numericStrengths: [[Double]] = []
        var numericStates: [[Double]] = [], riccatiStates: [RiccatiSolution] = []
        var deviation = (endToEnd: 0.0, weights: 0.0, loss: 0.0)
        let out = try cfg.storage.open(cfg.output, blocks: layout.blocks, rows: times.count, fewerRows: "--samples")
        do {
            for t in times {
                let w = try solution.weights(at: t)
                let loss = flow.loss(at: w)
                try out.write(row: try layout.values(time: t, loss: loss, weights: w))
                closedStrengths.append(modes.strengths(of: w.endToEnd))
                if case .riccati(let r) = solution { riccatiStates.append(r) }
                guard let numeric else { continue }
                try advance(numeric, to: t)
                let n = Weights(architecture: architecture, flat: numeric.state)
                numericStates.append(n.flat)
                numericStrengths.append(modes.strengths(of: n.endToEnd))
                deviation.endToEnd = max(deviation.endToEnd, (w.endToEnd - n.endToEnd).maxAbs)
                deviation.weights = max(deviation.weights, isRiccati ? (gram(w) - gram(n)).maxAbs
                                        : zip(w.flat, n.flat).reduce(0) { max($0, abs($1.0 - $1.1)) })
                deviation.loss = max(deviation.loss, abs(loss - flow.loss(at: n)))
            }
            try out.commit(record: RunRecord(command: "analytic", settings: [
                "data": data.record,
                "network": ["sizes": architecture.sizes],
                "initialization": cfg.initialization.record,
                "settings": ["form": "\(cfg.form)", "t_end": tEnd, "samples": cfg.samples, "modes": cfg.modes],
                "result": ["status": "complete", "rows": times.count],
            ]))
        } catch {
            out.discard()
            throw error
        }

        var table: [AnalyticSummary.Mode] = []
        for α in 0..<modes.values.count {
            let level = modes.values[α] / 2
            var predicted: Double?
            switch solution {
            case .modes(let m): predicted = try m.time(toReach: level, mode: α)
            case .riccati:
                predicted = try firstCrossing(times, closedStrengths.map { $0[α] }, level) { i, dt in
                    var r = riccatiStates[i]
                    try r.advance(to: times[i] + dt)
                    return modes.strengths(of: r.weights.endToEnd)[α]
                }
            }
            let measured = try cfg.check ? firstCrossing(times, numericStrengths.map { $0[α] }, level) { i, dt in
                let ode = try checkIntegrator(flow, Weights(architecture: architecture, flat: numericStates[i]), times[i])
                try advance(ode, to: times[i] + dt)
                return modes.strengths(of: Weights(architecture: architecture, flat: ode.state).endToEnd)[α]
            } : nil
            table.append(.init(s: basis.values[α], target: modes.values[α], initial: closedStrengths[0][α],
                               predicted: predicted, measured: measured))
        }
        return AnalyticSummary(
            architecture: architecture, dataDescription: "\(data.description) (N = \(c.sampleCount))", c: white.c,
            form: solution.description, tEnd: tEnd, rows: times.count, output: out.path, modes: table,
            deviation: cfg.check ? deviation : nil, weightsLabel: isRiccati ? "QQᵀ" : "weights")
    }

    private func checkIntegrator(_ flow: GradientFlow, _ w: Weights, _ t: Double) throws -> ODEIntegrator {
        let tol = AnalyticConfiguration.checkTolerances
        return try ODEIntegrator(system: flow, initialState: w.flat, startTime: t, method: AnalyticConfiguration.checkMethod,
                                 relativeTolerance: tol.relative, absoluteTolerance: tol.absolute)
    }

    private func advance(_ ode: ODEIntegrator, to t: Double) throws {
        do { try ode.advance(to: t) } catch {
            throw LinflowError.numerical("the numerical check failed near t = \(ode.time): \(error)")
        }
    }

    /// QQᵀ for Q = [W21ᵀ; W32]: what the Riccati form determines (gauge-free).
    private func gram(_ w: Weights) -> Matrix {
        let a = w.layer(1), b = w.layer(2)
        let q = Matrix(rows: a.cols + b.rows, cols: a.rows, storage: a.transposed.storage + b.storage)
        return q * q.transposed
    }
}

/// The first time at which a quantity reaches `level` from below: located between the rows
/// `times` where its values are `grid`, then refined by bisection on `value(i, δ)`, its value at
/// times[i] + δ computed afresh from row i. 0 if it starts at or above the level, nil if no
/// row reaches it.
func firstCrossing(_ times: [Double], _ grid: [Double], _ level: Double,
                   value: (Int, Double) throws -> Double) throws -> Double? {
    if grid[0] >= level { return 0 }
    guard let j = grid.firstIndex(where: { $0 >= level }) else { return nil }
    let i = j - 1
    var lo = 0.0, hi = times[j] - times[i]
    while hi - lo > 1e-13 * max(1, times[j]) {
        let mid = 0.5 * (lo + hi)
        if try value(i, mid) >= level { hi = mid } else { lo = mid }
    }
    return times[i] + 0.5 * (lo + hi)
}
