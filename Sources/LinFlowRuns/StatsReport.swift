import Foundation
import LinFlowNumerics
import LinFlowIO
import LinFlowPlot

/// `linflow stats`: the correlations of a dataset and what follows from them.
public struct StatsReport {
    public let data: DataSource
    /// Report on x̃ = [x; 1], the input of an affine network (`--bias`): Σ̃11, Σ̃31 and the affine
    /// least-squares map [W b], whose last column is the intercept.
    public let bias: Bool
    /// γ of `--weight-decay`: also the ridge solution of the shallow (one-layer) problem.
    public let weightDecay: Double?

    public init(data: DataSource, bias: Bool = false, weightDecay: Double? = nil) {
        self.data = data
        self.bias = bias
        self.weightDecay = weightDecay
    }

    /// What the report shows, computed once for the text and the JSON.
    struct Figures {
        let loaded: LoadedData
        let c: Correlations
        let ls: LeastSquares
        let svd: SingularValueDecomposition
        let eig: [Double]
        let ridge: Ridge?
    }

    func figures() throws -> Figures {
        let loaded = try data.correlations()
        let c = bias ? try loaded.correlations.augmented() : loaded.correlations
        let ls = try LeastSquares(c)
        return Figures(loaded: loaded, c: c, ls: ls, svd: try SingularValueDecomposition(c.sigma31),
                       eig: try c.sigma11Eigenvalues(),
                       ridge: try weightDecay.map { try Ridge(loaded.correlations, weightDecay: $0, bias: bias, leastSquares: ls) })
    }

    /// The same figures to full precision, for programs: a JSON object with every number in its
    /// shortest round-trip form (so it reads back to the same double), matrices as lists of rows.
    public func json() throws -> String { json(try figures()) }

    /// The text and the JSON from one reading of the data.
    public func renderBoth() throws -> (text: String, json: String) {
        let f = try figures()
        return (render(f), json(f))
    }

