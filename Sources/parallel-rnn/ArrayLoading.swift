import Foundation
import ParallelRNN

/// Loads `.npy` files for `run`, with the conversions Keras applies.
enum ArrayLoading {
    /// Inputs as float32: float32 as is, float16 widened (exactly), float64 rounded, in either byte order and
    /// either memory order (see `NPYArray`); other dtypes are errors.
    static func floatInputs(_ path: String, argument: String) throws(RNNError) -> Tensor<Float> {
        switch try NPYArray(npy: URL(fileURLWithPath: path)) {
        case let .float(t): return t
        case let .double(t): return try Tensor(shape: t.shape, scalars: t.scalars.map { Float($0) })
        case let .bool(t):
            throw .file(path: path, reason: "\(argument) has dtype '|b1' (bool) of shape \(t.shape); float32 or float64 is needed")
        }
    }

    /// numpy's integer dtypes and their widths: 1-byte ones have no byte order (`'|'`), wider ones are `'<'` or `'>'`.
    static let integerSizes: [String: Int] = {
        var sizes = ["|i1": 1, "|u1": 1]
        for kind in ["i", "u"] {
            for size in [2, 4, 8] {
                for order in ["<", ">"] { sizes["\(order)\(kind)\(size)"] = size }
            }
        }
        return sizes
    }()

    /// A mask: bool as is; floats and integers (either byte order) cast as TF casts (non-zero → true); C or
    /// Fortran order.
    static func mask(_ path: String) throws(RNNError) -> Tensor<Bool> {
        let url = URL(fileURLWithPath: path)
        let data = try readWhole(url)
        let header = try NPYHeader(parsing: data, source: path)
        if let size = integerSizes[header.descr] {
            // Non-zero does not depend on byte order: an element is true when any of its bytes is. The result is
            // re-encoded as a '|b1' array of the same shape and memory order and decoded by the library, which
            // handles Fortran order.
            var count = 1
            for d in header.shape {
                let (p, overflow) = count.multipliedReportingOverflow(by: d)
                guard !overflow else { throw .file(path: path, reason: "shape \(header.shape) is too large") }
                count = p
            }
            let (byteCount, overflow) = count.multipliedReportingOverflow(by: size)
            let available = data.count - header.dataOffset
            guard !overflow, available == byteCount else {
                throw .file(path: path, reason: "truncated or oversized: shape \(header.shape) of '\(header.descr)' needs \(overflow ? "more" : String(byteCount)) data bytes, the file has \(max(available, 0))")
            }
            let bytes = [UInt8](data[(data.startIndex + header.dataOffset)...])
            var bools = NPYHeader(descr: "|b1", fortranOrder: header.fortranOrder, shape: header.shape).encoded()
            bools.append(contentsOf: (0..<count).map { i -> UInt8 in bytes[(i * size)..<((i + 1) * size)].contains { $0 != 0 } ? 1 : 0 })
            return try Tensor<Bool>(npyData: bools, source: path)
        }
        switch try NPYArray(npyData: data, source: path) {
        case let .bool(t): return t
        case let .float(t): return Tensor<Bool>(t)
        case let .double(t): return Tensor<Bool>(t)
        }
    }

    private static func readWhole(_ url: URL) throws(RNNError) -> Data {
        guard FileManager.default.fileExists(atPath: url.path) else { throw .file(path: url.path, reason: "no such file") }
        do { return try Data(contentsOf: url) } catch {
            throw .file(path: url.path, reason: "cannot be read (\(error.localizedDescription))")
        }
    }
}
