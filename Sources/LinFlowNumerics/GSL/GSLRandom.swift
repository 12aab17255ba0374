import CGSL

/// Reproducible Gaussian numbers from GSL's MT19937 generator (Ziggurat method).
///
/// GSL's generators give the same sequence for the same seed on every platform, so a seed
/// fixes the initial weights to the byte.
public final class GaussianSource {
    private let rng: UnsafeMutablePointer<gsl_rng>

    public init(seed: UInt64) {
        _ = GSL.setUp
        rng = gsl_rng_alloc(linflow_rng_mt19937())!
        // gsl_rng_set takes an unsigned long; MT19937 uses its low 32 bits, and seed 0 is
        // replaced by GSL's default seed, so fold the 64-bit seed into a non-zero 32-bit one.
        let folded = (seed ^ (seed >> 32)) & 0xffff_ffff
        gsl_rng_set(rng, UInt(folded == 0 ? 0x9e37_79b9 : folded))
    }

    deinit { gsl_rng_free(rng) }

    /// The largest seed: MT19937 takes 32 bits, so a larger seed would draw the numbers of a
    /// smaller one.
    public static let largestSeed: UInt64 = 0xffff_ffff

    /// Refuses a seed whose draws another seed also gives: one beyond 32 bits, or 0x9e3779b9,
    /// which seed 0 stands for (MT19937 takes no zero seed).
    public static func check(seed: UInt64, of setting: Setting) throws(LinflowError) {
        if seed > largestSeed {
            throw .usage("\(setting) \(seed) is beyond the generator's 32 bits (it would draw the numbers of \(setting) \((seed ^ (seed >> 32)) & 0xffff_ffff)); use 0…\(largestSeed)")
        }
        if seed == 0x9e37_79b9 {
            throw .usage("\(setting) \(seed) draws the numbers of \(setting) 0 (the generator takes no zero seed and uses this one for it); use another")
        }
    }

    /// A draw from N(0, σ²).
    public func next(standardDeviation sigma: Double) -> Double {
        gsl_ran_gaussian_ziggurat(rng, sigma)
    }

    /// A draw uniform on [0, n).
    public func uniformInt(below n: Int) -> Int {
        Int(gsl_rng_uniform_int(rng, UInt(n)))
    }
}