    func json(_ f: Figures) -> String {
        func number(_ x: Double) -> String { x.isFinite ? "\(x)" : "null" }
        func list(_ v: [Double]) -> String { "[" + v.map(number).joined(separator: ", ") + "]" }
        func matrix(_ m: Matrix) -> String {
            "[" + (0..<m.rows).map { r in list((0..<m.cols).map { m[r, $0] }) }.joined(separator: ",\n    ") + "]"
        }
        func text(_ t: String) -> String {
            "\"" + t.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        var fields: [(String, String)] = [
            ("data", text(f.loaded.description)),
            ("samples", "\(f.c.sampleCount)"),
            ("input_names", "[" + f.loaded.inputNames.map(text).joined(separator: ", ") + "]"),
            ("output_names", "[" + f.loaded.outputNames.map(text).joined(separator: ", ") + "]"),
            ("bias", bias ? "true" : "false"),
            ("sigma11", matrix(f.c.sigma11)),
            ("sigma31", matrix(f.c.sigma31)),
            ("trace_sigma33", number(f.c.traceSigma33)),
            ("sigma11_eigenvalues", list(f.eig)),
            ("sigma31_singular_values", list(f.svd.values)),
            ("sigma31_u", matrix(f.svd.u)),
            ("sigma31_v", matrix(f.svd.v)),
            ("least_squares_map", matrix(f.ls.map)),
            ("sigma11_rank", "\(f.ls.sigma11Rank)"),
            ("loss_floor", number(f.ls.lossFloor)),
            ("loss_floor_error_bound", number(f.ls.floorErrorBound)),
            ("loss_floor_formula", text(f.ls.formula)),
        ]
        if let r = f.ridge {
            fields.append(("weight_decay", number(r.weightDecay)))
            fields.append(("ridge_map_shallow", matrix(r.map)))
            fields.append(("ridge_loss_shallow", number(r.loss)))
            fields.append(("ridge_objective_shallow", number(r.objective)))
        }
        return "{\n" + fields.map { "  \(text($0.0)): \($0.1)" }.joined(separator: ",\n") + "\n}\n"
    }

    public func render() throws -> String { render(try figures()) }

    func render(_ f: Figures) -> String {
        let (loaded, c, ls, svd, eig) = (f.loaded, f.c, f.ls, f.svd, f.eig)
        var s = ""
        s += "data: \(loaded.description)\n"
        s += "samples N = \(c.sampleCount), inputs = \(c.inputs) (\(loaded.inputNames.joined(separator: ","))), outputs = \(c.outputs) (\(loaded.outputNames.joined(separator: ",")))\n"
        s += "tr Σ33 = \(c.traceSigma33)\n"
        if bias {
            s += "with \(Setting.bias): the inputs are augmented, x̃ = [x; 1], so Σ11 below is E[x̃x̃ᵀ], Σ31 is E[y x̃ᵀ], and the last column of W* is the intercept b\n"
        }
        s += "\n"
        s += section("Σ11 = 1/N Σ x xᵀ", c.sigma11)
        s += "eigenvalues of Σ11: \(list(eig))\n"
        if let cI = whitenedScale(c.sigma11) {
            s += "Σ11 = \(cI)·I: the inputs are white up to scale, so the closed forms apply.\n"
        }
        s += "\n"
        s += section("Σ31 = 1/N Σ y xᵀ", c.sigma31)
        s += "singular values of Σ31: \(list(svd.values))\n"
        s += section("left singular vectors U (columns)", svd.u)
        s += section("right singular vectors V (columns)", svd.v)
        s += "\n"
        if bias {
            s += section("least-squares map [W* b*], W* = C31 C11\(ls.sigma11IsSingular ? "⁺" : "⁻¹") (centred), b* = ȳ − W* x̄", ls.map)
        } else {
            s += section("least-squares map W* = Σ31 Σ11\(ls.sigma11IsSingular ? "⁺" : "⁻¹")", ls.map)
        }
        if ls.sigma11IsSingular {
            let what = bias ? "the covariance C11 is singular (rank \(ls.sigma11Rank - 1) of \(c.inputs - 1))" : "Σ11 is singular (rank \(ls.sigma11Rank) of \(c.inputs))"
            s += "note: \(what); W* uses the pseudo-inverse and is the minimum-norm minimiser.\n"
        }
        s += "floor formula: \(ls.formula)\n"
        s += String(format: "floor error bound (docs/theory.md, \"The floor and the excess\"): %.2g\n", ls.floorErrorBound)
        s += "loss floor L* = \(ls.lossFloor)\n"
        if let r = f.ridge {
            s += "\n"
            let what = bias ? "[W_γ b_γ], W_γ = C31(C11 + γI)⁻¹ (centred; the intercept is not decayed), b_γ = ȳ − W_γx̄" : "W_γ = Σ31(Σ11 + γI)⁻¹"
            s += section("ridge map of the shallow problem (one layer, weight decay γ = \(r.weightDecay)): \(what)", r.map)
            s += "its loss L(W_γ) = \(r.loss)\n"
            s += "its objective, the floor of the shallow problem with weight decay, L(W_γ) + (γ/2)‖W_γ‖²_F = \(r.objective)\n"
            s += "note: this is the one-layer answer; a deeper network with weight decay settles elsewhere (with Σ11 = I the ridge map holds each mode at s/(1 + γ), a balanced two-layer network at max(s − γ, 0); docs/theory.md)\n"
        }
        return s
    }

    /// At most this many rows and columns of a matrix, and this many numbers of a list, are
    /// printed; the rest is said to be there (every number is in `-o FILE.json`). A report on
    /// wide data (n = 2000 inputs: 4·10⁶ entries of Σ11) would otherwise be tens of MB of text.
    static let shownRows = 20, shownColumns = 16, shownValues = 40

    private func list(_ v: [Double]) -> String {
        let f = { (x: Double) in String(format: "%.10g", x) }
        guard v.count > Self.shownValues else { return v.map(f).joined(separator: ", ") }
        return (v.prefix(Self.shownValues - 5).map(f) + ["…"] + v.suffix(5).map(f)).joined(separator: ", ")
            + " (\(v.count) in all)"
    }

    private func section(_ title: String, _ m: Matrix) -> String {
        let rows = min(m.rows, Self.shownRows), cols = min(m.cols, Self.shownColumns)
        var s = "\(title) (\(m.rows)×\(m.cols)):\n"
        for r in 0..<rows {
            s += "  " + (0..<cols).map { String(format: "% .6g", m[r, $0]).padding(toLength: 13, withPad: " ", startingAt: 0) }.joined(separator: " ")
                + (cols < m.cols ? " …" : "") + "\n"
        }
        if rows < m.rows || cols < m.cols {
            s += "  … (the first \(rows) rows and \(cols) columns of \(m.rows)×\(m.cols); all of them with \(Setting.output) FILE.json)\n"
        }
        return s
    }
}

/// The minimiser of L(W) + (γ/2)‖W‖²_F over one linear (or, with biases, affine) layer: the
/// shallow problem's ridge solution W_γ = Σ31(Σ11 + γI)⁻¹, from the eigen-decomposition Σ11 = VΛVᵀ
/// as Σ31 V diag(1/(λ + γ)) Vᵀ. With biases the intercept is not decayed, so W_γ = C31(C11 + γI)⁻¹
/// on the centred moments and b_γ = ȳ − W_γx̄. At γ = 0 eigenvalues below rounding are dropped
/// (the pseudo-inverse, as ``LeastSquares``).
struct Ridge {
    let weightDecay: Double
    /// W_γ, or [W_γ b_γ] with biases.
    let map: Matrix
    let loss: Double
    let objective: Double

    init(_ c: Correlations, weightDecay γ: Double, bias: Bool, leastSquares ls: LeastSquares) throws {
        weightDecay = γ
        let s11 = bias ? c.covariance11 : c.sigma11, s31 = bias ? c.covariance31 : c.sigma31
        let (values, v) = try symmetricEigenDivideAndConquer(s11)
        let n = c.inputs, cut = Double(n) * Double.ulpOfOne * max(values.first ?? 0, 0)
        let inverse = Matrix.diagonal(values.map { $0 + γ > cut ? 1 / ($0 + γ) : 0 })
        let w = s31 * v * inverse * v.transposed
        var penalty = 0.0
        for x in w.storage { penalty += x * x }
        if bias, let mx = c.inputMean, let my = c.outputMean {
            var full = Matrix(rows: w.rows, cols: n + 1)
            for o in 0..<w.rows {
                var b = my[o]
                for j in 0..<n { full[o, j] = w[o, j]; b -= w[o, j] * mx[j] }
                full[o, n] = b
            }
            map = full
        } else {
            map = w
        }
        loss = ls.loss(endToEnd: map).loss
        objective = loss + 0.5 * γ * penalty
    }
}
