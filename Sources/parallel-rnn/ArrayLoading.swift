import Foundation
import ParallelRNN

/// Loads `.npy` files for `run`, with the conversions Keras applies.
enum ArrayLoading {
    /// Inputs as float32: `'<f4'` as is, `'<f8'` converted; other dtypes are errors.
    static func floatInputs(_ path: String, argument: String) throws(RNNError) -> Tensor<Float> {
        switch try NPYArray(npy: URL(fileURLWithPath: path)) {
        case let .float(t): return t
        case let .double(t): return try Tensor(shape: t.shape, scalars: t.scalars.map { Float($0) })
        case let .bool(t):
            throw .file(path: path, reason: "\(argument) has dtype '|b1' (bool) of shape \(t.shape); float32 or float64 is needed")
        }
    }

    /// A mask: `'|b1'` as is; floats and little-endian integers cast as TF casts (non-zero → true).
    static func mask(_ path: String) throws(RNNError) -> Tensor<Bool> {
        let url = URL(fileURLWithPath: path)
        let data = try readWhole(url)
        let header = try NPYHeader(parsing: data, source: path)
        let integerSizes: [String: Int] = ["|i1": 1, "|u1": 1, "<i2": 2, "<u2": 2, "<i4": 4, "<u4": 4, "<i8": 8, "<u8": 8]
        if let size = integerSizes[header.descr] {
            guard !header.fortranOrder || header.shape.count < 2 else {
                throw .file(path: path, reason: "mask is stored in Fortran order; save it in C order")
            }
            let count = header.shape.reduce(1, *)
            guard data.count - header.dataOffset == count * size else {
                throw .file(path: path, reason: "truncated or oversized: shape \(header.shape) of '\(header.descr)' needs \(count * size) data bytes, the file has \(data.count - header.dataOffset)")
            }
            let bytes = [UInt8](data[(data.startIndex + header.dataOffset)...])
            var values = [Bool](repeating: false, count: count)
            for i in 0..<count { values[i] = bytes[(i * size)..<((i + 1) * size)].contains { $0 != 0 } }
            return try Tensor(shape: header.shape, scalars: values)
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
