import Foundation
import Testing
@testable import ParallelRNN

/// `MemoryLimit` over made-up `/proc/self/cgroup` tables and limit files (the layouts of cgroup v1 and v2).
@Suite struct MemoryLimitTests {
    static let gib: UInt64 = 1 << 30

    /// A `read` over a dictionary of file texts.
    static func files(_ texts: [String: String]) -> (String) -> String? { { texts[$0] } }

    @Test("cgroup v2: the tightest memory.max along the path counts; \"max\" means no limit")
    func version2() {
        let table = "0::/user.slice/app.scope\n"
        let read = Self.files([
            "/proc/self/cgroup": table,
            "/sys/fs/cgroup/user.slice/app.scope/memory.max": "max\n",
            "/sys/fs/cgroup/user.slice/memory.max": "\(3 * Self.gib)\n",
            "/sys/fs/cgroup/memory.max": "\(5 * Self.gib)\n",
        ])
        #expect(MemoryLimit.cgroupLimit(procSelfCgroup: table, read: read) == 3 * Self.gib)
        #expect(MemoryLimit.current(physical: 16 * Self.gib, read: read) == 3 * Self.gib)
        #expect(MemoryLimit.current(physical: 2 * Self.gib, read: read) == 2 * Self.gib)
    }

    @Test("cgroup v1: the memory controller's memory.limit_in_bytes; other controllers and unlimited values ignored")
    func version1() {
        let table = "12:pids:/docker/abc\n4:cpu,memory:/docker/abc\n1:name=systemd:/docker/abc\n"
        let read = Self.files([
            "/sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes": "\(Self.gib)",
            "/sys/fs/cgroup/memory/memory.limit_in_bytes": "9223372036854771712",
            "/sys/fs/cgroup/pids/docker/abc/memory.limit_in_bytes": "1",
        ])
        #expect(MemoryLimit.cgroupLimit(procSelfCgroup: table, read: read) == Self.gib)
    }

    @Test("no limit files, an unreadable table or a root cgroup without a limit: the physical memory")
    func noLimit() {
        #expect(MemoryLimit.cgroupLimit(procSelfCgroup: "0::/\n", read: Self.files([:])) == nil)
        #expect(MemoryLimit.current(physical: 7, read: Self.files([:])) == 7)
        let rootOnly = Self.files(["/proc/self/cgroup": "0::/\n", "/sys/fs/cgroup/memory.max": "max"])
        #expect(MemoryLimit.current(physical: 7 * Self.gib, read: rootOnly) == 7 * Self.gib)
        #expect(MemoryLimit.ancestors(of: "/a/b") == ["/a/b/", "/a/", "/"])
        #expect(MemoryLimit.ancestors(of: "/") == ["/"])
    }

    @Test("the process's own limit is at most the physical memory and not zero")
    func thisProcess() {
        #expect(MemoryLimit.bytes > 0)
        #expect(MemoryLimit.bytes <= ProcessInfo.processInfo.physicalMemory)
    }
}
