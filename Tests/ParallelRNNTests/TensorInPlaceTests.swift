import Testing
@testable import ParallelRNN

/// Element-wise ops write into an operand's storage when it is a temporary nothing else holds
/// (`tanh(x + matmul(h, w))` allocates once); a tensor still held elsewhere is never written.
@Suite struct TensorInPlaceTests {
    static func address<S>(_ t: Tensor<S>) -> UInt { t.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) } }

    static func tensor(_ seed: UInt64, _ shape: [Int] = [3, 5]) throws -> Tensor<Float> {
        var g = SplitMix(seed: seed)
        return try Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in g.float() * 4 - 2 })
    }

    /// The same bits whether an op reuses an operand or allocates, and the held operands keep their values.
    @Test func inPlaceResultsEqualFreshOnesAndHeldOperandsStay() throws {
        let a = try Self.tensor(1), b = try Self.tensor(2)
        let (aBefore, bBefore) = (a.scalars, b.scalars)
        // (op, both operands held, the left one a temporary, the right one a temporary)
        let binary: [(String, Tensor<Float>, Tensor<Float>, Tensor<Float>)] = [
            ("+", a + b, a * 1 + b, a + b * 1), ("-", a - b, a * 1 - b, a - b * 1),
            ("*", a * b, a * 1 * b, a * (b * 1)), ("/", a / b, a * 1 / b, a / (b * 1)),
        ]
        for (name, fresh, intoLeft, intoRight) in binary {
            #expect(fresh.isBitwiseIdentical(to: intoLeft), "\(name), left temporary")
            #expect(fresh.isBitwiseIdentical(to: intoRight), "\(name), right temporary")
        }
        // (op, operand held, operand a temporary)
        let unary: [(String, Tensor<Float>, Tensor<Float>)] = [
            ("tanh", tanh(a), tanh(a * 1)), ("sigmoid", sigmoid(a), sigmoid(a * 1)), ("relu", relu(a), relu(a * 1)),
            ("exp", exp(a), exp(a * 1)), ("gelu", gelu(a), gelu(a * 1)), ("negate", -a, -(a * 1)),
            ("+ 1.5", a + 1.5, a * 1 + 1.5), ("2 / x", 2 / a, 2 / (a * 1)),
        ]
        for (name, fresh, inPlace) in unary {
            #expect(fresh.isBitwiseIdentical(to: inPlace), "\(name)")
        }
        #expect(a.scalars == aBefore && b.scalars == bBefore)
    }

    /// A temporary's storage is reused (so the optimisation cannot silently vanish), a held tensor's is not, and a
    /// copy that shares storage with the operand keeps its values.
    @Test func temporariesAreReusedAndSharedStorageIsNot() throws {
        let a = try Self.tensor(3), b = try Self.tensor(4)
        var t = a + b
        let tAddress = Self.address(t)
        let r = tanh(consume t)
        #expect(Self.address(r) == tAddress)
        t = r * 1  // a new temporary, now held by `t` and `copy`
        let copy = t
        let before = copy.scalars
        let s = sigmoid(t)
        #expect(Self.address(s) != Self.address(copy))
        #expect(copy.scalars == before)
        let u = copy * 2
        let uAddress = Self.address(u)
        let v = (consume u) - b
        #expect(Self.address(v) == uAddress)
        #expect(copy.scalars == before)
    }

    /// A temporary in a broadcasting op gives the same bits as a held operand.
    @Test func broadcastingFromTemporaries() throws {
        let row = try Self.tensor(5, [1, 5]), a = try Self.tensor(6)
        let expected = a + row
        #expect((a * 1 + row).isBitwiseIdentical(to: expected))
        #expect((row + a * 1).isBitwiseIdentical(to: row + a))
        #expect((a * 1 + row * 1).isBitwiseIdentical(to: expected))
    }
}

extension TensorInPlaceTests {
    /// `+=`, `-=` and `*=` write into the left side when nothing else holds it, and never into a shared one.
    @Test func compoundAssignmentReusesAnUnsharedLeftSide() throws {
        let a = try Self.tensor(7), b = try Self.tensor(8)
        var h = a * 1
        let address = Self.address(h)
        h += b
        h -= a
        h *= b
        #expect(Self.address(h) == address)
        #expect(h.isBitwiseIdentical(to: (a + b - a) * b))
        let shared = h
        let before = shared.scalars
        h += b
        #expect(shared.scalars == before)
        #expect(h.isBitwiseIdentical(to: shared + b))
    }
}

extension TensorInPlaceTests {
    /// The consuming operands stay source-compatible: the ops still convert to plain function values.
    @Test func opsStillConvertToFunctionValues() throws {
        let a = try Self.tensor(9), b = try Self.tensor(10)
        let act: (Tensor<Float>) -> Tensor<Float> = tanh
        let add: (Tensor<Float>, Tensor<Float>) -> Tensor<Float> = (+)
        #expect(act(a).isBitwiseIdentical(to: tanh(a)))
        #expect([a, b].map(sigmoid).map(\.scalars) == [sigmoid(a).scalars, sigmoid(b).scalars])
        #expect([a, b].reduce(a, +).isBitwiseIdentical(to: add(add(a, a), b)))
        #expect(a.scalars == (try Self.tensor(9)).scalars)
    }
}
