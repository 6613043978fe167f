/// Fixed-size element buffer behind a ``Tensor``. Shared between copies until one writes (copy-on-write in
/// ``Tensor``); the engine hands disjoint row ranges of one storage to concurrent shards.
@usableFromInline
final class TensorStorage<Scalar: TensorScalar>: @unchecked Sendable {
    @usableFromInline let base: UnsafeMutablePointer<Scalar>
    @usableFromInline let count: Int

    /// Uninitialised storage for `count` elements (a ``RawBuffer``); callers write every element before reading.
    @usableFromInline
    init(uninitializedCount count: Int) {
        self.count = count
        base = RawBuffer.allocate(bytes: count * MemoryLayout<Scalar>.stride).bindMemory(to: Scalar.self, capacity: max(count, 1))
    }

    @inlinable
    static func make(uninitializedCount count: Int) -> TensorStorage { TensorStorage(uninitializedCount: count) }

    @inlinable
    static func make(repeating value: Scalar, count: Int) -> TensorStorage {
        let s = TensorStorage(uninitializedCount: count)
        s.base.initialize(repeating: value, count: count)
        return s
    }

    @usableFromInline
    func copy() -> TensorStorage {
        let new = TensorStorage(uninitializedCount: count)
        new.base.update(from: base, count: count)
        return new
    }

    deinit { RawBuffer.deallocate(base, bytes: count * MemoryLayout<Scalar>.stride) }
}
