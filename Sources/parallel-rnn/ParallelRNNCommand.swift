import ArgumentParser
import ParallelRNN

/// `parallel-rnn`: throughput benchmark and command-line front end of ParallelRNN.
@main
struct ParallelRNNCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parallel-rnn",
        abstract: "Batch-parallel Keras-exact RNN loops: benchmark, FMA peak, topology, and running Keras cells on .npy data.",
        discussion: """
            Without a subcommand, runs `bench` with its defaults (workload w1, automatic execution).
            Build with -c release for meaningful numbers: `swift run -c release parallel-rnn bench --workload w5`.
            """,
        subcommands: [BenchCommand.self, PeakCommand.self, TopologyCommand.self, RunCommand.self],
        defaultSubcommand: BenchCommand.self
    )
}

/// Runs `body`, turning an ``RNNError`` into a one-line `error:` message on stderr and exit code 1.
func reportingErrors<R>(_ body: () throws -> R) throws -> R {
    do {
        return try body()
    } catch let error as RNNError {
        Terminal.error(error.description)
        throw ExitCode.failure
    }
}
