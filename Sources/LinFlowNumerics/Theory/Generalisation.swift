import Foundation

/// A teacher–student regression task: inputs x ~ N(0, I_n), targets y = W̄x + ε with a teacher
/// W̄ (m × n) of singular values s̄_1…s̄_r and noise ε ~ N(0, σ²I_m) (σ per output), and N
/// training samples; α = N/n.
///
/// The losses follow linflow's `loss`: ½ E‖y − f(x)‖², over the training samples (train) or
/// over fresh samples of the same law (test). For any map W the test loss is
/// ½(‖W − W̄‖²_F + mσ²): E over x ~ N(0, I) of ‖(W̄ − W)x‖² is ‖W̄ − W‖²_F.
public struct TeacherStudentTask: Sendable, Equatable {
    /// n, m, N.
    public let inputs: Int, outputs: Int, trainSamples: Int
    /// The teacher's non-zero singular values s̄_i.
    public let singularValues: [Double]
    /// σ, the noise's standard deviation on each output.
    public let noise: Double

    public init(inputs: Int, outputs: Int, trainSamples: Int, singularValues: [Double], noise: Double) throws(LinflowError) {
        guard inputs >= 1 else { throw .usage("\(Setting.teacherInputs) must be at least 1, got \(inputs)") }
        guard outputs >= 1 else { throw .usage("\(Setting.teacherOutputs) must be at least 1, got \(outputs)") }
        guard trainSamples >= 1 else { throw .usage("\(Setting.trainSamples) must be at least 1, got \(trainSamples)") }
        guard !singularValues.isEmpty else { throw .usage("\(Setting.teacherSingularValues) needs at least one value") }
        if let bad = singularValues.first(where: { !($0 > 0) || !$0.isFinite }) {
            throw .usage("\(Setting.teacherSingularValues) must be finite numbers > 0, got \(bad)")
        }
        guard singularValues.count <= min(inputs, outputs) else {
            throw .usage("\(Setting.teacherSingularValues): a \(outputs) × \(inputs) teacher has at most \(min(inputs, outputs)) singular values, got \(singularValues.count)")
        }
        guard noise >= 0, noise.isFinite else { throw .usage("\(Setting.noise) must be a finite number >= 0, got \(noise)") }
        (self.inputs, self.outputs, self.trainSamples) = (inputs, outputs, trainSamples)
        (self.singularValues, self.noise) = (singularValues, noise)
    }

    /// α = N/n, samples per input.
    public var alpha: Double { Double(trainSamples) / Double(inputs) }
    /// ‖W̄‖²_F = Σ s̄_i².
    public var teacherNormSquared: Double { singularValues.reduce(0) { $0 + $1 * $1 } }
    /// mσ²: twice the test loss of the teacher itself.
    public var noiseEnergy: Double { Double(outputs) * noise * noise }
}

/// The network whose train and test error the theory predicts.
public enum GeneralisationNetwork: Sendable, Equatable {
    /// One layer, ŷ = Wx, from W(0) with i.i.d. N(0, σ0²) entries.
    case shallow
    /// Two layers, ŷ = W32 W21 x with `hidden` units, both from i.i.d. N(0, σ0²) entries.
    case twoLayer(hidden: Int)

    public var depth: Int { self == .shallow ? 1 : 2 }
}

