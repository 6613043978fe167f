import _ParallelRNNKernels

/// 64-byte aligned memory from the kernels' allocator (`prnn_alloc_buffer`): buffers above 128 KiB are kept for reuse
/// after release (from 4 MiB on huge pages), so repeated calls with the same shapes touch no fresh pages; smaller ones
/// are kept in a short per-thread list, so a step function's per-step tensors skip malloc. Running out of memory
/// traps, as Swift's own allocation does.
@usableFromInline
enum RawBuffer {
    @usableFromInline
    static func allocate(bytes: Int) -> UnsafeMutableRawPointer {
        guard let p = prnn_alloc_buffer(max(bytes, 1)) else { fatalError("ParallelRNN: out of memory allocating \(bytes) bytes") }
        return p
    }

    /// `bytes` must be the size it was allocated with.
    @usableFromInline
    static func deallocate(_ p: UnsafeMutableRawPointer, bytes: Int) { prnn_free_buffer(p, max(bytes, 1)) }
}

/// Returns to the system the buffers above 128 KiB ParallelRNN keeps for reuse (results, shard workspaces and packed
/// weights that were released; at most 16 buffers, 256 MiB), and the small ones the calling thread keeps (at most 8
/// tensors of up to 128 KiB, 512 KiB; each thread's are freed when it exits). Safe at any time and from any thread;
/// later calls allocate afresh.
public func releaseCachedBuffers() { prnn_release_cached_buffers() }
