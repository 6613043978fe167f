// Element-wise arithmetic with numpy broadcasting. Misuse inside a step function (shapes that do not broadcast)
// traps with the op and the shapes, like an out-of-range Array index.

extension Tensor where Scalar: TensorFloatingPoint {
    /// Same shapes: into `lhs`'s or `rhs`'s storage when that operand is a temporary nothing else holds (element i
    /// is read before it is written, so the bits are those of a new tensor).
    @inlinable
    static func broadcasting(
        _ lhs: consuming Tensor, _ rhs: consuming Tensor, _ op: String, _ f: (Scalar, Scalar) -> Scalar
    ) -> Tensor {
        if lhs.shape == rhs.shape {
            let a = lhs.storage.base, b = rhs.storage.base, n = lhs.scalarCount
            if isKnownUniquelyReferenced(&lhs.storage) {
                for i in 0..<n { a[i] = f(a[i], b[i]) }
                _fixLifetime(rhs)
                return lhs
            }
            if isKnownUniquelyReferenced(&rhs.storage) {
                for i in 0..<n { b[i] = f(a[i], b[i]) }
                _fixLifetime(lhs)
                return rhs
            }
            let out = Tensor(uninitializedShape: lhs.shape)
            let c = out.storage.base
            for i in 0..<n { c[i] = f(a[i], b[i]) }
            _fixLifetime(lhs); _fixLifetime(rhs)
            return out
        }
        guard let plan = Broadcast(lhs.shape, rhs.shape) else {
            preconditionFailure("Tensor \(op): shapes \(lhs.shape) and \(rhs.shape) do not broadcast")
        }
        let out = Tensor(uninitializedShape: plan.shape)
        let a = lhs.storage.base, b = rhs.storage.base, c = out.storage.base
        plan.forEachRun { oa, ob, oc, n, sa, sb in
            if sa == 1 && sb == 1 {
                for i in 0..<n { c[oc + i] = f(a[oa + i], b[ob + i]) }
            } else {
                for i in 0..<n { c[oc + i] = f(a[oa + i * sa], b[ob + i * sb]) }
            }
        }
        _fixLifetime(lhs); _fixLifetime(rhs)
        return out
    }

    /// In place when `x` is a temporary nothing else holds.
    @inlinable
    static func mapScalars(_ x: consuming Tensor, _ f: (Scalar) -> Scalar) -> Tensor {
        let a = x.storage.base, n = x.scalarCount
        if isKnownUniquelyReferenced(&x.storage) {
            for i in 0..<n { a[i] = f(a[i]) }
            return x
        }
        let out = Tensor(uninitializedShape: x.shape)
        let c = out.storage.base
        for i in 0..<n { c[i] = f(a[i]) }
        _fixLifetime(x)
        return out
    }

    @inlinable public static func + (lhs: consuming Tensor, rhs: consuming Tensor) -> Tensor { broadcasting(lhs, rhs, "+", +) }
    @inlinable public static func - (lhs: consuming Tensor, rhs: consuming Tensor) -> Tensor { broadcasting(lhs, rhs, "-", -) }
    @inlinable public static func * (lhs: consuming Tensor, rhs: consuming Tensor) -> Tensor { broadcasting(lhs, rhs, "*", *) }
    @inlinable public static func / (lhs: consuming Tensor, rhs: consuming Tensor) -> Tensor { broadcasting(lhs, rhs, "/", /) }

    @inlinable public static func + (lhs: consuming Tensor, rhs: Scalar) -> Tensor { mapScalars(lhs) { $0 + rhs } }
    @inlinable public static func - (lhs: consuming Tensor, rhs: Scalar) -> Tensor { mapScalars(lhs) { $0 - rhs } }
    @inlinable public static func * (lhs: consuming Tensor, rhs: Scalar) -> Tensor { mapScalars(lhs) { $0 * rhs } }
    @inlinable public static func / (lhs: consuming Tensor, rhs: Scalar) -> Tensor { mapScalars(lhs) { $0 / rhs } }
    @inlinable public static func + (lhs: Scalar, rhs: consuming Tensor) -> Tensor { mapScalars(rhs) { lhs + $0 } }
    @inlinable public static func - (lhs: Scalar, rhs: consuming Tensor) -> Tensor { mapScalars(rhs) { lhs - $0 } }
    @inlinable public static func * (lhs: Scalar, rhs: consuming Tensor) -> Tensor { mapScalars(rhs) { lhs * $0 } }
    @inlinable public static func / (lhs: Scalar, rhs: consuming Tensor) -> Tensor { mapScalars(rhs) { lhs / $0 } }
    @inlinable public static prefix func - (x: consuming Tensor) -> Tensor { mapScalars(x) { -$0 } }

    @inlinable public static func += (lhs: inout Tensor, rhs: Tensor) { lhs = (consume lhs) + rhs }
    @inlinable public static func -= (lhs: inout Tensor, rhs: Tensor) { lhs = (consume lhs) - rhs }
    @inlinable public static func *= (lhs: inout Tensor, rhs: Tensor) { lhs = (consume lhs) * rhs }
}