/// The expected train and test loss over time of gradient flow (linflow's time: dW_l/dt = −∂L/∂W_l
/// with L = ½ E_train‖y − ŷ‖², Σ11 = E_train[xxᵀ], Σ31 = E_train[yxᵀ]) on a teacher–student task,
/// in the high-dimensional limit n, m, N → ∞ at fixed α = N/n and m/n.
///
/// **One layer** (Advani, Saxe & Sompolinsky 2020, sec. 2–3), Gaussian training inputs. The flow
/// dW/dt = Σ31 − WΣ11 is linear: in the eigenbasis of Σ11 = XXᵀ/N (eigenvalues λ), the error
/// W − W̄ decays as e^{−λt} from W(0) − W̄, and the noise enters as (1 − e^{−λt})/λ. Averaged
/// over the noise and the (rotation-invariant) eigenvectors, with D² = ‖W̄‖² + mnσ0² the
/// expected ‖W(0) − W̄‖² and γ = 1/α:
///
///     2 L_test(t)  = D² [ (1 − α)₊ + ∫ρ e^{−2λt} ] + mσ²γ ∫ρ (1 − e^{−λt})²/λ + mσ²
///     2 L_train(t) = mσ² (1 − min(1, γ)) + mσ²γ ∫ρ e^{−2λt} + D² ∫ρ λ e^{−2λt}
///
/// ∫ρ over the continuous part of the Marchenko–Pastur law of ratio γ (``MarchenkoPastur``);
/// (1 − α)₊ is its atom at 0, the inputs' directions no sample reaches (frozen at W(0) − W̄).
/// These are exact expectations but for the empirical eigenvalues replaced by their limit law.
/// At t → ∞ the test loss tends to ½mσ²(1 + 1/(α − 1)) for α > 1 (the least-squares map;
/// at finite size E‖W* − W̄‖² = mσ²n/(N − n − 1)), diverges at α = 1, and tends to
/// ½[D²(1 − α) + mσ²α/(1 − α) + mσ²] for α < 1 (the minimum-norm interpolant of the start).
///
/// **Two layers** (Lampinen & Ganguli 2019), whitened training inputs (Σ11 = I: XXᵀ = N I_n,
/// so N ≥ n). Then Σ31 = W̄ + Z with Z = EXᵀ/N of i.i.d. N(0, σ²/N) entries, exactly. With
/// q = min(m, n), c = q / max(m, n) and σ_z² = σ² max(m, n)/N, the singular values of Z follow
/// s = σ_z √λ with λ Marchenko–Pastur of ratio c. A teacher mode s̄ with θ = s̄/σ_z > c^{1/4}
/// (Baik–Ben Arous–Péché) leaves the bulk as
///
///     ŝ = σ_z √((1 + θ²)(c + θ²)) / θ,
///     (ûᵀū)(v̂ᵀv̄) = √(1 − c(1 + θ²)/(θ²(c + θ²))) · √(1 − (c + θ²)/(θ²(1 + θ²)))
///
/// (Benaych-Georges & Nadakuditi 2012); a weaker one leaves no trace. From a small start each
/// mode of Σ31 is learnt on its own along Saxe et al.'s sigmoid a(t; ŝ) = ŝ e^{2ŝt}/(e^{2ŝt} − 1 + ŝ/a0)
/// (``AlignedSolution``); a random start of entries N(0, σ0²) grows along each mode as an aligned
/// one of strength a0 = hσ0²/2 (the linear phase: W21v and W32ᵀu grow along their sum, of mean
/// square norm 2hσ0²). The q − r₊ bulk modes (r₊ outliers) are learnt the same way. So
///
///     2 L_test(t)  = Σ s̄² − 2 Σ₊ s̄ (ûᵀū)(v̂ᵀv̄) a(t; ŝ) + Σ₊ a(t; ŝ)² + (q − r₊) ∫ρ_c a(t; σ_z√λ)² + mσ²
///     2 L_train(t) = Σ₊ (ŝ − a(t; ŝ))² + (q − r₊) ∫ρ_c (σ_z√λ − a(t; σ_z√λ))² + mσ²(1 − n/N)
///
/// (Σ₊ over the outliers; the last term is E[tr Σ33 − ‖Σ31‖²], what no map of whitened inputs fits).
/// Like the papers, this neglects what the bulk's modes carry of the teacher (each an
/// O(1/n) overlap) and the modes' coupling through a random start.
public struct GeneralisationTheory: Sendable {
    public let task: TeacherStudentTask
    public let network: GeneralisationNetwork
    /// σ0, the start's per-entry standard deviation.
    public let initialScale: Double

    public init(task: TeacherStudentTask, network: GeneralisationNetwork, initialScale: Double) throws(LinflowError) {
        guard initialScale >= 0, initialScale.isFinite else {
            throw .usage("\(Setting.initialScale) must be a finite number >= 0, got \(initialScale)")
        }
        if case .twoLayer(let hidden) = network {
            // Whitening N samples of n inputs needs N ≥ n; the theory's Σ11 = I is that.
            guard task.trainSamples >= task.inputs else {
                throw .usage("the two-layer theory assumes whitened training inputs, which needs \(Setting.trainSamples) >= \(Setting.teacherInputs) (α >= 1), got N = \(task.trainSamples) < n = \(task.inputs); use \(Setting.networkDepth) 1")
            }
            let q = min(task.inputs, task.outputs)
            guard hidden >= q else {
                throw .usage("the two-layer theory learns every mode of Σ31 in a hidden unit of its own: \(Setting.hiddenWidth) must be at least min(n, m) = \(q), got \(hidden)")
            }
            guard initialScale > 0 else {
                throw .usage("a two-layer network from \(Setting.initialScale) 0 never leaves the saddle at W = 0; give a small scale > 0")
            }
            // The modes grow from a0 = hσ0²/2, which must be a (normal) number.
            guard (Double(hidden) * initialScale * initialScale / 2).isNormal else {
                throw .usage("\(Setting.initialScale) \(initialScale) is too small for the two-layer theory: its modes' start hσ0²/2 underflows")
            }
        }
        (self.task, self.network, self.initialScale) = (task, network, initialScale)
    }

