/// A tf.nest structure: a leaf, a list, or a dictionary of nests, of any depth.
///
/// Flattening order is tf.nest's: lists in order, dictionary entries by sorted key (Python's order: by Unicode code
/// points, not Swift's `<`, which compares canonically normalised text). Empty lists and dicts are allowed. Keys are
/// Swift `String`s, so two canonically equivalent spellings (`"é"` and `"e\u{301}"`) are one key here, two in Python.
public indirect enum Nest<Leaf> {
    case leaf(Leaf)
    case list([Nest<Leaf>])
    case dict([String: Nest<Leaf>])
}

extension Nest: Sendable where Leaf: Sendable {}
extension Nest: Equatable where Leaf: Equatable {}

extension Nest {
    /// The leaves, flattened in tf.nest order.
    public var leaves: [Leaf] {
        var out: [Leaf] = []
        appendLeaves(to: &out)
        return out
    }

    func appendLeaves(to out: inout [Leaf]) {
        switch self {
        case let .leaf(x): out.append(x)
        case let .list(items): for item in items { item.appendLeaves(to: &out) }
        case let .dict(entries): for key in entries.keys.tfNestOrder { entries[key]!.appendLeaves(to: &out) }
        }
    }

    /// The same structure with every leaf transformed.
    public func map<T>(_ transform: (Leaf) throws -> T) rethrows -> Nest<T> {
        switch self {
        case let .leaf(x): return .leaf(try transform(x))
        case let .list(items): return .list(try items.map { try $0.map(transform) })
        case let .dict(entries):
            // In flatten order (sorted keys), as tf.nest.map_structure: side effects and the first error do not
            // depend on the dictionary's hash order.
            var out: [String: Nest<T>] = [:]
            for key in entries.keys.tfNestOrder { out[key] = try entries[key]!.map(transform) }
            return .dict(out)
        }
    }

    /// The structure alone: each leaf replaced by its index in `leaves`.
    var skeleton: Nest<Int> {
        var next = 0
        return indexed(&next)
    }

    private func indexed(_ next: inout Int) -> Nest<Int> {
        switch self {
        case .leaf:
            defer { next += 1 }
            return .leaf(next)
        case let .list(items):
            var out: [Nest<Int>] = []
            for item in items { out.append(item.indexed(&next)) }
            return .list(out)
        case let .dict(entries):
            var out: [String: Nest<Int>] = [:]
            for key in entries.keys.tfNestOrder { out[key] = entries[key]!.indexed(&next) }
            return .dict(out)
        }
    }
}

extension Nest where Leaf == Int {
    /// Rebuilds a nest of this skeleton from flattened leaves.
    func rebuild<T>(from leaves: [T]) -> Nest<T> { map { leaves[$0] } }

    /// A readable rendering of the structure, e.g. `[*, {a: *, b: [*, *]}]`.
    var structureDescription: String {
        switch self {
        case .leaf: return "*"
        case let .list(items): return "[" + items.map(\.structureDescription).joined(separator: ", ") + "]"
        case let .dict(entries):
            return "{" + entries.keys.tfNestOrder.map { "\($0): \(entries[$0]!.structureDescription)" }.joined(separator: ", ") + "}"
        }
    }
}

extension Collection where Element == String {
    /// Sorted as Python sorts `str` (and so tf.nest orders dict keys): lexicographically by Unicode code point.
    var tfNestOrder: [String] {
        sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
    }
}
