// Element-wise arithmetic with numpy broadcasting. Misuse inside a step function (shapes that do not broadcast)
// traps with the op and the shapes, like an out-of-range Array index.

extension Tensor where Scalar: TensorFloatingPoint {
    @inlinable
    static func broadcasting(
        _ lhs: Tensor, _ rhs: Tensor, _ op: String, _ f: (Scalar, Scalar) -> Scalar
    ) -> Tensor {
        if lhs.shape == rhs.shape {
            let out = Tensor(uninitializedShape: lhs.shape)
            let a = lhs.storage.base, b = rhs.storage.base, c = out.storage.base
            for i in 0..<lhs.scalarCount { c[i] = f(a[i], b[i]) }
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

    @inlinable
    func mapScalars(_ f: (Scalar) -> Scalar) -> Tensor {
        let out = Tensor(uninitializedShape: shape)
        let a = storage.base, c = out.storage.base
        for i in 0..<scalarCount { c[i] = f(a[i]) }
        _fixLifetime(self)
        return out
    }

    @inlinable public static func + (lhs: Tensor, rhs: Tensor) -> Tensor { broadcasting(lhs, rhs, "+", +) }
    @inlinable public static func - (lhs: Tensor, rhs: Tensor) -> Tensor { broadcasting(lhs, rhs, "-", -) }
    @inlinable public static func * (lhs: Tensor, rhs: Tensor) -> Tensor { broadcasting(lhs, rhs, "*", *) }
    @inlinable public static func / (lhs: Tensor, rhs: Tensor) -> Tensor { broadcasting(lhs, rhs, "/", /) }

    @inlinable public static func + (lhs: Tensor, rhs: Scalar) -> Tensor { lhs.mapScalars { $0 + rhs } }
    @inlinable public static func - (lhs: Tensor, rhs: Scalar) -> Tensor { lhs.mapScalars { $0 - rhs } }
    @inlinable public static func * (lhs: Tensor, rhs: Scalar) -> Tensor { lhs.mapScalars { $0 * rhs } }
    @inlinable public static func / (lhs: Tensor, rhs: Scalar) -> Tensor { lhs.mapScalars { $0 / rhs } }
    @inlinable public static func + (lhs: Scalar, rhs: Tensor) -> Tensor { rhs.mapScalars { lhs + $0 } }
    @inlinable public static func - (lhs: Scalar, rhs: Tensor) -> Tensor { rhs.mapScalars { lhs - $0 } }
    @inlinable public static func * (lhs: Scalar, rhs: Tensor) -> Tensor { rhs.mapScalars { lhs * $0 } }
    @inlinable public static func / (lhs: Scalar, rhs: Tensor) -> Tensor { rhs.mapScalars { lhs / $0 } }
    @inlinable public static prefix func - (x: Tensor) -> Tensor { x.mapScalars { -$0 } }

    @inlinable public static func += (lhs: inout Tensor, rhs: Tensor) { lhs = lhs + rhs }
    @inlinable public static func -= (lhs: inout Tensor, rhs: Tensor) { lhs = lhs - rhs }
    @inlinable public static func *= (lhs: inout Tensor, rhs: Tensor) { lhs = lhs * rhs }
}
