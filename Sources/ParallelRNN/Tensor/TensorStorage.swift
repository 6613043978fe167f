/// 64-byte aligned, fixed-size element buffer behind a ``Tensor``. Shared between copies until one writes
/// (copy-on-write in ``Tensor``); the engine hands disjoint row ranges of one storage to concurrent shards.
@usableFromInline
final class TensorStorage<Scalar: TensorScalar>: @unchecked Sendable {
    @usableFromInline let base: UnsafeMutablePointer<Scalar>
    @usableFromInline let count: Int

    /// Uninitialised storage; callers write every element before reading.
    @usableFromInline
    init(uninitializedCount count: Int) {
        self.count = count
        let bytes = max(count, 1) * MemoryLayout<Scalar>.stride
        let raw = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
        base = raw.bindMemory(to: Scalar.self, capacity: max(count, 1))
    }

    @usableFromInline
    convenience init(repeating value: Scalar, count: Int) {
        self.init(uninitializedCount: count)
        base.initialize(repeating: value, count: count)
    }

    @usableFromInline
    func copy() -> TensorStorage {
        let new = TensorStorage(uninitializedCount: count)
        new.base.update(from: base, count: count)
        return new
    }

    deinit { UnsafeMutableRawPointer(base).deallocate() }
}
