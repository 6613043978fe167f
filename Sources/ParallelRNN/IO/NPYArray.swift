import Foundation

/// A `.npy` array of any element type ParallelRNN reads, for callers that learn the dtype from the file.
public enum NPYArray: Sendable, Equatable {
    case float(Tensor<Float>)
    case double(Tensor<Double>)
    case bool(Tensor<Bool>)

    /// Decodes a `.npy` file's bytes whatever its (supported) dtype: `'<f4'`, `'>f4'` and float16 (`'<f2'`,
    /// `'>f2'`, converted exactly) as ``float(_:)``; `'<f8'`, `'>f8'` as ``double(_:)``; `'|b1'` as ``bool(_:)``.
    /// C or Fortran order (see ``Tensor/init(npy:)-(URL)``). The case records the tensor type, not the file's
    /// dtype: a float16 or big-endian file reads as `.float` / `.double`, and ``descr`` and ``npyData()`` are
    /// then little-endian `'<f4'` / `'<f8'`.
    public init(npyData data: Data, source: String = "npy data") throws(RNNError) {
        let header = try NPYHeader(parsing: data, source: source)
        guard let format = NPYElementFormat(descr: header.descr) else { throw NPYArray.unsupported(header.descr, source) }
        if format.isRead(as: Float.self) {
            self = .float(try Tensor(npyPayload: data, header: header, format: format, source: source))
        } else if format.isRead(as: Double.self) {
            self = .double(try Tensor(npyPayload: data, header: header, format: format, source: source))
        } else if format.isRead(as: Bool.self) {
            self = .bool(try Tensor(npyPayload: data, header: header, format: format, source: source))
        } else {
            throw NPYArray.unsupported(header.descr, source)
        }
    }

    private static func unsupported(_ descr: String, _ source: String) -> RNNError {
        .file(path: source, reason: "unsupported dtype '\(NPYHeader.excerpt(descr))' \(NPYHeader.explain(descr))(ParallelRNN reads float32, float16 and float64 ('<f4', '<f2', '<f8', or '>' big-endian) and bool '|b1')")
    }

    /// Reads a `.npy` file whatever its supported dtype.
    public init(npy url: URL) throws(RNNError) {
        try self.init(npyData: try readFile(url), source: url.path)
    }

    /// numpy's dtype string of the case (what ``npyData()`` writes): `'<f4'`, `'<f8'` or `'|b1'`.
    public var descr: String {
        switch self {
        case .float: return "<f4"
        case .double: return "<f8"
        case .bool: return "|b1"
        }
    }

    /// The array's shape.
    public var shape: [Int] {
        switch self {
        case let .float(t): return t.shape
        case let .double(t): return t.shape
        case let .bool(t): return t.shape
        }
    }

    /// The `.npy` encoding of the array.
    public func npyData() -> Data {
        switch self {
        case let .float(t): return t.npyData(descr: Float.npyDescr!)
        case let .double(t): return t.npyData(descr: Double.npyDescr!)
        case let .bool(t): return t.npyData(descr: Bool.npyDescr!)
        }
    }
}
