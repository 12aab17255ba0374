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

    /// A draw from N(0, σ²).
    public func next(standardDeviation sigma: Double) -> Double {
        gsl_ran_gaussian_ziggurat(rng, sigma)
    }

    /// A draw uniform on [0, n).
    public func uniformInt(below n: Int) -> Int {
        Int(gsl_rng_uniform_int(rng, UInt(n)))
    }
}
