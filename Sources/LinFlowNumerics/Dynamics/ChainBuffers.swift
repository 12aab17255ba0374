/// Scratch for the products along the chain, allocated once per flow (an evaluation allocates
/// nothing): ``GradientFlow`` and ``HessianProduct`` size theirs the same way. Index l = 0…L;
/// the caller deallocates.
enum ChainBuffers {
    /// One n_l × n0 buffer per layer from layer `first` on (prefix products P_l = W_l⋯W_1 and
    /// what is propagated back along them); the indices before `first` hold one number (a caller
    /// that reads P_1 = W_1 in place passes 2, saving n1·n0 doubles, 6 MB at 784-1000-10).
    static func prefixShaped(_ a: Architecture, from first: Int = 1) -> [UnsafeMutablePointer<Double>] {
        let sizes = a.chainSizes
        return (0...a.depth).map { l in
            let count = l < first ? 1 : sizes[l] * sizes[0]
            let b = UnsafeMutablePointer<Double>.allocate(capacity: count)
            b.initialize(repeating: 0, count: count)
            return b
        }
    }

    /// With biases, one buffer per layer in the chain shape of W̃_l = [W_l b_l; 0 1] (index 0
    /// holds one number); `clamped` sets the constant unit of each hidden layer to 1, as a weight
    /// chain needs (a direction or a gradient leaves it 0). Without biases, none.
    static func chainShaped(_ a: Architecture, clamped: Bool) -> [UnsafeMutablePointer<Double>] {
        guard a.bias else { return [] }
        let sizes = a.chainSizes
        return (0...a.depth).map { l in
            let m = l == 0 ? 1 : sizes[l] * sizes[l - 1]
            let b = UnsafeMutablePointer<Double>.allocate(capacity: m)
            b.initialize(repeating: 0, count: m)
            if clamped && l >= 1 && l < a.depth { b[m - 1] = 1 }  // the constant unit stays 1
            return b
        }
    }
}
