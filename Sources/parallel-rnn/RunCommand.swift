import ArgumentParser
import Foundation
import ParallelRNN

/// `parallel-rnn run`: runs a Keras cell over numpy data and writes the results.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a Keras LSTM/GRU/SimpleRNN cell on .npy inputs and write outputs, last output and states.",
        discussion: """
            --weights is an .npz with kernel (I, gU), recurrent_kernel (U, gU) and optionally bias ((gU) or (2, 3U) \
            for GRU reset_after), plus an optional metadata.json member as written by Scripts/export_keras_weights.py \
            (cell, activations, reset_after, go_backwards, time_major); options given on the command line take \
            precedence.
            Inputs are float32, float64 or float16 (converted to float32, as Keras casts), little- or big-endian, C or \
            Fortran order; a mask may be bool, float or integer \
            (non-zero = valid step). --initial-states is an .npz with state_0 (h) and, for LSTM, state_1 (c).
            --output: a path ending in .npz gets an archive with outputs.npy, last_output.npy, state_0.npy \
            (and state_1.npy for LSTM); any other path is a directory (created) receiving those files.
            """
    )

    @Option(help: "Weights archive (.npz).") var weights: String
    @Option(help: "Cell: lstm, gru or simple (default: the weights' metadata).") var cell: String?
    @Flag(inversion: .prefixedNo, help: "GRU reset_after (default: metadata, else true).") var resetAfter: Bool?
    @Option(help: "Activation: tanh, sigmoid, hard_sigmoid, relu, linear (default: metadata, else tanh).") var activation: String?
    @Option(help: "Recurrent activation for LSTM/GRU (default: metadata, else sigmoid).") var recurrentActivation: String?
    @Option(help: "Inputs (.npy): (B, T, I), or (T, B, I) time-major.") var inputs: String
    @Option(help: "Mask (.npy): (B, T) or (B, T, 1); (T, B…) time-major.") var mask: String?
    @Option(help: "Initial states (.npz with state_0[, state_1]); default zeros.") var initialStates: String?
    @Flag(inversion: .prefixedNo, help: "Process the sequence backwards (default: metadata, else false).") var goBackwards: Bool?
    @Flag(inversion: .prefixedNo, help: "Inputs, mask and outputs are time-major (default: metadata, else false).")
    var timeMajor: Bool?
    @Flag(help: "Masked steps output zeros (Keras zero_output_for_mask).") var zeroOutputForMask = false
    @Option(help: "Shards (Execution.threads(N)); default Execution.automatic.") var threads: Int?
    @Flag(help: "Unpinned shards.") var noPin = false
    @Option(help: "Output: an .npz file, or a directory of .npy files.") var output: String
    @Flag(help: "Deflate the .npz output (numpy.savez_compressed).") var compressed = false

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1 (got \(threads))") }
        if let cell, KerasCellKind(rawValue: cell) == nil {
            throw ValidationError("unknown cell '\(cell)'; choose lstm, gru or simple")
        }
        for (name, value) in [("--activation", activation), ("--recurrent-activation", recurrentActivation)] {
            if let value, Activation(kerasName: value) == nil {
                throw ValidationError("\(name) '\(value)' is not one of tanh, sigmoid, hard_sigmoid, relu, linear")
            }
        }
    }

    func run() throws {
        try reportingErrors {
            let w = try KerasWeights(path: weights)
            let metaCell = try w.metadataCell()
            guard let kind = cell.flatMap(KerasCellKind.init(rawValue:)) ?? metaCell else {
                throw RNNError.invalidArgument(argument: "--cell", reason: "\(weights) has no metadata naming its cell; pass --cell lstm, gru or simple")
            }
            if let metaCell, metaCell != kind {
                throw RNNError.invalidArgument(argument: "--cell", reason: "\(kind.rawValue) given but \(weights) holds \(metaCell.rawValue) weights")
            }
            let act = try activation.flatMap(Activation.init(kerasName:)) ?? w.metadataActivation("activation") ?? .tanh
            let ract = try recurrentActivation.flatMap(Activation.init(kerasName:)) ?? w.metadataActivation("recurrent_activation") ?? .sigmoid
            let backwards = goBackwards ?? (w.metadata["go_backwards"] as? Bool) ?? false
            // A layer exported with time_major=True reads (T, B, I): the metadata counts, as for go_backwards.
            let major = timeMajor ?? (w.metadata["time_major"] as? Bool) ?? false
            let x = try ArrayLoading.floatInputs(inputs, argument: "inputs")
            let m = try mask.map { path throws(RNNError) in try ArrayLoading.mask(path) }
            var states: [Tensor<Float>]? = nil
            if let initialStates {
                let archive = try NPZArchive(path: initialStates)
                let count = kind == .lstm ? 2 : 1
                states = try (0..<count).map { i throws(RNNError) in try floatTensor(archive, "state_\(i)") }
            }
            try checkInputs(x, kernel: w.kernel)
            let execution: Execution = threads.map { .threads($0, pinned: !noPin) } ?? .automatic
            let result: RNNResult<Float>
            switch kind {
            case .lstm:
                let c = try LSTM(kernel: w.kernel, recurrentKernel: w.recurrentKernel, bias: w.bias,
                                 activation: act, recurrentActivation: ract)
                result = try c(x, mask: m, initialStates: states, goBackwards: backwards, timeMajor: major,
                               zeroOutputForMask: zeroOutputForMask, execution: execution)
            case .gru:
                let after = resetAfter ?? (w.metadata["reset_after"] as? Bool) ?? true
                let c = try GRU(kernel: w.kernel, recurrentKernel: w.recurrentKernel, bias: w.bias, resetAfter: after,
                                activation: act, recurrentActivation: ract)
                result = try c(x, mask: m, initialStates: states, goBackwards: backwards, timeMajor: major,
                               zeroOutputForMask: zeroOutputForMask, execution: execution)
            case .simple:
                let c = try SimpleRNN(kernel: w.kernel, recurrentKernel: w.recurrentKernel, bias: w.bias, activation: act)
                result = try c(x, mask: m, initialStates: states, goBackwards: backwards, timeMajor: major,
                               zeroOutputForMask: zeroOutputForMask, execution: execution)
            }
            try write(result)
            Terminal.writeStderr("wrote \(output): outputs \(result.outputs.shape), last_output \(result.lastOutput.shape), states \(result.newStates.map(\.shape))\n")
        }
    }

    /// Inputs must be rank 3 with the kernel's feature size (checked here so the message names the files).
    private func checkInputs(_ x: Tensor<Float>, kernel: Tensor<Float>) throws(RNNError) {
        guard x.rank == 3 else {
            throw .rank(argument: "inputs (\(inputs))", shape: x.shape, minimum: 3)
        }
        guard kernel.rank == 2, x.shape[2] == kernel.shape[0] else {
            throw .weightShape(argument: "inputs (\(inputs))", shape: x.shape,
                               expected: "a last dimension of \(kernel.rank == 2 ? kernel.shape[0] : -1) (the rows of kernel \(kernel.shape) in \(weights))")
        }
    }

    private func write(_ result: RNNResult<Float>) throws(RNNError) {
        var entries: [(String, Tensor<Float>)] = [("outputs", result.outputs), ("last_output", result.lastOutput)]
        for (i, s) in result.newStates.enumerated() { entries.append(("state_\(i)", s)) }
        if output.hasSuffix(".npz") {
            var archive = NPZArchive()
            for (name, t) in entries { try archive.set(t, named: name) }
            try archive.write(path: output, compressed: compressed)
        } else {
            do { try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true) } catch {
                throw .file(path: output, reason: "cannot create the output directory (\(error.localizedDescription))")
            }
            for (name, t) in entries { try t.write(npy: URL(fileURLWithPath: output).appendingPathComponent(name + ".npy")) }
        }
    }
}
