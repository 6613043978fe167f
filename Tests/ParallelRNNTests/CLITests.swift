import Foundation
import Testing
import ParallelRNN

/// Runs the built `parallel-rnn` executable (next to the test bundle in the products directory) as a subprocess.
@Suite struct CLITests {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The products directory: the resource bundle of this test target lives there.
    static var executableURL: URL? {
        var dir = Bundle.module.bundleURL.deletingLastPathComponent()
        for _ in 0..<3 {
            let candidate = dir.appendingPathComponent("parallel-rnn")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }

    /// `stdoutPath`: a file to connect stdout to instead of a captured one (e.g. /dev/full).
    static func run(_ arguments: [String], environment: [String: String] = [:], stdoutPath: String? = nil) throws -> Result {
        let executable = try #require(executableURL, "parallel-rnn is not built next to the tests (run `swift build` first)")
        let tmp = FileManager.default.temporaryDirectory
        let id = UUID().uuidString
        let outURL = tmp.appendingPathComponent("prnn-cli-\(id).out"), errURL = tmp.appendingPathComponent("prnn-cli-\(id).err")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
        }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = try FileHandle(forWritingTo: stdoutPath.map(URL.init(fileURLWithPath:)) ?? outURL)
        let err = try FileHandle(forWritingTo: errURL)
        process.standardOutput = out
        process.standardError = err
        try process.run()
        process.waitUntilExit()
        try out.close(); try err.close()
        return Result(status: process.terminationStatus,
                      stdout: try String(contentsOf: outURL, encoding: .utf8),
                      stderr: try String(contentsOf: errURL, encoding: .utf8))
    }

