/// How one element of a `.npy` payload is encoded, as a simple numpy `descr` names it: kind, width in bytes and
/// byte order (`'<f4'`, `'>f8'`, `'<f2'`, `'|b1'`, `'>i4'`, …).
///
/// Which tensor type reads which format (``Tensor/init(npyData:source:)``, ``NPYArray/init(npyData:source:)``):
/// - `'<f4'`, `'>f4'`: `Float`;
/// - `'<f2'`, `'>f2'` (float16): `Float`, converted exactly;
/// - `'<f8'`, `'>f8'`: `Double`;
/// - `'|b1'` (also `'<b1'`, `'>b1'`): `Bool`.
///
/// Integers parse (so the CLI can cast masks and errors can name them) but no tensor type reads them.
struct NPYElementFormat: Sendable, Equatable {
    enum Kind: Sendable, Equatable { case bool, float, signed, unsigned }

    var kind: Kind
    /// Width of one element in the file, in bytes.
    var size: Int
    /// `true` for `'>'` (most significant byte first); widths of 1 byte have no byte order.
    var bigEndian: Bool

    /// Parses a simple dtype string; nil for anything else: structured dtypes, complex, strings, objects,
    /// datetimes, widths numpy does not have (`'<f16'`), or `'|'` (no byte order) on a multi-byte type.
    init?(descr: String) {
        let characters = Array(descr.utf8)
        let digits = characters.dropFirst(2)
        guard !digits.isEmpty, digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
              let size = Int(String(decoding: digits, as: UTF8.self)) else { return nil }
        switch (characters[1], size) {
        case (UInt8(ascii: "b"), 1): kind = .bool
        case (UInt8(ascii: "f"), 2), (UInt8(ascii: "f"), 4), (UInt8(ascii: "f"), 8): kind = .float
        case (UInt8(ascii: "i"), 1), (UInt8(ascii: "i"), 2), (UInt8(ascii: "i"), 4), (UInt8(ascii: "i"), 8): kind = .signed
        case (UInt8(ascii: "u"), 1), (UInt8(ascii: "u"), 2), (UInt8(ascii: "u"), 4), (UInt8(ascii: "u"), 8): kind = .unsigned
        default: return nil
        }
        switch characters[0] {
        case UInt8(ascii: "<"): bigEndian = false
        case UInt8(ascii: ">"): bigEndian = size > 1
        case UInt8(ascii: "|") where size == 1: bigEndian = false
        default: return nil
        }
        self.size = size
    }

    /// Signed or unsigned integers (read only as masks: `Tensor<Bool>.npyIntegerMask`).
    var isInteger: Bool { kind == .signed || kind == .unsigned }

    /// Whether `Tensor<Scalar>` reads this format (see the list above); `false` for integers.
    func isRead<Scalar: TensorScalar>(as _: Scalar.Type) -> Bool {
        switch (kind, size) {
        case (.float, 2), (.float, 4): return Scalar.self == Float.self
        case (.float, 8): return Scalar.self == Double.self
        case (.bool, _): return Scalar.self == Bool.self
        default: return false
        }
    }
}

extension TensorScalar {
    /// The dtypes `Tensor<Self>(npyData:)` reads, for error messages.
    static var npyReadableDescrs: [String] {
        if Self.self == Float.self { return ["<f4", ">f4", "<f2", ">f2"] }
        if Self.self == Double.self { return ["<f8", ">f8"] }
        if Self.self == Bool.self { return ["|b1"] }
        return []
    }
}

extension Float {
    /// The value of an IEEE 754 binary16 (numpy float16) bit pattern. Exact: every half value, subnormals
    /// included, is a Float; ±0, ±infinity and NaN keep their sign, and a NaN keeps its payload (shifted into the
    /// high bits of Float's, so a quiet NaN stays quiet). Decoded by hand: Swift's `Float16` is not on every platform.
    init(npyHalfBits bits: UInt16) {
        let sign = UInt32(bits >> 15) << 31
        let exponent = UInt32(bits >> 10) & 0x1F
        let fraction = UInt32(bits) & 0x3FF
        switch exponent {
        case 0:  // zero or subnormal: fraction · 2^-24, exact in Float (a normal Float from 2^-24 up)
            let magnitude = Float(fraction) * 0x1p-24
            self = sign != 0 ? -magnitude : magnitude
        case 0x1F:  // infinity (fraction 0) or NaN
            self = Float(bitPattern: sign | 0x7F80_0000 | fraction << 13)
        default:  // normal: rebias the exponent from 15 to 127
            self = Float(bitPattern: sign | (exponent + 112) << 23 | fraction << 13)
        }
    }
}
