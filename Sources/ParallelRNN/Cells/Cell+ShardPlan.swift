// The shards a cell call runs on, for reports (`parallel-rnn bench` prints them beside its timings).

extension LSTM {
    /// The shard plan `callAsFunction` makes for these arguments (which it checks as `callAsFunction` does); `warm`:
    /// when a pool thread is parked (``Engine/shardCap(estimatedSeconds:warm:)``).
    package func shardPlan(_ inputs: Tensor<Float>, mask: Tensor<Bool>?, goBackwards: Bool, timeMajor: Bool,
                           execution: Execution, warm: Bool = false) throws -> ShardPlan {
        try CellRunner.shardPlan(math, cellName: "LSTM", inputs: inputs, mask: mask, goBackwards: goBackwards, timeMajor: timeMajor,
                                 execution: execution, warm: warm)
    }
}

extension GRU {
    /// The shard plan `callAsFunction` makes for these arguments (which it checks as `callAsFunction` does); `warm`:
    /// when a pool thread is parked (``Engine/shardCap(estimatedSeconds:warm:)``).
    package func shardPlan(_ inputs: Tensor<Float>, mask: Tensor<Bool>?, goBackwards: Bool, timeMajor: Bool,
                           execution: Execution, warm: Bool = false) throws -> ShardPlan {
        try CellRunner.shardPlan(math, cellName: "GRU", inputs: inputs, mask: mask, goBackwards: goBackwards, timeMajor: timeMajor,
                                 execution: execution, warm: warm)
    }
}

extension SimpleRNN {
    /// The shard plan `callAsFunction` makes for these arguments (which it checks as `callAsFunction` does); `warm`:
    /// when a pool thread is parked (``Engine/shardCap(estimatedSeconds:warm:)``).
    package func shardPlan(_ inputs: Tensor<Float>, mask: Tensor<Bool>?, goBackwards: Bool, timeMajor: Bool,
                           execution: Execution, warm: Bool = false) throws -> ShardPlan {
        try CellRunner.shardPlan(math, cellName: "SimpleRNN", inputs: inputs, mask: mask, goBackwards: goBackwards, timeMajor: timeMajor,
                                 execution: execution, warm: warm)
    }
}