    /// (train, test) loss at time t ≥ 0.
    public func losses(at t: Double) -> (train: Double, test: Double) {
        switch network {
        case .shallow: return shallowLosses(at: t)
        case .twoLayer(let hidden): return twoLayerLosses(at: t, hidden: hidden)
        }
    }

    // MARK: One layer

    func shallowLosses(at t: Double) -> (train: Double, test: Double) {
        let n = Double(task.inputs), m = Double(task.outputs)
        let gamma = n / Double(task.trainSamples)
        let law = MarchenkoPastur(ratio: gamma)
        let d2 = task.teacherNormSquared + m * n * initialScale * initialScale
        let noise = task.noiseEnergy
        let decay = law.integral { exp(-2 * $0 * t) }
        // (1 − e^{−λt})²/λ with expm1, so that small λt keeps its digits.
        let fitted = law.integral { lambda in let g = -expm1(-lambda * t); return g * g / lambda }
        let residual = law.integral { $0 * exp(-2 * $0 * t) }
        let test = d2 * (law.atomAtZero + decay) + noise * gamma * fitted + noise
        let train = noise * (1 - min(1, gamma)) + noise * gamma * decay + d2 * residual
        return (train / 2, test / 2)
    }

    // MARK: Two layers

    /// One teacher mode as seen in the training Σ31: ŝ and the overlap product, or nil when it
    /// stays inside the bulk.
    public struct Outlier: Sendable, Equatable {
        public let teacher: Double, training: Double, overlap: Double
    }

    /// σ_z = σ √(max(m, n)/N) and c = min(m, n)/max(m, n): Z's singular values lie in σ_z(1 ± √c).
    var noiseScale: (sigma: Double, c: Double) {
        let big = Double(max(task.inputs, task.outputs)), small = Double(min(task.inputs, task.outputs))
        return (task.noise * (big / Double(task.trainSamples)).squareRoot(), small / big)
    }

    /// The teacher's modes that leave the bulk (BBP), in the order given.
    public var outliers: [Outlier] {
        let (sz, c) = noiseScale
        return task.singularValues.compactMap { sBar in
            guard sz > 0 else { return Outlier(teacher: sBar, training: sBar, overlap: 1) }
            let theta = sBar / sz, t2 = theta * theta
            guard theta > pow(c, 0.25) else { return nil }
            let training = sz * ((1 + t2) * (c + t2)).squareRoot() / theta
            let left = 1 - c * (1 + t2) / (t2 * (c + t2)), right = 1 - (c + t2) / (t2 * (1 + t2))
            return Outlier(teacher: sBar, training: training, overlap: (left * right).squareRoot())
        }
    }

    /// a0 = hσ0²/2, the aligned strength a random start grows like.
    func effectiveStart(hidden: Int) -> Double { Double(hidden) * initialScale * initialScale / 2 }

    /// Saxe et al.'s two-layer sigmoid, a(t) = 1/((1 − e^{−2st})/s + e^{−2st}/a0), which cannot
    /// overflow and is a0/(1 + 2a0t) at s = 0.
    static func sigmoid(_ s: Double, start a0: Double, at t: Double) -> Double {
        let e = exp(-2 * s * t)
        let grown = s > 0 ? -expm1(-2 * s * t) / s : 2 * t
        return 1 / (grown + e / a0)
    }

    func twoLayerLosses(at t: Double, hidden: Int) -> (train: Double, test: Double) {
        let a0 = effectiveStart(hidden: hidden)
        let (sz, c) = noiseScale
        let out = outliers
        let q = Double(min(task.inputs, task.outputs)), bulk = q - Double(out.count)
        var test = task.teacherNormSquared + task.noiseEnergy
        var train = task.noiseEnergy * (1 - Double(task.inputs) / Double(task.trainSamples))
        for o in out {
            let a = Self.sigmoid(o.training, start: a0, at: t)
            test += a * a - 2 * o.teacher * o.overlap * a
            train += (o.training - a) * (o.training - a)
        }
        if bulk > 0 {
            let law = MarchenkoPastur(ratio: c)
            let learnt: (Double) -> Double = { Self.sigmoid(sz * $0.squareRoot(), start: a0, at: t) }
            // Without noise every bulk value is 0 and the law is a point there.
            let learntSquared = sz > 0 ? law.integral { let a = learnt($0); return a * a } : pow(Self.sigmoid(0, start: a0, at: t), 2)
            let misfit = sz > 0 ? law.integral { let a = learnt($0), s = sz * $0.squareRoot(); return (s - a) * (s - a) } : learntSquared
            test += bulk * learntSquared
            train += bulk * misfit
        }
        return (train / 2, test / 2)
    }
}
