/// An n-dimensional array with value semantics (copy-on-write) and row-major (C order) storage.
///
/// Shapes are written `[B, T, I]`; the last axis varies fastest. Element-wise operations take their operands
/// `consuming` and write into one that nothing else holds (a temporary: `tanh(x + matmul(h, w))` allocates once);
/// an operand that is still held elsewhere is never written.
public struct Tensor<Scalar: TensorScalar>: Sendable, CustomStringConvertible {
    /// The size of each axis.
    public private(set) var shape: [Int]
    @usableFromInline var storage: TensorStorage<Scalar>

    @usableFromInline
    init(shape: [Int], storage: TensorStorage<Scalar>) {
        self.shape = shape
        self.storage = storage
    }

    /// Creates a tensor from row-major scalars; throws when a dimension is negative, when the product of the
    /// non-zero dimensions overflows `Int`, or when the count is not the product of `shape`.
    public init(shape: [Int], scalars: [Scalar]) throws(RNNError) {
        guard let count = Tensor.elementCount(shape) else { throw .invalidShape(argument: "shape", shape: shape) }
        guard count == scalars.count else {
            throw .scalarCountMismatch(argument: "scalars", shape: shape, expected: count, actual: scalars.count)
        }
        self.shape = shape
        storage = TensorStorage.make(uninitializedCount: count)
        scalars.withUnsafeBufferPointer { storage.base.update(from: $0.baseAddress!, count: count) }
    }

    /// A tensor of `tensorZero` (0, or `false`). Traps on a negative dimension (or non-zero dimensions whose product
    /// overflows `Int`), like `Array(repeating:count:)`.
    public init(zeros shape: [Int]) {
        self.init(repeating: Scalar.tensorZero, shape: shape)
    }

    /// A tensor whose every element is `value`. Traps on a negative dimension or an overflowing shape.
    public init(repeating value: Scalar, shape: [Int]) {
        guard let count = Tensor.elementCount(shape) else {
            preconditionFailure("Tensor: shape \(shape) has a negative dimension or more elements than Int counts")
        }
        self.shape = shape
        storage = TensorStorage.make(repeating: value, count: count)
    }

    /// Uninitialised; the caller writes every element. Traps on an invalid shape (an op's result that
    /// `elementCount` cannot count, e.g. a broadcast of `[0, 2^40, 1]` and `[2^40]`).
    @inlinable
    init(uninitializedShape shape: [Int]) {
        guard let count = Tensor.elementCount(shape) else {
            preconditionFailure("Tensor: result shape \(shape) has more elements than Int counts")
        }
        self.init(shape: shape, storage: TensorStorage.make(uninitializedCount: count))
    }

    /// Number of axes.
    @inlinable public var rank: Int { shape.count }
    /// Number of elements (the product of `shape`).
    @inlinable public var scalarCount: Int { storage.count }

    /// Row-major copy of the elements.
    public var scalars: [Scalar] {
        Array(UnsafeBufferPointer(start: storage.base, count: storage.count))
    }

    /// Reads the row-major elements in place.
    @inlinable
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Scalar>) throws -> R) rethrows -> R {
        try withExtendedLifetime(storage) { try body(UnsafeBufferPointer(start: storage.base, count: storage.count)) }
    }

    /// Writes the row-major elements in place (copies first if the storage is shared).
    @inlinable
    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (UnsafeMutableBufferPointer<Scalar>) throws -> R
    ) rethrows -> R {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        return try body(UnsafeMutableBufferPointer(start: storage.base, count: storage.count))
    }

    /// The same elements under another shape with the same element count.
    public func reshaped(to newShape: [Int]) throws(RNNError) -> Tensor {
        guard let count = Tensor.elementCount(newShape), count == scalarCount else {
            throw .invalidReshape(from: shape, to: newShape)
        }
        return Tensor(shape: newShape, storage: storage)
    }

    /// The element at a full index (one entry per axis). Traps when out of range, like an Array index.
    public subscript(_ index: Int...) -> Scalar {
        precondition(index.count == rank, "Tensor subscript: \(index.count) indices for shape \(shape)")
        var offset = 0
        for (axis, i) in index.enumerated() {
            precondition(i >= 0 && i < shape[axis], "Tensor subscript: index \(index) out of range for shape \(shape)")
            offset = offset * shape[axis] + i
        }
        return storage.base[offset]
    }

    /// Product of `shape`, or nil when a dimension is negative or the product of the non-zero dimensions overflows
    /// `Int`. A zero does not excuse the others: `[0, 2^40, 2^40]` is invalid, so that the product of any subset of
    /// a valid shape's dimensions (a row's width, a stride) fits in `Int`.
    @usableFromInline
    package static func elementCount(_ shape: [Int]) -> Int? {
        var nonZero = 1, hasZero = false
        for d in shape {
            guard d > 0 else {
                if d < 0 { return nil }
                hasZero = true
                continue
            }
            let (p, overflow) = nonZero.multipliedReportingOverflow(by: d)
            guard !overflow else { return nil }
            nonZero = p
        }
        return hasZero ? 0 : nonZero
    }

    public var description: String {
        let shown = storage.count <= 64
            ? scalars.map { "\($0)" }.joined(separator: ", ")
            : scalars.prefix(64).map { "\($0)" }.joined(separator: ", ") + ", …"
        return "Tensor<\(Scalar.self)>\(shape)[\(shown)]"
    }
}

extension Tensor: Equatable {
    /// Same shape and element-wise `==` (so a NaN makes tensors unequal, as for arrays).
    public static func == (lhs: Tensor, rhs: Tensor) -> Bool {
        guard lhs.shape == rhs.shape else { return false }
        if lhs.storage === rhs.storage { return !lhs.scalars.contains { $0 != $0 } }
        for i in 0..<lhs.scalarCount where lhs.storage.base[i] != rhs.storage.base[i] { return false }
        return true
    }
}

extension Tensor {
    /// Bitwise equality of shapes and element bytes (NaN payloads included); used to check shard determinism.
    public func isBitwiseIdentical(to other: Tensor) -> Bool {
        guard shape == other.shape else { return false }
        return memcmp(storage.base, other.storage.base, scalarCount * MemoryLayout<Scalar>.stride) == 0
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
