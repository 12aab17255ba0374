import LinFlowNumerics
/// One named quantity of a trajectory row, as an HDF5 dataset sees it: a scalar (`t`, `loss`,
/// `imbalance`), a vector (`sv`, `b21`, `mode`) or a matrix (`W21`, n1×n0). The CSV spells its
/// entries out as columns, 1-based and row-major: `t`; `sv_1`, …, `sv_r`; `W21_1_1`, …,
/// `W21_n1_n0`. So the CSV column `W21_3_5` is the HDF5 value `W21[:, 2, 4]`.
public struct ColumnBlock: Sendable, Equatable {
    public let name: String
    /// The shape of one row's value: [] for a scalar.
    public let shape: [Int]

    public init(_ name: String, shape: [Int] = []) {
        self.name = name
        self.shape = shape
    }

    /// Values per row.
    public var count: Int { shape.reduce(1, *) }

    /// The CSV columns of this block, in row-major order.
    public var columnNames: [String] {
        switch shape.count {
        case 0: return [name]
        case 1: return (1...shape[0]).map { "\(name)_\($0)" }
        default:
            // Row-major over any number of axes: the last index varies fastest.
            var names = [name]
            for n in shape { names = names.flatMap { prefix in (1...n).map { "\(prefix)_\($0)" } } }
            return names
        }
    }
}

extension Array where Element == ColumnBlock {
    /// Every CSV column, block after block.
    public var columnNames: [String] { flatMap(\.columnNames) }
    /// Values per row.
    public var valueCount: Int { reduce(0) { $0 + $1.count } }
}

/// `--weights all|none|W21,b21,…`: which weight and bias blocks a trajectory holds. The loss,
/// the diagnostics and the modes are written whatever this says.
public enum WeightSelection: Sendable, Equatable {
    case all
    case none
    /// These blocks (names as in the CSV header and the HDF5 datasets), in the network's order.
    case blocks(Set<String>)

    public init(argument: String) throws {
        switch argument {
        case "all": self = .all
        case "none": self = .none
        default:
            let names = argument.split(separator: ",", omittingEmptySubsequences: false).map {
                String($0).trimmingCharacters(in: .whitespaces)
            }
            guard !names.contains(where: \.isEmpty) else {
                throw LinflowError.usage("\(Setting.weightBlocks) must be all, none or a list of blocks such as W21,W32, got '\(argument)'")
            }
            for n in names where !(n.hasPrefix("W") || n.hasPrefix("b")) || n.count < 3 {
                throw LinflowError.usage("\(Setting.weightBlocks): '\(n)' is not a weight block (W21, W32, …, or a bias b21, …)")
            }
            self = .blocks(Set(names))
        }
    }

    public func includes(_ block: String) -> Bool {
        switch self {
        case .all: return true
        case .none: return false
        case .blocks(let s): return s.contains(block)
        }
    }

    /// Refuses names that are not blocks of `architecture`.
    public func check(for architecture: Architecture) throws {
        guard case .blocks(let names) = self else { return }
        var known = (1...architecture.depth).map { architecture.name(ofLayer: $0) }
        if architecture.bias { known += (1...architecture.depth).map { architecture.biasName(ofLayer: $0) } }
        let unknown = names.subtracting(known).sorted()
        guard unknown.isEmpty else {
            throw LinflowError.usage("\(Setting.weightBlocks): the \(architecture.description) network has no block \(unknown.joined(separator: ", ")); its blocks are \(known.joined(separator: ", "))")
        }
    }

    public var record: String {
        switch self {
        case .all: return "all"
        case .none: return "none"
        case .blocks(let s): return s.sorted().joined(separator: ",")
        }
    }
}

import Foundation
