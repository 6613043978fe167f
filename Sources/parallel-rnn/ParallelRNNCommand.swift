import ArgumentParser
import ParallelRNN

@main
struct ParallelRNNCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parallel-rnn",
        abstract: "Keras-exact recurrent loops on all cores: benchmarks and tools.")
}
