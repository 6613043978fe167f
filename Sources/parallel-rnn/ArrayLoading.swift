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
            throw .file(path: path, reason: "\(argument) has dtype '|b1' (bool) of shape \(t.shape); float32, float64 or float16 is needed")
        }
    }

    /// A mask: bool as is; floats and integers (either byte order) cast as TF casts (non-zero → true); C or
    /// Fortran order.
    static func mask(_ path: String) throws(RNNError) -> Tensor<Bool> {
        let data = try readFile(URL(fileURLWithPath: path))
        if let integers = try Tensor<Bool>.npyIntegerMask(data, source: path) { return integers }
        switch try NPYArray(npyData: data, source: path) {
        case let .bool(t): return t
        case let .float(t): return Tensor<Bool>(t)
        case let .double(t): return Tensor<Bool>(t)
        }
    }
}
