import Foundation
import ParallelRNN

/// The Keras cell kinds `run` can execute.
enum KerasCellKind: String, CaseIterable, Sendable {
    case lstm, gru, simple
}

/// A weights archive written by `Scripts/export_keras_weights.py` (or by hand with numpy): arrays `kernel`,
/// `recurrent_kernel`, optional `bias`, and an optional `metadata.json` member with the layer's configuration
/// (`cell`, `units`, `activation`, `recurrent_activation`, `use_bias`, `reset_after`, `go_backwards`, …).
struct KerasWeights {
    var kernel: Tensor<Float>
    var recurrentKernel: Tensor<Float>
    var bias: Tensor<Float>?
    var metadata: [String: Any]
    let path: String

    init(path: String) throws(RNNError) {
        self.path = path
        let archive = try NPZArchive(path: path)
        kernel = try floatTensor(archive, "kernel")
        recurrentKernel = try floatTensor(archive, "recurrent_kernel")
        bias = archive.contains("bias") ? try floatTensor(archive, "bias") : nil
        metadata = [:]
        if let json = archive.members["metadata.json"] {
            guard let object = try? JSONSerialization.jsonObject(with: json) as? [String: Any] else {
                throw .file(path: path, reason: "metadata.json is not a JSON object")
            }
            metadata = object
        }
        switch try metadataBool("use_bias") {
        case true? where bias == nil:
            throw .file(path: path, reason: "metadata says use_bias but the archive has no 'bias' array")
        case false? where bias != nil:
            throw .file(path: path, reason: "metadata says use_bias false but the archive has a 'bias' array of shape \(bias!.shape)")
        default: break
        }
        // The sizes the metadata states must be the arrays' (a mismatch means the wrong file or a hand edit).
        for (key, array, axis, what) in [("units", recurrentKernel, 0, "recurrent_kernel rows"),
                                         ("input_dim", kernel, 0, "kernel rows")] {
            guard let value = metadata[key], !(value is NSNull) else { continue }
            guard !isJSONBoolean(value), let n = value as? Int else {
                throw .file(path: path, reason: "metadata \(key) is \(describe(value)) but must be a whole number within Int")
            }
            if array.rank == 2 && array.shape[axis] != n {
                throw .file(path: path, reason: "metadata says \(key) \(n) but the \(what) are \(array.shape[axis]) (shape \(array.shape))")
            }
        }
    }

    /// A boolean of the metadata (`go_backwards`, `time_major`, `reset_after`, `use_bias`), nil when absent or null;
    /// any other JSON value is an error rather than silently absent.
    func metadataBool(_ key: String) throws(RNNError) -> Bool? {
        guard let value = metadata[key], !(value is NSNull) else { return nil }
        // JSON true/false only: Foundation also reads the numbers 0 and 1 as booleans.
        guard isJSONBoolean(value), let flag = value as? Bool else {
            throw .file(path: path, reason: "metadata \(key) is \(describe(value)) but must be true or false")
        }
        return flag
    }

    /// The cell named in the metadata, if any.
    func metadataCell() throws(RNNError) -> KerasCellKind? {
        guard let name = try metadataString("cell") else { return nil }
        guard let kind = KerasCellKind(rawValue: name) else {
            throw .file(path: path, reason: "metadata names cell '\(name)'; expected lstm, gru or simple")
        }
        return kind
    }

    /// A metadata value as JSON shows it (strings quoted).
    private func describe(_ value: Any) -> String {
        if value is String { return "\"\(value)\"" }
        if isJSONBoolean(value) { return (value as? Bool) == true ? "true" : "false" }
        return "\(value)"
    }

    /// JSON true/false, which Foundation hands over as NSNumbers of ObjC type "c" (`as? Int` and `is Bool` accept
    /// both them and the numbers 0 and 1).
    private func isJSONBoolean(_ value: Any) -> Bool {
        (value as? NSNumber).map { String(cString: $0.objCType) == "c" } ?? false
    }

    /// A string of the metadata, nil when absent or null; any other JSON value is an error.
    private func metadataString(_ key: String) throws(RNNError) -> String? {
        guard let value = metadata[key], !(value is NSNull) else { return nil }
        guard let text = value as? String else {
            throw .file(path: path, reason: "metadata \(key) is \(describe(value)) but must be a string")
        }
        return text
    }

    /// A Keras activation from the metadata (`key`), or `fallback`.
    func metadataActivation(_ key: String) throws(RNNError) -> Activation? {
        guard let name = try metadataString(key) else { return nil }
        guard let activation = Activation(kerasName: name) else {
            throw .file(path: path, reason: "metadata \(key) '\(name)' is not one of \(Activation.kerasNames)")
        }
        return activation
    }
}

extension Activation {
    /// Keras's name of each activation, and other spellings `init(kerasName:)` also accepts.
    private static let names: [(name: String, activation: Activation)] = [
        ("tanh", .tanh), ("sigmoid", .sigmoid), ("hard_sigmoid", .hardSigmoid), ("relu", .relu), ("linear", .linear),
        ("softsign", .softsign), ("softplus", .softplus), ("elu", .elu), ("selu", .selu),
        ("exponential", .exponential), ("swish", .swish), ("gelu", .gelu), ("mish", .mish), ("relu6", .relu6),
        ("leaky_relu", .leakyRelu),
    ]
    private static let aliases: [(name: String, activation: Activation)] = [
        ("hardSigmoid", .hardSigmoid), ("None", .linear), ("silu", .swish),
    ]

    /// The Keras names ``init(kerasName:)`` accepts (aliases aside), for help texts and error messages.
    static let kerasNames = names.map(\.name).joined(separator: ", ")

    /// Keras's name of this activation (`hard_sigmoid`, …).
    var kerasName: String { Self.names.first { $0.activation == self }!.name }

    /// The activation of a Keras name (`hard_sigmoid`, …) or alias.
    init?(kerasName: String) {
        guard let entry = (Self.names + Self.aliases).first(where: { $0.name == kerasName }) else { return nil }
        self = entry.activation
    }
}

/// An array of an archive as float32; float64 is converted (as Keras casts inputs to the layer's float32).
/// `expected` says what the array is, for the error a bool array gets.
func floatTensor(_ archive: NPZArchive, _ name: String, expected: String = "float32 weights") throws(RNNError) -> Tensor<Float> {
    switch try archive.array(name) {
    case let .float(t): return t
    case let .double(t): return try Tensor(shape: t.shape, scalars: t.scalars.map { Float($0) })
    case let .bool(t):
        throw .file(path: "\(archive.source)[\(name)]", reason: "dtype '|b1' (bool) of shape \(t.shape) where \(expected) is expected")
    }
}
