import Foundation

/// A `.npy` array of any element type ParallelRNN reads, for callers that learn the dtype from the file.
public enum NPYArray: Sendable, Equatable {
    case float(Tensor<Float>)
    case double(Tensor<Double>)
    case bool(Tensor<Bool>)

    /// Decodes a `.npy` file's bytes whatever its (supported) dtype: `'<f4'`, `'<f8'` or `'|b1'`.
    public init(npyData data: Data, source: String = "npy data") throws(RNNError) {
        let header = try NPYHeader(parsing: data, source: source)
        switch header.descr {
        case "<f4": self = .float(try Tensor(npyPayload: data, header: header, source: source))
        case "<f8": self = .double(try Tensor(npyPayload: data, header: header, source: source))
        case "|b1", "<b1": self = .bool(try Tensor(npyPayload: data, header: header, source: source))
        default:
            throw .file(path: source, reason: "unsupported dtype '\(header.descr)' \(NPYHeader.explain(header.descr))(ParallelRNN reads '<f4', '<f8' and '|b1')")
        }
    }

    /// Reads a `.npy` file whatever its supported dtype.
    public init(npy url: URL) throws(RNNError) {
        try self.init(npyData: try readFile(url), source: url.path)
    }

    /// numpy's dtype string: `'<f4'`, `'<f8'` or `'|b1'`.
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
