import Foundation

extension TensorScalar {
    /// numpy's `descr` for this scalar type (`'<f4'`, `'<f8'`, `'|b1'`), or nil for other conformers.
    static var npyDescr: String? {
        if Self.self == Float.self { return "<f4" }
        if Self.self == Double.self { return "<f8" }
        if Self.self == Bool.self { return "|b1" }
        return nil
    }
}

extension Tensor {
    /// Reads a `.npy` file. The file's dtype must be one read as `Scalar`: `'<f4'` or `'>f4'` for `Float`, and
    /// also float16 (`'<f2'`, `'>f2'`, converted exactly: there is no half-precision tensor, and Float is the
    /// smallest type that holds every half value); `'<f8'` or `'>f8'` for `Double`; `'|b1'` for `Bool`. No other
    /// conversion happens: a `'<f4'` file is not read as `Tensor<Double>`, nor `'<f8'` as `Tensor<Float>` (use
    /// ``NPYArray`` to accept whichever is found). C order and Fortran order (`fortran_order: True`, as
    /// `np.save` writes an F-contiguous array) both give the row-major tensor of the header's shape; big-endian
    /// data is byte-swapped. Anything else (integers, complex, structured or object dtypes, a truncated file) is
    /// an ``RNNError/file(path:reason:)`` naming the path and what was found. Writing a tensor back always gives
    /// little-endian C order of `Scalar`'s own dtype (`'<f4'` for a Float tensor read from `'<f2'`).
    public init(npy url: URL) throws(RNNError) {
        try self.init(npyData: try readFile(url), source: url.path)
    }

    /// Reads a `.npy` file at `path`; see ``init(npy:)-(URL)``.
    public init(npy path: String) throws(RNNError) {
        try self.init(npy: URL(fileURLWithPath: path))
    }

    /// Decodes the bytes of a `.npy` file (dtypes and orders as for ``init(npy:)-(URL)``); `source` names it in
    /// errors. It succeeds exactly for the files ``NPYArray/init(npyData:source:)`` reads as `Scalar`'s case.
    public init(npyData data: Data, source: String = "npy data") throws(RNNError) {
        let header = try NPYHeader(parsing: data, source: source)
        let readable = Scalar.npyReadableDescrs
        guard !readable.isEmpty else {
            throw .file(path: source, reason: "ParallelRNN cannot read .npy arrays as \(Scalar.self)")
        }
        guard let format = NPYElementFormat(descr: header.descr), format.isRead(as: Scalar.self) else {
            let needs = readable.map { "'\($0)'" }
            let list = needs.count == 1 ? needs[0] : needs.dropLast().joined(separator: ", ") + " or " + needs.last!
            throw .file(path: source, reason: "dtype '\(NPYHeader.excerpt(header.descr))' \(NPYHeader.explain(header.descr))cannot be read as Tensor<\(Scalar.self)>, which needs \(list)")
        }
        try self.init(npyPayload: data, header: header, format: format, source: source)
    }

    /// The tensor encoded as a `.npy` file (format 1.0, little-endian, C order). Throws for scalar types other
    /// than Float, Double and Bool (a caller's own `TensorScalar` conformance has no numpy dtype).
    public func npyData() throws(RNNError) -> Data {
        guard let descr = Scalar.npyDescr else {
            throw .invalidArgument(argument: "npyData", reason: "\(Scalar.self) has no numpy dtype (Float, Double, Bool have)")
        }
        return npyData(descr: descr)
    }

    /// The `.npy` encoding with a known dtype string.
    func npyData(descr: String) -> Data {
        var data = NPYHeader(descr: descr, shape: shape).encoded()
        withUnsafeBufferPointer { buffer in
            if let base = buffer.baseAddress, !buffer.isEmpty {
                data.append(UnsafeBufferPointer(start: UnsafeRawPointer(base).assumingMemoryBound(to: UInt8.self),
                                                count: buffer.count * MemoryLayout<Scalar>.stride))
            }
        }
        return data
    }

    /// Writes the tensor as a `.npy` file (atomically, replacing an existing file).
    public func write(npy url: URL) throws(RNNError) {
        try writeFile(npyData(), to: url)
    }

    /// Writes the tensor as a `.npy` file at `path`.
    public func write(npy path: String) throws(RNNError) {
        try write(npy: URL(fileURLWithPath: path))
    }
}

extension Tensor where Scalar == Bool {
    /// A mask file whose elements are integers (`'|i1'`, `'<u4'`, `'>i8'`, … in C or Fortran order), each true when
    /// non-zero, as TensorFlow casts masks; nil when the dtype is not an integer (read those with `npyData`).
    package static func npyIntegerMask(_ data: Data, source: String) throws(RNNError) -> Tensor<Bool>? {
        let header = try NPYHeader(parsing: data, source: source)
        guard let format = NPYElementFormat(descr: header.descr), format.isInteger else { return nil }
        return try Tensor(npyPayload: data, header: header, format: format, source: source)
    }
}

extension NPYHeader {
    /// A short gloss of a dtype that cannot be read, ending with a space (or empty).
    static func explain(_ descr: String) -> String {
        if descr.hasPrefix("[") || descr.hasPrefix("(") { return "(a structured dtype) " }
        switch descr.dropFirst().first {
        case "i": return "(signed integers) "
        case "u": return "(unsigned integers) "
        case "f": return "(floating point of another width) "
        case "c": return "(complex) "
        case "U", "S": return "(strings) "
        case "O": return "(Python objects) "
        default: return ""
        }
    }
}

/// Reads a whole file, mapping failures to ``RNNError/file(path:reason:)``.
package func readFile(_ url: URL) throws(RNNError) -> Data {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
        throw .file(path: url.path, reason: "no such file")
    }
    guard !isDirectory.boolValue else { throw .file(path: url.path, reason: "is a directory, not a file") }
    // A device (/dev/zero) would be read without end.
    let type = (try? FileManager.default.attributesOfItem(atPath: url.path))?[.type] as? FileAttributeType
    if let type, type == .typeCharacterSpecial || type == .typeBlockSpecial || type == .typeSocket {
        throw .file(path: url.path, reason: "is a device or socket, not a file")
    }
    do { return try Data(contentsOf: url, options: .mappedIfSafe) } catch {
        throw .file(path: url.path, reason: "cannot be read (\(error.localizedDescription))")
    }
}

/// Writes a whole file atomically, mapping failures to ``RNNError/file(path:reason:)``.
func writeFile(_ data: Data, to url: URL) throws(RNNError) {
    let directory = url.deletingLastPathComponent()
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
        throw .file(path: url.path, reason: "cannot be written: the directory \(directory.path) does not exist")
    }
    do { try data.write(to: url, options: .atomic) } catch {
        throw .file(path: url.path, reason: "cannot be written (\(error.localizedDescription))")
    }
}
