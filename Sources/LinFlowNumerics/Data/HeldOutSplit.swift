/// Which rows of a data file are held out for testing: `--test-fraction F --split-seed S`.
///
/// Row i (0-based, in file order) is held out iff u_i < F, where
///
///     u_i = ⌊z_i / 2¹¹⌋ · 2⁻⁵³,   z_i = the (i + 1)-th output of SplitMix64 seeded with S
///
/// (Steele, Lea & Flood 2014: z = mix(S + (i + 1)·0x9E3779B97F4A7C15), the finaliser of
/// MurmurHash3 with Stafford's "variant 13" constants). u_i depends on S and i alone, so the
/// split is decided row by row in the one streaming pass, needs no count of the rows first,
/// gives the same rows for the same seed whatever else changes, and holds out each row with
/// probability F independently of the others (the number held out is Binomial(N, F), not ⌊FN⌋).
public struct HeldOutSplit: Sendable, Equatable {
    public let fraction: Double
    public let seed: UInt64

    public init(fraction: Double, seed: UInt64) { (self.fraction, self.seed) = (fraction, seed) }

    /// The rule in a line, for the run record.
    public static let rule = "row i (from 0) held out iff (splitmix64(seed + (i + 1) * 0x9E3779B97F4A7C15) >> 11) * 2^-53 < fraction"

    /// u_i ∈ [0, 1), a multiple of 2⁻⁵³.
    public func uniform(row i: Int) -> Double {
        var z = seed &+ UInt64(i + 1) &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Double(z >> 11) * 0x1p-53
    }

    /// Whether row i (0-based) is held out.
    public func holdsOut(row i: Int) -> Bool { uniform(row: i) < fraction }
}
