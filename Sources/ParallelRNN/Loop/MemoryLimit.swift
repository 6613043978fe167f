import Foundation

/// The memory this process may use: the machine's physical memory, or less where a Linux control group limits the
/// process (a container's `--memory`). Foundation's `physicalMemory` reports the host's memory there, and a result
/// sized between the two would be killed by the kernel instead of refused with an error.
package enum MemoryLimit {
    /// Read once per process (a few small files; not something each call's set-up should repeat).
    package static let bytes: UInt64 = current()

    /// The smaller of `physical` and the cgroup limits of this process and its ancestors (v2 `memory.max`, v1
    /// `memory.limit_in_bytes`). `read` returns a file's text, nil when it cannot be read.
    static func current(physical: UInt64 = ProcessInfo.processInfo.physicalMemory,
                        read: (String) -> String? = { try? String(contentsOfFile: $0, encoding: .utf8) }) -> UInt64 {
        guard let table = read("/proc/self/cgroup") else { return physical }
        return min(physical, cgroupLimit(procSelfCgroup: table, read: read) ?? .max)
    }

    /// The tightest memory limit along this process's cgroup paths, nil when none is set or readable.
    /// `/proc/self/cgroup` lines are `id:controllers:path`: v2 is `0::path`, v1 lists `memory` among its controllers.
    static func cgroupLimit(procSelfCgroup: String, read: (String) -> String?) -> UInt64? {
        var limit: UInt64?
        for line in procSelfCgroup.split(separator: "\n") {
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else { continue }
            let controllers = fields[1].split(separator: ",")
            let roots: [String], file: String
            if fields[0] == "0" && fields[1].isEmpty {
                (roots, file) = (["/sys/fs/cgroup", "/sys/fs/cgroup/unified"], "memory.max")
            } else if controllers.contains("memory") {
                (roots, file) = (["/sys/fs/cgroup/memory"], "memory.limit_in_bytes")
            } else {
                continue
            }
            for root in roots {
                for directory in ancestors(of: String(fields[2])) {
                    guard let text = read(root + directory + file),
                          let value = UInt64(text.trimmingCharacters(in: .whitespacesAndNewlines)) else { continue }
                    limit = min(limit ?? .max, value)  // "max" (v2) does not parse: no limit there
                }
            }
        }
        return limit
    }

    /// `/a/b` → `/a/b/`, `/a/`, `/`: a limit on any ancestor applies to the process too.
    static func ancestors(of path: String) -> [String] {
        var parts = path.split(separator: "/").map(String.init)
        var result: [String] = []
        while true {
            result.append("/" + parts.map { $0 + "/" }.joined())
            if parts.isEmpty { return result }
            parts.removeLast()
        }
    }
}
