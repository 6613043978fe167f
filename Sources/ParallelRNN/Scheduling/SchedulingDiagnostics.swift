#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// One-time diagnostics of the scheduler, written to stderr.
///
/// Pinning is an optimisation, never a requirement: when hwloc cannot load the topology or the OS refuses a thread
/// binding, ParallelRNN runs unpinned and says so once per process and kind (not once per call).
package enum SchedulingDiagnostic: Int, Sendable, CaseIterable {
    /// hwloc could not load the machine's topology: every plan runs unpinned.
    case topologyUnavailable = 0
    /// The OS refused to bind a thread to a core: that shard (and later ones) run unpinned.
    case bindingRefused = 1
    /// A thread's previous binding could not be restored after a pinned shard.
    case restoreFailed = 2

    private static let emitted = Atomic<Int>(0)

    /// Writes `message` to stderr, prefixed with `ParallelRNN:`, unless a diagnostic of this kind was already written.
    package func emitOnce(_ message: @autoclosure () -> String) {
        let bit = 1 << rawValue
        let previous = Self.emitted.bitwiseOr(bit, ordering: .relaxed).oldValue
        guard previous & bit == 0 else { return }
        let line = "ParallelRNN: \(message())\n"
        var bytes = Array(line.utf8)
        bytes.withUnsafeMutableBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(2, buffer.baseAddress! + offset, buffer.count - offset)
                if written <= 0 { break }
                offset += written
            }
        }
    }

    /// Whether a diagnostic of this kind has been written by this process.
    package var wasEmitted: Bool {
        Self.emitted.load(ordering: .relaxed) & (1 << rawValue) != 0
    }
}
