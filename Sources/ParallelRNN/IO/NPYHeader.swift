import Foundation

/// The header of a `.npy` file (format versions 1.0, 2.0 and 3.0): element type, memory order and shape.
///
/// ParallelRNN writes little-endian `'<f4'` (Float), `'<f8'` (Double) and `'|b1'` (Bool) arrays in C order, and
/// reads those in either byte order and either memory order, plus float16 `'<f2'` / `'>f2'` as Float (see
/// ``Tensor/init(npy:)-(URL)``). Other headers parse (so errors can name what was found) but are rejected when a
/// tensor is built.
public struct NPYHeader: Sendable, Equatable {
    /// numpy's `descr` string, e.g. `"<f4"`; for structured dtypes, the literal text of the description.
    public var descr: String
    /// `true` when the data is stored in column-major (Fortran) order.
    public var fortranOrder: Bool
    /// The array's shape; `[]` for a 0-d array.
    public var shape: [Int]
    /// Offset of the first data byte from the start of the file.
    public var dataOffset: Int

    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // "\x93NUMPY"

    /// A header's text for an error message: trimmed, and at most 200 characters (a hostile header may be huge).
    static func excerpt(_ text: String) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.count <= 200 ? trimmed : "\(trimmed.prefix(200))… (\(trimmed.utf8.count) bytes)"
    }

    /// Parses the header at the start of `data`; `source` names the file in errors.
    public init(parsing data: Data, source: String) throws(RNNError) {
        let bytes = [UInt8](data.prefix(12))
        guard bytes.count >= 6, Array(bytes[0..<6]) == NPYHeader.magic else {
            throw .file(path: source, reason: "not a .npy file (the magic string \\x93NUMPY is missing)")
        }
        guard bytes.count >= 10 else {
            throw .file(path: source, reason: "truncated .npy header: \(bytes.count) bytes, the fixed part alone is 10")
        }
        let major = bytes[6]
        let headerLength: Int, start: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            start = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw .file(path: source, reason: "truncated .npy header") }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            start = 12
        default:
            throw .file(path: source, reason: "unsupported .npy format version \(major).\(bytes[7])")
        }
        // numpy writes a few hundred bytes (and reads at most 10,000 by default); a longer one is not worth parsing.
        guard headerLength <= Self.maximumHeaderLength else {
            throw .file(path: source, reason: ".npy header of \(headerLength) bytes announced; at most \(Self.maximumHeaderLength) are read")
        }
        guard data.count >= start + headerLength else {
            throw .file(path: source, reason: "truncated .npy header: \(headerLength) header bytes announced, \(max(0, data.count - start)) present")
        }
        let headerBytes = data.subdata(in: data.startIndex + start ..< data.startIndex + start + headerLength)
        guard let text = String(data: headerBytes, encoding: major == 3 ? .utf8 : .isoLatin1) else {
            throw .file(path: source, reason: "unreadable .npy header text")
        }
        var parser = PythonLiteralParser(text: text)
        let dict: [String: PythonLiteral]
        do { dict = try parser.parseDictionary() } catch {
            throw .file(path: source, reason: "malformed .npy header \(Self.excerpt(text)): \(error.message)")
        }
        guard let descrValue = dict["descr"], let fortranValue = dict["fortran_order"], let shapeValue = dict["shape"] else {
            throw .file(path: source, reason: "the .npy header lacks descr, fortran_order or shape")
        }
        switch descrValue {
        case let .string(s): descr = s
        default: descr = descrValue.text
        }
        guard case let .bool(fortran) = fortranValue else {
            throw .file(path: source, reason: "the .npy header's fortran_order is not True or False")
        }
        fortranOrder = fortran
        guard case let .tuple(items) = shapeValue else {
            throw .file(path: source, reason: "the .npy header's shape is not a tuple")
        }
        var dims: [Int] = []
        for item in items {
            guard case let .int(d) = item, d >= 0 else {
                throw .file(path: source, reason: "the .npy header's shape \(Self.excerpt(shapeValue.text)) is not a tuple of non-negative integers")
            }
            dims.append(d)
        }
        shape = dims
        dataOffset = start + headerLength
    }

    /// The longest header read (bytes).
    static let maximumHeaderLength = 1 << 20

    /// A header for writing.
    public init(descr: String, fortranOrder: Bool = false, shape: [Int]) {
        self.descr = descr
        self.fortranOrder = fortranOrder
        self.shape = shape
        self.dataOffset = 0
    }

    /// The encoded header (magic, version, length, dict, padding to a multiple of 64 bytes, newline).
    public func encoded() -> Data {
        let shapeText = shape.isEmpty ? "()" : shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        let dict = "{'descr': '\(descr)', 'fortran_order': \(fortranOrder ? "True" : "False"), 'shape': \(shapeText), }"
        var version: UInt8 = 1
        var prefix = 10
        var padded = (prefix + dict.utf8.count + 1 + 63) / 64 * 64
        if padded - prefix > 0xFFFF {
            version = 2
            prefix = 12
            padded = (prefix + dict.utf8.count + 1 + 63) / 64 * 64
        }
        let headerLength = padded - prefix
        var out = Data(NPYHeader.magic)
        out.append(contentsOf: [version, 0])
        if version == 1 {
            out.append(contentsOf: [UInt8(headerLength & 0xFF), UInt8(headerLength >> 8)])
        } else {
            out.append(contentsOf: (0..<4).map { UInt8((headerLength >> (8 * $0)) & 0xFF) })
        }
        out.append(contentsOf: Array(dict.utf8))
        out.append(contentsOf: [UInt8](repeating: 0x20, count: headerLength - dict.utf8.count - 1))
        out.append(0x0A)
        return out
    }
}
