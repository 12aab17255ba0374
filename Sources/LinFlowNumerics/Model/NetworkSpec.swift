/// The network a user asked for, before the data fix its input and output sizes.
public enum NetworkSpec: Sendable, Equatable {
    /// n0 → hidden → nOut.
    case hidden(Int)
    /// The full chain n0, n1, …, nL; its ends must match the data.
    case layers([Int])

    public static let defaultHidden = 16

    /// Resolves against the data; `bias` gives every layer a bias vector.
    public func architecture(inputs: Int, outputs: Int, bias: Bool = false) throws -> Architecture {
        switch self {
        case .hidden(let h):
            guard h > 0 else { throw LinflowError.usage("\(Setting.hiddenWidth) must be positive, got \(h)") }
            return try Architecture(sizes: [inputs, h, outputs], bias: bias)
        case .layers(let sizes):
            let a = try Architecture(sizes: sizes, bias: bias)
            guard a.inputs == inputs, a.outputs == outputs else {
                throw LinflowError.usage("\(Setting.layerSizes) \(sizes.map(String.init).joined(separator: ",")) does not match the data, which have \(inputs) input\(inputs == 1 ? "" : "s") and \(outputs) output\(outputs == 1 ? "" : "s")")
            }
            return a
        }
    }

    /// Parses "8,16,15".
    public static func parseLayers(_ text: String) throws -> [Int] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        return try parts.map { p in
            guard let v = Int(p.trimmingCharacters(in: " ")), v > 0 else {
                throw LinflowError.usage("\(Setting.layerSizes) takes positive integers separated by commas, e.g. 8,16,15; got '\(text)'")
            }
            return v
        }
    }
}

extension Substring {
    func trimmingCharacters(in set: Character) -> Substring {
        var s = self
        while s.first == set { s.removeFirst() }
        while s.last == set { s.removeLast() }
        return s
    }
}
