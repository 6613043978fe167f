#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import ParallelRNN

/// A directory of `.npy` results, replaced as a set: every new file is first written under a temporary name, and only
/// when all are written, and every destination can be replaced, are they renamed into place. A failure leaves the
/// previous run's files as they were (and no temporary file behind).
struct OutputDirectory {
    let path: String

    /// Writes `name.npy` for each entry, then removes `state_N.npy` for N ≥ `stateCount` (an earlier LSTM run's
    /// `state_1.npy` where a GRU or SimpleRNN now writes one state).
    func replace(with entries: [(name: String, tensor: Tensor<Float>)], stateCount: Int) throws(RNNError) {
        let directory = URL(fileURLWithPath: path)
        let token = UUID().uuidString
        var staged: [(temporary: String, final: String)] = []
        func discard() { for file in staged { unlink(file.temporary) } }
        for (name, tensor) in entries {
            let final = directory.appendingPathComponent(name + ".npy").path
            let temporary = directory.appendingPathComponent(".\(name).npy.\(token).tmp").path
            do { try tensor.write(npy: temporary) } catch { discard(); throw error }
            staged.append((temporary, final))
        }
        // rename(2) cannot replace a directory: refuse before anything moves.
        for file in staged {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: file.final, isDirectory: &isDirectory), isDirectory.boolValue {
                discard()
                throw .file(path: file.final, reason: "is a directory, so the results were not written (\(path) is unchanged)")
            }
        }
        for file in staged where rename(file.temporary, file.final) != 0 {
            let reason = String(cString: strerror(errno))
            discard()
            throw .file(path: file.final, reason: "cannot be replaced (\(reason))")
        }
        var extra = stateCount
        while true {
            let stale = directory.appendingPathComponent("state_\(extra).npy").path
            guard FileManager.default.fileExists(atPath: stale) else { break }
            do { try FileManager.default.removeItem(atPath: stale) } catch {
                throw .file(path: stale, reason: "a previous run's result that cannot be removed (\(error.localizedDescription))")
            }
            extra += 1
        }
    }
}
