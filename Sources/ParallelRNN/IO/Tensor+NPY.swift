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
    /// Reads a `.npy` file. The file's dtype must match `Scalar`: `'<f4'` for `Float`, `'<f8'` for `Double`,
    /// `'|b1'` for `Bool`, in C order; anything else (another dtype, big-endian, Fortran order, a truncated file)
    /// is an ``RNNError/file(path:reason:)`` naming the path and what was found.
    public init(npy url: URL) throws(RNNError) {
        try self.init(npyData: try readFile(url), source: url.path)
    }

    /// Reads a `.npy` file at `path`; see ``init(npy:)-(URL)``.
    public init(npy path: String) throws(RNNError) {
        try self.init(npy: URL(fileURLWithPath: path))
    }

    /// Decodes the bytes of a `.npy` file; `source` names it in errors.
    public init(npyData data: Data, source: String = "npy data") throws(RNNError) {
        let header = try NPYHeader(parsing: data, source: source)
        guard let expected = Scalar.npyDescr else {
            throw .file(path: source, reason: "ParallelRNN cannot read .npy arrays as \(Scalar.self)")
        }
        guard header.descr == expected || (expected == "|b1" && header.descr == "<b1") else {
            throw .file(path: source, reason: "dtype '\(header.descr)' \(NPYHeader.explain(header.descr))cannot be read as Tensor<\(Scalar.self)>, which needs '\(expected)'")
        }
        try self.init(npyPayload: data, header: header, source: source)
    }

    /// Builds the tensor from the data part, after the dtype was checked.
    init(npyPayload data: Data, header: NPYHeader, source: String) throws(RNNError) {
        guard !header.fortranOrder || header.shape.count < 2 else {
            throw .file(path: source, reason: "array of shape \(header.shape) is stored in Fortran order (fortran_order: True); save it in C order (numpy.ascontiguousarray)")
        }
        guard let count = Tensor.elementCount(header.shape) else {
            throw .file(path: source, reason: "shape \(header.shape) is too large")
        }
        let itemSize = MemoryLayout<Scalar>.stride
        let (byteCount, overflow) = count.multipliedReportingOverflow(by: itemSize)
        let available = data.count - header.dataOffset
        guard !overflow, available >= byteCount else {
            throw .file(path: source, reason: "truncated: shape \(header.shape) of '\(header.descr)' needs \(overflow ? "more" : String(byteCount)) data bytes, the file has \(max(available, 0))")
        }
        guard available == byteCount else {
            throw .file(path: source, reason: "\(available - byteCount) unexpected bytes after the data of shape \(header.shape)")
        }
        self.init(uninitializedShape: header.shape)
        let start = data.startIndex + header.dataOffset
        let dst = UnsafeMutableRawPointer(storage.base)
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let src = raw.baseAddress! + (start - data.startIndex)
            if Scalar.self == Bool.self {
                // numpy bools are bytes; anything non-zero is true (a Swift Bool must hold exactly 0 or 1).
                let out = dst.assumingMemoryBound(to: Bool.self)
                for i in 0..<count { out[i] = src.load(fromByteOffset: i, as: UInt8.self) != 0 }
            } else if byteCount > 0 {
                dst.copyMemory(from: src, byteCount: byteCount)
            }
        }
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

extension NPYHeader {
    /// A short gloss of a dtype that cannot be read, ending with a space (or empty).
    static func explain(_ descr: String) -> String {
        if descr.hasPrefix(">") { return "(big-endian) " }
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
func readFile(_ url: URL) throws(RNNError) -> Data {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
        throw .file(path: url.path, reason: "no such file")
    }
    guard !isDirectory.boolValue else { throw .file(path: url.path, reason: "is a directory, not a file") }
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
