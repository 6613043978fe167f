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
            (cell, activations, reset_after, go_backwards, time_major, zero_output_for_mask); those options given on \
            the command line take precedence, while --cell and the metadata's units, input_dim and use_bias must \
            agree with the arrays.
            Inputs are float32, float64 or float16 (converted to float32, as Keras casts), little- or big-endian, C or \
            Fortran order; a mask may be bool, float or integer \
            (non-zero = valid step; float subnormals count as zero, as TF casts on a CPU). \
            --initial-states is an .npz with state_0 (h) and, for LSTM, state_1 (c), and no other state_N.
            --output: a path ending in .npz gets an archive with outputs.npy, last_output.npy, state_0.npy \
            (and state_1.npy for LSTM); any other path is a directory (created) receiving those files as a set \
            (written under temporary names, then renamed: a failure leaves the previous files), where \
            state_N.npy files beyond this run's states (an earlier LSTM run's state_1.npy) are removed. The results \
            may not replace --weights, --inputs or --mask (they may replace --initial-states, which are read first).
            """
    )

    @Option(help: "Weights archive (.npz).") var weights: String
    @Option(help: "Cell: lstm, gru or simple (default: the weights' metadata).") var cell: String?
    @Flag(inversion: .prefixedNo, help: "GRU reset_after (default: metadata, else true).") var resetAfter: Bool?
    @Option(help: "Activation: a Keras name (\(Activation.kerasNames); default: metadata, else tanh).") var activation: String?
    @Option(help: "Recurrent activation for LSTM/GRU (default: metadata, else sigmoid).") var recurrentActivation: String?
    @Option(help: "Inputs (.npy): (B, T, I), or (T, B, I) time-major.") var inputs: String
    @Option(help: "Mask (.npy): (B, T) or (B, T, 1); (T, B…) time-major.") var mask: String?
    @Option(help: "Initial states (.npz with state_0[, state_1]); default zeros.") var initialStates: String?
    @Flag(inversion: .prefixedNo, help: "Process the sequence backwards (default: metadata, else false).") var goBackwards: Bool?
    @Flag(inversion: .prefixedNo, help: "Inputs, mask and outputs are time-major (default: metadata, else false).")
    var timeMajor: Bool?
    @Flag(inversion: .prefixedNo, help: "Masked steps output zeros (Keras zero_output_for_mask; default: metadata, else false).")
    var zeroOutputForMask: Bool?
    @Option(parsing: .unconditional, help: "Shards (Execution.threads(N)); default Execution.automatic.") var threads: Int?
    @Flag(help: "Unpinned shards, with --threads N (Execution.automatic pins them).") var noPin = false
    @Option(help: "Output: an .npz file, or a directory of .npy files.") var output: String
    @Flag(help: "Deflate the .npz output (numpy.savez_compressed).") var compressed = false

    func validate() throws {
        for (name, path) in [("--weights", weights), ("--inputs", inputs), ("--output", output), ("--mask", mask),
                             ("--initial-states", initialStates)] where path?.isEmpty == true {
            throw ValidationError("\(name) must name a file, not be empty")
        }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1 (got \(threads))") }
        if noPin && threads == nil {
            throw ValidationError("--no-pin applies to an explicit thread count (--threads N); Execution.automatic pins its shards")
        }
        if let cell, KerasCellKind(rawValue: cell) == nil {
            throw ValidationError("unknown cell '\(cell)'; choose lstm, gru or simple")
        }
        if compressed && !writesArchive {
            throw ValidationError("--compressed deflates an .npz output, but --output '\(output)' names a directory of .npy files")
        }
        for (name, value) in [("--activation", activation), ("--recurrent-activation", recurrentActivation)] {
            if let value, Activation(kerasName: value) == nil {
                throw ValidationError("\(name) '\(value)' is not one of \(Activation.kerasNames)")
            }
        }
        // The results would replace (or remove, as a stale state_N.npy) a file this run reads: --output w.npz.
        for (name, path) in [("--weights", weights), ("--inputs", inputs), ("--mask", mask)] {
            if let path, resultsReplace(path) {
                throw ValidationError("--output '\(output)' would overwrite \(name) '\(path)'")
            }
        }
    }

    /// Whether writing the results may replace or remove the file at `path` (symbolic links and `..` resolved): the
    /// archive itself, or in the output directory outputs.npy, last_output.npy or any state_N.npy.
    private func resultsReplace(_ path: String) -> Bool {
        func resolved(_ p: String) -> URL { URL(fileURLWithPath: p).standardizedFileURL.resolvingSymlinksInPath() }
        let file = resolved(path)
        if writesArchive { return file.path == resolved(output).path }
        let name = file.lastPathComponent
        let ours = ["outputs.npy", "last_output.npy"].contains(name)
            || (name.hasPrefix("state_") && name.hasSuffix(".npy") && Int(name.dropFirst(6).dropLast(4)) != nil)
        return ours && file.deletingLastPathComponent().path == resolved(output).path
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
            if kind != .gru && resetAfter != nil {
                throw RNNError.invalidArgument(argument: "--reset-after/--no-reset-after", reason: "applies to GRU only, but the cell is \(kind.rawValue)")
            }
            if kind == .simple && recurrentActivation != nil {
                throw RNNError.invalidArgument(argument: "--recurrent-activation", reason: "SimpleRNN has no recurrent activation")
            }
            let act = try activation.flatMap(Activation.init(kerasName:)) ?? w.metadataActivation("activation") ?? .tanh
            let ract = try recurrentActivation.flatMap(Activation.init(kerasName:)) ?? w.metadataActivation("recurrent_activation") ?? .sigmoid
            let backwards = try goBackwards ?? w.metadataBool("go_backwards") ?? false
            // A layer exported with time_major=True reads (T, B, I): the metadata counts, as for go_backwards.
            let major = try timeMajor ?? w.metadataBool("time_major") ?? false
            // A Bidirectional layer's sub-layers have it set (tf_keras forces it to return_sequences).
            let zeroOut = try zeroOutputForMask ?? w.metadataBool("zero_output_for_mask") ?? false
            let x = try ArrayLoading.floatInputs(inputs, argument: "inputs")
            let m = try mask.map { path throws(RNNError) in try ArrayLoading.mask(path) }
            let states = try initialStates.map { path throws(RNNError) in
                let archive = try NPZArchive(path: path)
                let count = kind == .lstm ? 2 : 1
                if let extra = archive.names.first(where: { $0.hasPrefix("state_") && Int($0.dropFirst(6)).map { $0 >= count } ?? false }) {
                    throw RNNError.file(path: path, reason: "holds \(extra), but \(kind.rawValue) takes \(count) state\(count == 1 ? "" : "s") (state_0\(count == 2 ? ", state_1" : "")): the wrong file?")
                }
                return try (0..<count).map { i throws(RNNError) in
                    try floatTensor(archive, "state_\(i)", expected: "a float32, float64 or float16 state")
                }
            }
            let execution: Execution = threads.map { .threads($0, pinned: !noPin) } ?? .automatic
            // The cell first, so that a bad kernel is reported as the weights' error; then the inputs against it.
            // Errors name the file their argument came from: the weights for a cell's init, else inputs, mask or
            // initial states.
            let call: () throws -> RNNResult<Float>
            switch kind {
            case .lstm:
                let c = try fromFile(weights) {
                    try LSTM(kernel: w.kernel, recurrentKernel: w.recurrentKernel, bias: w.bias, activation: act,
                             recurrentActivation: ract)
                }
                call = {
                    try c(x, mask: m, initialStates: states, goBackwards: backwards, timeMajor: major,
                          zeroOutputForMask: zeroOut, execution: execution)
                }
            case .gru:
                let after = try resetAfter ?? w.metadataBool("reset_after") ?? true
                let c = try fromFile(weights) {
                    try GRU(kernel: w.kernel, recurrentKernel: w.recurrentKernel, bias: w.bias, resetAfter: after,
                            activation: act, recurrentActivation: ract)
                }
                call = {
                    try c(x, mask: m, initialStates: states, goBackwards: backwards, timeMajor: major,
                          zeroOutputForMask: zeroOut, execution: execution)
                }
            case .simple:
                let c = try fromFile(weights) {
                    try SimpleRNN(kernel: w.kernel, recurrentKernel: w.recurrentKernel, bias: w.bias, activation: act)
                }
                call = {
                    try c(x, mask: m, initialStates: states, goBackwards: backwards, timeMajor: major,
                          zeroOutputForMask: zeroOut, execution: execution)
                }
            }
            try checkInputs(x, kernel: w.kernel)
            let result = try namingFiles(call)
            try write(result)
            Terminal.writeStderr("wrote \(output): outputs \(result.outputs.shape), last_output \(result.lastOutput.shape), states \(result.newStates.map(\.shape))\n")
        }
    }

    /// `body`'s RNNError as an error of the file `path`.
    private func fromFile<R>(_ path: String, _ body: () throws -> R) throws -> R {
        do { return try body() } catch let error as RNNError { throw RNNError.file(path: path, reason: error.description) }
    }

    /// `body`'s RNNError as an error of the file its argument came from (inputs, mask or initial states), else as is.
    private func namingFiles<R>(_ body: () throws -> R) throws -> R {
        do { return try body() } catch let error as RNNError {
            let argument: String?
            switch error {
            case .maskShape: argument = "mask"
            case let .noTimeSteps(name, _), let .rank(name, _, _), let .batchMismatch(name, _, _),
                 let .timeMismatch(name, _, _), let .weightShape(name, _, _), let .invalidArgument(name, _):
                argument = name
            default: argument = nil
            }
            let path = argument.flatMap { name in
                name.hasPrefix("inputs") ? inputs : name.hasPrefix("mask") ? mask
                    : name.hasPrefix("initialStates") ? initialStates : nil
            }
            guard let path else { throw error }
            // The library's initialStates[j] is the archive's state_j.
            if case let .weightShape(name, shape, expected) = error, name.hasPrefix("initialStates[") {
                let member = "state_" + name.dropFirst("initialStates[".count).replacingOccurrences(of: "]", with: "")
                throw RNNError.file(path: path, reason: RNNError.weightShape(argument: member, shape: shape, expected: expected).description)
            }
            throw RNNError.file(path: path, reason: error.description)
        }
    }

    /// `--output` names an `.npz` archive (any case), else a directory.
    private var writesArchive: Bool { output.lowercased().hasSuffix(".npz") }

    /// Inputs must be rank 3 with the kernel's feature size (checked here so the message names the files; the
    /// cell has already accepted the kernel, so it is [I, gU]).
    private func checkInputs(_ x: Tensor<Float>, kernel: Tensor<Float>) throws(RNNError) {
        guard x.rank == 3 else {
            throw .weightShape(argument: "inputs (\(inputs))", shape: x.shape,
                               expected: "rank 3: (B, T, I), or (T, B, I) time-major")
        }
        guard x.shape[2] == kernel.shape[0] else {
            throw .weightShape(argument: "inputs (\(inputs))", shape: x.shape,
                               expected: "a last dimension of \(kernel.shape[0]) (the rows of kernel \(kernel.shape) in \(weights))")
        }
    }

    private func write(_ result: RNNResult<Float>) throws(RNNError) {
        var entries: [(name: String, tensor: Tensor<Float>)] = [("outputs", result.outputs), ("last_output", result.lastOutput)]
        for (i, s) in result.newStates.enumerated() { entries.append(("state_\(i)", s)) }
        if writesArchive {
            var archive = NPZArchive()
            for (name, t) in entries { try archive.set(t, named: name) }
            try archive.write(path: output, compressed: compressed)
        } else {
            do { try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true) } catch {
                throw .file(path: output, reason: "cannot create the output directory (\(error.localizedDescription))")
            }
            try OutputDirectory(path: output).replace(with: entries, stateCount: result.newStates.count)
        }
    }
}