    static func temporaryPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("prnn-cli-\(UUID().uuidString)-\(name)").path
    }

    /// No crash report, no stack trace.
    static func expectNoTrace(_ r: Result) {
        for marker in ["Fatal error", "Precondition failed", "crashed", "Backtrac", "Stack dump"] {
            #expect(!r.stderr.contains(marker), "stderr has '\(marker)': \(r.stderr)")
        }
    }

    @Test func helpListsSubcommands() throws {
        let r = try Self.run(["--help"])
        #expect(r.status == 0)
        for word in ["bench", "peak", "topology", "run"] { #expect(r.stdout.contains(word)) }
    }

    @Test func badWorkloadIsAValidationError() throws {
        let r = try Self.run(["bench", "--workload", "w9"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("unknown workload 'w9'"))
        #expect(r.stdout.isEmpty)
        Self.expectNoTrace(r)
    }

    /// Each command and a part of the message it must print.
    static let badArguments: [([String], String)] = [
        (["bench", "--threads", "0"], "0 threads is invalid"),
        (["bench", "--threads", "1,-2"], "-2 threads is invalid"),
        (["bench", "--threads", "-2"], "-2 threads is invalid"),
        (["bench", "--batch", "-3"], "--batch must be at least 1 (got -3)"),
        (["bench", "--warmup", "-1"], "--warmup must be 0 or more (got -1)"),
        (["bench", "--max-seconds", "-inf"], "--max-seconds must be positive (got -inf)"),
        (["bench", "--seed", "-1"], "'-1' is invalid for '--seed"),
        (["run", "--weights", "w.npz", "--inputs", "x.npy", "--output", "o.npz", "--threads", "0"],
         "--threads must be at least 1 (got 0)"),
        (["run", "--weights", "w.npz", "--inputs", "x.npy", "--output", "o.npz", "--threads", "-1"],
         "--threads must be at least 1 (got -1)"),
        (["run", "--weights", "w.npz", "--inputs", "x.npy", "--output", "o.npz", "--no-pin"],
         "--no-pin applies to an explicit thread count"),
        (["topology", "--batch", "-1"], "--batch must be 0 or more (got -1)"),
        (["topology", "--no-pin"], "--no-pin applies to explicit thread counts"),
        (["topology", "--batch", "9223372036854775807", "--threads", "9223372036854775807"],
         "plans 9223372036854775807 shards; topology shows plans of at most 1048576"),
        // B·T·I overflows Int; B·T·U needs far more than any machine's memory; --no-pin with automatic.
        (["bench", "--batch", "4294967296", "--time", "4294967296", "--threads", "1"], "overflow"),
        (["bench", "--batch", "1000000", "--time", "1000000", "--threads", "1"], "MiB"),
        (["bench", "--no-pin"], "--no-pin applies to explicit thread counts"),
        (["run", "--weights", "w.npz", "--inputs", "x.npy", "--output", "dir", "--compressed"],
         "--compressed deflates an .npz output"),
        // Results that would replace a file the run reads.
        (["run", "--weights", "w.npz", "--inputs", "x.npy", "--output", "./sub/../w.npz"], "would overwrite --weights 'w.npz'"),
        (["run", "--weights", "w.npz", "--inputs", "d/outputs.npy", "--output", "d"], "would overwrite --inputs"),
        (["run", "--weights", "w.npz", "--inputs", "x.npy", "--mask", "d/state_1.npy", "--output", "d/"], "would overwrite --mask"),
        (["run", "--weights", "d/x/../state_7.npy", "--inputs", "x.npy", "--output", "./d"], "would overwrite --weights"),
        (["bench", "--workload", "w1", "--no-reset-after"], "--reset-after/--no-reset-after applies to GRU only, but the cell is lstm"),
        // Cell-specific options are refused on other cells even when they name the default.
        (["bench", "--workload", "w1", "--reset-after"], "--reset-after/--no-reset-after applies to GRU only"),
        (["bench", "--cell", "simple", "--recurrent-activation", "sigmoid"], "--recurrent-activation applies to LSTM and GRU"),
        (["bench", "--workload", "w4", "--activation", "tanh"], "--activation applies to LSTM, GRU and SimpleRNN"),
        // Empty paths.
        (["run", "--weights", "", "--inputs", "x.npy", "--output", "o.npz"], "--weights must name a file, not be empty"),
        (["run", "--weights", "w.npz", "--inputs", "x.npy", "--output", ""], "--output must name a file, not be empty"),
        (["run", "--weights", "w.npz", "--inputs", "x.npy", "--mask", "", "--output", "o.npz"], "--mask must name a file"),
    ]

    @Test(arguments: badArguments)
    func badNumbersAreValidationErrors(arguments: [String], message: String) throws {
        let r = try Self.run(arguments)
        #expect(r.status != 0)
        #expect(r.stderr.hasPrefix("Error: "))
        #expect(r.stderr.contains(message), "\(arguments): \(r.stderr)")
        Self.expectNoTrace(r)
    }

    @Test func nonexistentFileIsOneLineError() throws {
        let r = try Self.run(["run", "--weights", "/nonexistent/w.npz", "--inputs", "/nonexistent/x.npy",
                              "--output", Self.temporaryPath("o.npz")])
        #expect(r.status == 1)
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(lines.first?.hasPrefix("error: /nonexistent/w.npz") == true)
        Self.expectNoTrace(r)
    }

    @Test func benchJSONHasTheRequiredKeys() throws {
        let cache = Self.temporaryPath("peak.json")
        defer { try? FileManager.default.removeItem(atPath: cache) }
        let r = try Self.run(["bench", "--workload", "w4", "--reps", "1", "--warmup", "0", "--time", "20", "--json",
                              "--threads", "1,2"], environment: ["PARALLEL_RNN_PEAK_CACHE": cache])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        for (line, threads) in zip(lines, [1, 2]) {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            for key in ["workload", "threads", "median_ms", "min_ms", "max_ms", "gflops", "peak_fraction", "isa", "pinned"] {
                #expect(object[key] != nil, "missing \(key) in \(line)")
            }
            #expect(object["workload"] as? String == "w4")
            #expect(object["threads"] as? Int == threads)
            #expect(object["time"] as? Int == 20 && object["batch"] as? Int == 32 && object["units"] as? Int == 32)
            let median = try #require(object["median_ms"] as? Double)
            #expect(median > 0)
            #expect((object["gflops"] as? Double ?? 0) > 0)
        }
        #expect(FileManager.default.fileExists(atPath: cache), "the measured peak is cached")
    }

    /// `bench` reports the library's own plan for back-to-back calls: a tiny automatic cell call runs as one unpinned
    /// shard; a small one (estimated 40–200 µs) on every core when a pool thread is parked, as it is between the timed
    /// calls, and says so; a large one on every allowed core (rows permitting).
    @Test func benchReportsTheLibrarysPlan() throws {
        let cache = Self.temporaryPath("peak-plan.json")
        defer { try? FileManager.default.removeItem(atPath: cache) }
        let cores = try Topology.shared().coreCount
        for (batch, time, shards) in [(4, 1, 1), (8, 1, min(cores, 8)), (8, 100, min(cores, 8))] {
            let r = try Self.run(["bench", "--workload", "w1", "--batch", "\(batch)", "--time", "\(time)", "--reps", "1",
                                  "--warmup", "0", "--json"], environment: ["PARALLEL_RNN_PEAK_CACHE": cache])
            #expect(r.status == 0, "\(r.stderr)")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
            #expect(object["shards"] as? Int == shards && object["pinned"] as? Bool == (shards > 1), "B \(batch) T \(time): \(r.stdout)")
            #expect(r.stderr.contains("while a pool thread is parked") == (batch == 8 && time == 1 && cores > 1), "\(r.stderr)")
        }
    }

    /// `--max-seconds` bounds the warm-ups as well as the timed runs (each at least once), and says where it cut.
    @Test func benchMaxSecondsBoundsWarmupsAndRuns() throws {
        let cache = Self.temporaryPath("peak-max.json")
        defer { try? FileManager.default.removeItem(atPath: cache) }
        let r = try Self.run(["bench", "--workload", "w4", "--time", "20", "--threads", "1", "--warmup", "1000",
                              "--reps", "1000", "--max-seconds", "1e-9", "--json"],
                             environment: ["PARALLEL_RNN_PEAK_CACHE": cache])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("warmed up 1 of 1000 times (--max-seconds 1e-09)"), "\(r.stderr)")
        #expect(r.stderr.contains("stopped after 1 of 1000 runs (--max-seconds 1e-09)"), "\(r.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(object["reps"] as? Int == 1 && object["warmup"] as? Int == 1, "\(r.stdout)")
    }

    /// `--time-major` feeds the same data as `[T, B, I]` (and a masked preset's mask as `[T, B]`): it runs, says so,
    /// and is not reported as a modified preset.
    @Test(arguments: ["w3", "w4"]) func benchTimeMajor(workload: String) throws {
        let cache = Self.temporaryPath("peak-tm.json")
        defer { try? FileManager.default.removeItem(atPath: cache) }
        let env = ["PARALLEL_RNN_PEAK_CACHE": cache]
        let json = try Self.run(["bench", "--workload", workload, "--reps", "1", "--warmup", "0", "--threads", "2",
                                 "--time-major", "--json"], environment: env)
        #expect(json.status == 0, "\(json.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["time_major"] as? Bool == true)
        #expect(object["modified"] as? Bool == false, "\(json.stdout)")
        let table = try Self.run(["bench", "--workload", workload, "--reps", "1", "--warmup", "0", "--threads", "1",
                                  "--time-major"], environment: env)
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.contains("time-major input"), "\(table.stdout)")
        Self.expectNoTrace(table)
    }

    /// `--activation` / `--recurrent-activation` take Keras names, modify the preset, and show in the table and the
    /// JSON; names Keras does not have, and activations a cell does not have, are refused with the accepted names.
    @Test func benchActivations() throws {
        let cache = Self.temporaryPath("peak-act.json")
        defer { try? FileManager.default.removeItem(atPath: cache) }
        let env = ["PARALLEL_RNN_PEAK_CACHE": cache]
        let small = ["--batch", "4", "--time", "3", "--input", "5", "--units", "6", "--reps", "1", "--warmup", "0",
                     "--threads", "1"]
        let json = try Self.run(["bench", "--workload", "w2"] + small + ["--activation", "gelu", "--recurrent-activation",
                                 "hard_sigmoid", "--json"], environment: env)
        #expect(json.status == 0, "\(json.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["activation"] as? String == "gelu" && object["recurrent_activation"] as? String == "hard_sigmoid")
        #expect(object["modified"] as? Bool == true)
        let table = try Self.run(["bench", "--cell", "simple"] + small + ["--activation", "softplus"], environment: env)
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.contains("SimpleRNN B4 T3 I5 U6, no mask, softplus"), "\(table.stdout)")
        let plain = try Self.run(["bench", "--workload", "w1"] + small + ["--json"], environment: env)
        let defaults = try #require(try JSONSerialization.jsonObject(with: Data(plain.stdout.utf8)) as? [String: Any])
        #expect(defaults["activation"] as? String == "tanh" && defaults["recurrent_activation"] as? String == "sigmoid")
        for (args, says) in [(["--activation", "softmax"], "--activation 'softmax' is not one of tanh, sigmoid"),
                             (["--cell", "simple", "--recurrent-activation", "relu"], "--recurrent-activation applies to LSTM and GRU"),
                             (["--workload", "w4", "--activation", "relu"], "--activation applies to LSTM, GRU and SimpleRNN")] {
            let r = try Self.run(["bench"] + small + args, environment: env)
            #expect(r.status != 0 && r.stderr.contains(says), "\(args): \(r.stderr)")
            Self.expectNoTrace(r)
        }
    }

    @Test func topologyPrintsTheShardPlan() throws {
        let r = try Self.run(["topology", "--batch", "10", "--threads", "3"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("3 shards"))
        #expect(r.stdout.contains("rows 0..<4"))
    }

    /// `.automatic` splits fused cells (calls that are not small) down to 1 row per shard and generic steps to 4: with
    /// more than one allowed core, B = 6 gives different plans, and `topology` shows both.
    @Test func topologyShowsTheFusedCellsPlan() throws {
        let cores = try Topology.shared().coreCount
        let r = try Self.run(["topology", "--batch", "6"])
        #expect(r.status == 0, "\(r.stderr)")
        if cores > 1 {
            #expect(r.stdout.contains("threads auto (generic steps): 1 shard, unpinned"), "\(r.stdout)")
            #expect(r.stdout.contains("threads auto (fused cells): \(min(cores, 6)) shards, pinned"), "\(r.stdout)")
        } else {
            #expect(r.stdout.contains("threads auto: 1 shard, unpinned"), "\(r.stdout)")
        }
    }

    /// Errors raised by the cell name the file their argument came from; malformed metadata is an error, not absent.
    @Test func runErrorsNameTheirFiles() throws {
        let dir = Self.temporaryPath("names")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var weights = NPZArchive()  // LSTM, I = 1, U = 1
        try weights.set(Tensor<Float>(shape: [1, 4], scalars: [0.5, -0.25, 0.1, 0.2]), named: "kernel")
        try weights.set(Tensor<Float>(shape: [1, 4], scalars: [0.1, 0.2, -0.3, 0.4]), named: "recurrent_kernel")
        try weights.write(path: dir + "/w.npz")
        var typo = weights
        typo.setMember(Data(#"{"cell": "lstm", "go_backwards": "true"}"#.utf8), path: "metadata.json")
        try typo.write(path: dir + "/typo.npz")
        var numeric = weights  // JSON 1, which Foundation also reads as a boolean
        numeric.setMember(Data(#"{"cell": "lstm", "go_backwards": 1}"#.utf8), path: "metadata.json")
        try numeric.write(path: dir + "/numeric.npz")
        try Tensor<Float>(zeros: [2, 0, 1]).write(npy: dir + "/x0.npy")
        try Tensor<Float>(zeros: [2, 3, 1]).write(npy: dir + "/x.npy")
        try Tensor<Bool>(repeating: true, shape: [2, 4]).write(npy: dir + "/m.npy")
        try Tensor<Float>(zeros: [2, 3, 1, 1]).write(npy: dir + "/x4.npy")
        var flat = NPZArchive()  // a kernel of rank 1
        try flat.set(Tensor<Float>(zeros: [4]), named: "kernel")
        try flat.set(Tensor<Float>(zeros: [1, 4]), named: "recurrent_kernel")
        try flat.write(path: dir + "/flat.npz")
        var sized = weights
        sized.setMember(Data(#"{"cell": "lstm", "units": 5}"#.utf8), path: "metadata.json")
        try sized.write(path: dir + "/sized.npz")
        var flagged = weights
        flagged.setMember(Data(#"{"cell": "lstm", "units": true}"#.utf8), path: "metadata.json")
        try flagged.write(path: dir + "/flagged.npz")
        var boolState = NPZArchive()
        try boolState.set(Tensor<Bool>(repeating: true, shape: [2, 1]), named: "state_0")
        try boolState.write(path: dir + "/s.npz")
        var wideC = NPZArchive()  // LSTM states with c one unit too wide
        try wideC.set(Tensor<Float>(zeros: [2, 1]), named: "state_0")
        try wideC.set(Tensor<Float>(zeros: [2, 2]), named: "state_1")
        try wideC.write(path: dir + "/wide.npz")
        let short = Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0])  // the magic and version, nothing more
        try short.write(to: URL(fileURLWithPath: dir + "/short.npy"))
        let cases: [([String], String)] = [
            (["--weights", dir + "/w.npz", "--cell", "lstm", "--inputs", dir + "/x4.npy"],
             "error: inputs (\(dir)/x4.npy) has shape [2, 3, 1, 1] but rank 3"),
            (["--weights", dir + "/flat.npz", "--cell", "lstm", "--inputs", dir + "/x.npy"], "error: \(dir)/flat.npz: LSTM kernel has shape [4]"),
            (["--weights", dir + "/sized.npz", "--inputs", dir + "/x.npy"],
             "error: \(dir)/sized.npz: metadata says units 5 but the recurrent_kernel rows are 1"),
            (["--weights", dir + "/flagged.npz", "--inputs", dir + "/x.npy"],
             "error: \(dir)/flagged.npz: metadata units is true but must be a whole number within Int"),
            (["--weights", dir + "/w.npz", "--cell", "lstm", "--inputs", dir + "/x.npy", "--mask", dir],
             "error: \(dir): is a directory, not a file"),
            (["--weights", dir + "/w.npz", "--cell", "simple", "--inputs", dir + "/x.npy", "--initial-states", dir + "/s.npz"],
             "error: \(dir)/s.npz[state_0]: dtype '|b1' (bool) of shape [2, 1] where a float32, float64 or float16 state is expected"),
            (["--weights", dir + "/w.npz", "--cell", "lstm", "--inputs", dir + "/x.npy", "--initial-states", dir + "/wide.npz"],
             "error: \(dir)/wide.npz: state_1 (c) has shape [2, 2] but [2, 1] (B, U) was expected"),
            (["--weights", dir + "/w.npz", "--cell", "lstm", "--inputs", dir + "/short.npy"],
             "error: \(dir)/short.npy: truncated .npy header: 8 bytes"),
            (["--weights", dir + "/w.npz", "--cell", "lstm", "--inputs", dir + "/x0.npy"], "error: \(dir)/x0.npy: inputs has shape [2, 0, 1]"),
            (["--weights", dir + "/w.npz", "--cell", "lstm", "--inputs", dir + "/x.npy", "--mask", dir + "/m.npy"],
             "error: \(dir)/m.npy: mask has shape [2, 4]"),
            (["--weights", dir + "/w.npz", "--cell", "gru", "--inputs", dir + "/x.npy"], "error: \(dir)/w.npz: GRU kernel has shape [1, 4]"),
            (["--weights", dir + "/typo.npz", "--inputs", dir + "/x.npy"], "error: \(dir)/typo.npz: metadata go_backwards is \"true\""),
            (["--weights", dir + "/numeric.npz", "--inputs", dir + "/x.npy"],
             "error: \(dir)/numeric.npz: metadata go_backwards is 1 but must be true or false"),
            (["--weights", dir + "/w.npz", "--cell", "lstm", "--no-reset-after", "--inputs", dir + "/x.npy"],
             "error: --reset-after/--no-reset-after: applies to GRU only"),
        ]
        for (arguments, prefix) in cases {
            let r = try Self.run(["run"] + arguments + ["--output", dir + "/o.npz"])
            #expect(r.status == 1)
            #expect(r.stderr.hasPrefix(prefix), "\(r.stderr)")
            Self.expectNoTrace(r)
        }
    }

    /// A directory output holds exactly this run's results: an earlier LSTM run's state_1 goes.
    @Test func runDirectoryOutputDropsStaleStates() throws {
        let dir = Self.temporaryPath("stale")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var lstm = NPZArchive(), gru = NPZArchive()  // I = 1, U = 1
        try lstm.set(Tensor<Float>(shape: [1, 4], scalars: [0.5, -0.25, 0.1, 0.2]), named: "kernel")
        try lstm.set(Tensor<Float>(shape: [1, 4], scalars: [0.1, 0.2, -0.3, 0.4]), named: "recurrent_kernel")
        // Sizes that agree with the arrays (JSON 1, which Foundation also reads as a boolean).
        lstm.setMember(Data(#"{"cell": "lstm", "units": 1, "input_dim": 1}"#.utf8), path: "metadata.json")
        try lstm.write(path: dir + "/lstm.npz")
        try gru.set(Tensor<Float>(shape: [1, 3], scalars: [0.5, -0.25, 0.1]), named: "kernel")
        try gru.set(Tensor<Float>(shape: [1, 3], scalars: [0.1, 0.2, -0.3]), named: "recurrent_kernel")
        try gru.write(path: dir + "/gru.npz")
        try Tensor<Float>(zeros: [2, 3, 1]).write(npy: dir + "/x.npy")
        let out = dir + "/out"
        for cell in ["lstm", "gru"] {
            let r = try Self.run(["run", "--weights", dir + "/\(cell).npz", "--cell", cell, "--inputs", dir + "/x.npy",
                                  "--output", out])
            #expect(r.status == 0, "\(r.stderr)")
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        #expect(files == ["last_output.npy", "outputs.npy", "state_0.npy"])
    }

    /// A directory output is replaced as a set: when one result cannot be written, none is, and nothing is left over.
    @Test func runDirectoryOutputIsReplacedAsASet() throws {
        let dir = Self.temporaryPath("set")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var lstm = NPZArchive()  // I = 1, U = 1
        try lstm.set(Tensor<Float>(shape: [1, 4], scalars: [0.5, -0.25, 0.1, 0.2]), named: "kernel")
        try lstm.set(Tensor<Float>(shape: [1, 4], scalars: [0.1, 0.2, -0.3, 0.4]), named: "recurrent_kernel")
        try lstm.write(path: dir + "/lstm.npz")
        try Tensor<Float>(zeros: [2, 3, 1]).write(npy: dir + "/x.npy")
        try Tensor<Float>(repeating: 1, shape: [2, 3, 1]).write(npy: dir + "/x1.npy")
        let out = dir + "/out"
        func run(_ inputs: String) throws -> Result {
            try Self.run(["run", "--weights", dir + "/lstm.npz", "--cell", "lstm", "--inputs", dir + "/" + inputs,
                          "--output", out])
        }
        #expect(try run("x.npy").status == 0)
        let before = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        #expect(before == ["last_output.npy", "outputs.npy", "state_0.npy", "state_1.npy"])
        func contents() throws -> [Data] { try before.map { try Data(contentsOf: URL(fileURLWithPath: out + "/" + $0)) } }
        let old = try contents()
        // state_0.npy cannot be replaced: the second run fails and leaves every earlier result as it was.
        try FileManager.default.removeItem(atPath: out + "/state_0.npy")
        try FileManager.default.createDirectory(atPath: out + "/state_0.npy", withIntermediateDirectories: false)
        let failed = try run("x1.npy")
        #expect(failed.status == 1)
        #expect(failed.stderr.hasPrefix("error: \(out)/state_0.npy: is a directory, so the results were not written"),
                "\(failed.stderr)")
        Self.expectNoTrace(failed)
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).sorted() == before, "no temporary file left")
        for (i, name) in before.enumerated() where name != "state_0.npy" {
            #expect(try Data(contentsOf: URL(fileURLWithPath: out + "/" + name)) == old[i], "\(name) unchanged")
        }
        try FileManager.default.removeItem(atPath: out + "/state_0.npy")
        #expect(try run("x1.npy").status == 0)
        #expect(try contents()[1] != old[1], "outputs.npy replaced once the run can succeed")
    }

    /// stdout that cannot be written (a full disk) is one error line and status 1, not a crash.
    @Test func unwritableStdoutIsAnError() throws {
        guard FileManager.default.fileExists(atPath: "/dev/full") else { return }
        let r = try Self.run(["topology"], stdoutPath: "/dev/full")
        #expect(r.status == 1)
        #expect(r.stderr.hasPrefix("error: standard output cannot be written"), "\(r.stderr)")
        Self.expectNoTrace(r)
    }

    /// `peak --json`: snake_case keys like `bench --json`; an unreadable cache is replaced with a note, and a cached
    /// peak that is not a positive number is measured again.
    @Test func peakJSONAndItsCache() throws {
        let cache = Self.temporaryPath("peak-cache.json")
        defer { try? FileManager.default.removeItem(atPath: cache) }
        try Data("not json".utf8).write(to: URL(fileURLWithPath: cache))
        let env = ["PARALLEL_RNN_PEAK_CACHE": cache]
        let first = try Self.run(["peak", "--json"], environment: env)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("note: replacing \(cache), which is not a peak cache"), "\(first.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["all_cores_gflops", "build", "cache", "cached", "cores", "cpu_model", "isa",
                                     "measured_at", "per_core_gflops", "pinned"])
        #expect(object["cached"] as? Bool == false && object["cache"] as? String == cache)
        #expect((object["per_core_gflops"] as? Double ?? 0) > 0)
        let second = try Self.run(["peak", "--json"], environment: env)
        let again = try #require(try JSONSerialization.jsonObject(with: Data(second.stdout.utf8)) as? [String: Any])
        #expect(again["cached"] as? Bool == true)
        // A hand-edited zero peak is not used.
        let text = try String(contentsOfFile: cache, encoding: .utf8)
        let zeroed = text.replacingOccurrences(of: #""perCoreGFLOPS" : [0-9.e+-]+"#, with: #""perCoreGFLOPS" : 0"#,
                                               options: .regularExpression)
        #expect(zeroed != text)
        try zeroed.write(toFile: cache, atomically: true, encoding: .utf8)
        let third = try Self.run(["peak", "--json"], environment: env)
        let measured = try #require(try JSONSerialization.jsonObject(with: Data(third.stdout.utf8)) as? [String: Any])
        #expect(measured["cached"] as? Bool == false)
        #expect((measured["per_core_gflops"] as? Double ?? 0) > 0)
    }

    /// A plan of many shards is listed by its first and last shards; `.threads(n)` plans min(n, B) shards.
    @Test func topologyAbridgesLargePlans() throws {
        let capped = try Self.run(["topology", "--batch", "64", "--threads", "9223372036854775807"])
        #expect(capped.status == 0, "\(capped.stderr)")
        #expect(capped.stdout.contains("64 shards, pinned"), "\(capped.stdout)")
        let r = try Self.run(["topology", "--batch", "100000", "--threads", "50000"])
        #expect(r.status == 0, "\(r.stderr)")
        let shardLines = r.stdout.split(separator: "\n").filter { $0.hasPrefix("  shard ") }
        #expect(shardLines.count == 32)
        #expect(r.stdout.contains("… 49968 more shards …"))
        #expect(r.stdout.contains("  shard 49999: rows 99998..<100000 (2 rows)"))
    }

    /// zero_output_for_mask from the weights' metadata (tf_keras's Bidirectional sets it on the sub-layers that
    /// Scripts/export_keras_weights.py exports), overridden by the flags; an initial-states archive with more states
    /// than the cell takes is an error.
    @Test func runReadsZeroOutputForMaskFromMetadata() throws {
        let dir = Self.temporaryPath("zero")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var plain = NPZArchive()
        try plain.set(Tensor(shape: [1, 2], scalars: [0.5, -0.25]), named: "kernel")
        try plain.set(Tensor(shape: [2, 2], scalars: [0.1, 0.2, -0.3, 0.4]), named: "recurrent_kernel")
        try plain.write(path: dir + "/w.npz")
        var zeroing = plain
        zeroing.setMember(Data(#"{"cell": "simple", "zero_output_for_mask": true}"#.utf8), path: "metadata.json")
        try zeroing.write(path: dir + "/wz.npz")
        try Tensor(shape: [2, 3, 1], scalars: [1, -2, 0.5, 0.25, 3, -1]).write(npy: dir + "/x.npy")
        try Tensor<Bool>(shape: [2, 3], scalars: [true, false, true, true, true, false]).write(npy: dir + "/m.npy")
        func outputs(_ weights: String, _ extra: [String], _ name: String) throws -> [Float] {
            let r = try Self.run(["run", "--weights", dir + "/" + weights, "--cell", "simple", "--inputs", dir + "/x.npy",
                                  "--mask", dir + "/m.npy", "--output", dir + "/" + name] + extra)
            #expect(r.status == 0, "\(r.stderr)")
            return try NPZArchive(path: dir + "/" + name).tensor("outputs", as: Float.self).scalars
        }
        let carried = try outputs("w.npz", [], "a.npz"), zeroed = try outputs("w.npz", ["--zero-output-for-mask"], "b.npz")
        #expect(carried != zeroed)
        #expect(Array(zeroed[2..<4]) == [0, 0] && Array(zeroed[10..<12]) == [0, 0], "\(zeroed)")  // masked steps
        #expect(try outputs("wz.npz", [], "c.npz") == zeroed)
        #expect(try outputs("wz.npz", ["--no-zero-output-for-mask"], "d.npz") == carried)

        var states = NPZArchive()
        try states.set(Tensor<Float>(zeros: [2, 2]), named: "state_0")
        try states.set(Tensor<Float>(zeros: [2, 2]), named: "state_1")
        try states.write(path: dir + "/s.npz")
        let r = try Self.run(["run", "--weights", dir + "/w.npz", "--cell", "simple", "--inputs", dir + "/x.npy",
                              "--initial-states", dir + "/s.npz", "--output", dir + "/e.npz"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("\(dir)/s.npz: holds state_1, but simple takes 1 state (state_0)"), "\(r.stderr)")
        Self.expectNoTrace(r)
    }

    /// SimpleRNN, U = 2, I = 1: h' = tanh(x·K + h·R + b), checked against a direct evaluation.
    @Test func runWritesKerasResults() throws {
        let dir = Self.temporaryPath("run")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let k: [Float] = [0.5, -0.25], r: [Float] = [0.1, 0.2, -0.3, 0.4], b: [Float] = [0.05, -0.05]
        var weights = NPZArchive()
        try weights.set(Tensor(shape: [1, 2], scalars: k), named: "kernel")
        try weights.set(Tensor(shape: [2, 2], scalars: r), named: "recurrent_kernel")
        try weights.set(Tensor(shape: [2], scalars: b), named: "bias")
        try weights.write(path: dir + "/w.npz")
        let xs: [Float] = [1, -2, 0.5, 0.25, 3, -1]  // B 2, T 3, I 1
        try Tensor(shape: [2, 3, 1], scalars: xs).write(npy: dir + "/x.npy")
        let result = try Self.run(["run", "--weights", dir + "/w.npz", "--cell", "simple", "--inputs", dir + "/x.npy",
                                   "--threads", "2", "--output", dir + "/out.npz"])
        #expect(result.status == 0, "\(result.stderr)")
        let out = try NPZArchive(path: dir + "/out.npz")
        #expect(out.names == ["last_output", "outputs", "state_0"])
        let outputs = try out.tensor("outputs", as: Float.self)
        #expect(outputs.shape == [2, 3, 2])
        var expected: [Float] = []
        for row in 0..<2 {
            var h: [Float] = [0, 0]
            for t in 0..<3 {
                let x = xs[row * 3 + t]
                h = (0..<2).map { j in Foundation.tanh(x * k[j] + h[0] * r[j] + h[1] * r[2 + j] + b[j]) }
                expected += h
            }
        }
        for (got, want) in zip(outputs.scalars, expected) { #expect(abs(got - want) < 1e-5) }
        #expect(try out.tensor("state_0", as: Float.self).scalars == Array(outputs.scalars[4..<6] + outputs.scalars[10..<12]))

        // time_major from the weights' metadata (as Scripts/export_keras_weights.py writes it): the same inputs
        // transposed to (T, B, I) give the transposed outputs; --no-time-major overrides the metadata.
        var majorWeights = try NPZArchive(path: dir + "/w.npz")
        majorWeights.setMember(Data(#"{"cell": "simple", "time_major": true}"#.utf8), path: "metadata.json")
        try majorWeights.write(path: dir + "/wt.npz")
        var xt: [Float] = []  // x[b, t] at [t, b]
        for t in 0..<3 { for row in 0..<2 { xt.append(xs[row * 3 + t]) } }
        try Tensor(shape: [3, 2, 1], scalars: xt).write(npy: dir + "/xt.npy")
        let major = try Self.run(["run", "--weights", dir + "/wt.npz", "--inputs", dir + "/xt.npy",
                                  "--output", dir + "/major.npz"])
        #expect(major.status == 0, "\(major.stderr)")
        let majorOut = try NPZArchive(path: dir + "/major.npz").tensor("outputs", as: Float.self)
        #expect(majorOut.shape == [3, 2, 2])
        var transposed: [Float] = []  // outputs[b, t, :] at [t, b, :]
        for t in 0..<3 {
            for row in 0..<2 {
                let start: Int = (row * 3 + t) * 2
                transposed += outputs.scalars[start..<(start + 2)]
            }
        }
        #expect(majorOut.scalars == transposed)
        let overridden = try Self.run(["run", "--weights", dir + "/wt.npz", "--inputs", dir + "/x.npy",
                                       "--no-time-major", "--output", dir + "/batch.npz"])
        #expect(overridden.status == 0, "\(overridden.stderr)")
        #expect(try NPZArchive(path: dir + "/batch.npz").tensor("outputs", as: Float.self).scalars == outputs.scalars)

        // Inputs whose feature size does not fit the kernel: a one-line error naming the file, exit 1.
        try Tensor<Float>(zeros: [2, 3, 4]).write(npy: dir + "/x4.npy")
        let bad = try Self.run(["run", "--weights", dir + "/w.npz", "--cell", "simple", "--inputs", dir + "/x4.npy",
                                "--output", dir + "/bad.npz"])
        #expect(bad.status == 1)
        #expect(bad.stderr.hasPrefix("error: inputs (\(dir)/x4.npy)"))
        Self.expectNoTrace(bad)
    }

    /// Inputs and masks as numpy also writes them: Fortran order, big-endian, float16, big-endian integers. Each
    /// run must give the outputs of the plain little-endian C-order files.
    @Test func runReadsFortranBigEndianAndHalfFiles() throws {
        let dir = Self.temporaryPath("orders")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var weights = NPZArchive()
        try weights.set(Tensor<Float>(shape: [1, 2], scalars: [0.5, -0.25]), named: "kernel")
        try weights.set(Tensor<Float>(shape: [2, 2], scalars: [0.1, 0.2, -0.3, 0.4]), named: "recurrent_kernel")
        try weights.set(Tensor<Float>(shape: [2], scalars: [0.05, -0.05]), named: "bias")
        try weights.write(path: dir + "/w.npz")
        // x[b, t, 0] (B 2, T 3, I 1), and x in column-major order: element (b, t) at b + 2t.
        let xs: [Float] = [1, -2, 0.5, 0.25, 3, -1]
        let xsF: [Float] = [1, 0.25, -2, 3, 0.5, -1]
        let mask: [Bool] = [true, true, false, true, false, true]
        let maskF: [Bool] = [true, true, true, false, false, true]
        try Tensor(shape: [2, 3, 1], scalars: xs).write(npy: dir + "/x.npy")
        try Tensor(shape: [2, 3], scalars: mask).write(npy: dir + "/m.npy")
        func write(_ name: String, _ descr: String, fortran: Bool, shape: [Int], _ payload: [UInt8]) throws {
            try (NPYHeader(descr: descr, fortranOrder: fortran, shape: shape).encoded() + Data(payload))
                .write(to: URL(fileURLWithPath: dir + "/" + name))
        }
        func bigEndian<T: FixedWidthInteger>(_ words: [T]) -> [UInt8] {
            words.flatMap { w in (0..<(T.bitWidth / 8)).reversed().map { UInt8(truncatingIfNeeded: w >> (8 * $0)) } }
        }
        try write("xf.npy", ">f4", fortran: true, shape: [2, 3, 1], bigEndian(xsF.map(\.bitPattern)))
        // float16 bits of 1, -2, 0.5, 0.25, 3, -1, little-endian, C order.
        let halves: [UInt16] = [0x3C00, 0xC000, 0x3800, 0x3400, 0x4200, 0xBC00]
        try write("xh.npy", "<f2", fortran: false, shape: [2, 3, 1], halves.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
        // Non-zero only in a high byte: true whatever the byte order.
        try write("mi.npy", ">i4", fortran: true, shape: [2, 3], bigEndian(maskF.map { $0 ? Int32(0x100) : 0 }))
        try write("mu.npy", ">u2", fortran: false, shape: [2, 3], bigEndian(mask.map { $0 ? UInt16(1) : 0 }))
        try write("md.npy", ">f8", fortran: true, shape: [2, 3], bigEndian(maskF.map { ($0 ? -0.5 : 0.0).bitPattern }))

        func outputs(_ inputs: String, _ mask: String) throws -> Tensor<Float> {
            let out = dir + "/o-\(inputs)-\(mask).npz"
            let r = try Self.run(["run", "--weights", dir + "/w.npz", "--cell", "simple", "--inputs", dir + "/" + inputs,
                                  "--mask", dir + "/" + mask, "--output", out])
            #expect(r.status == 0, "\(inputs) \(mask): \(r.stderr)")
            Self.expectNoTrace(r)
            return try NPZArchive(path: out).tensor("outputs", as: Float.self)
        }
        let reference = try outputs("x.npy", "m.npy")
        #expect(reference.shape == [2, 3, 2])
        for (inputs, mask) in [("xf.npy", "m.npy"), ("xh.npy", "m.npy"), ("x.npy", "mi.npy"), ("x.npy", "mu.npy"),
                               ("xf.npy", "md.npy")] {
            #expect(try outputs(inputs, mask).isBitwiseIdentical(to: reference), "\(inputs) \(mask)")
        }

        // A truncated Fortran-order integer mask is a one-line error naming the file.
        try write("mt.npy", ">i4", fortran: true, shape: [2, 3], [UInt8](repeating: 1, count: 23))
        let bad = try Self.run(["run", "--weights", dir + "/w.npz", "--cell", "simple", "--inputs", dir + "/x.npy",
                                "--mask", dir + "/mt.npy", "--output", dir + "/bad.npz"])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("mt.npy") && bad.stderr.contains("needs 24 data bytes, the file has 23"))
        Self.expectNoTrace(bad)
    }
}
