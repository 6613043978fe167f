import CHwloc

/// Everything `parallel-rnn topology` prints about the machine, as a plain value (no hwloc pointers).
///
/// "Allowed" means what this process may use: hwloc's allowed cpuset (cgroup cpusets) ∩ the process's affinity
/// (`taskset`, `sched_setaffinity`).
package struct TopologySummary: Sendable, Equatable, CustomStringConvertible {
    /// One cache level: the size of one instance and how many instances the machine has.
    package struct Cache: Sendable, Equatable {
        package var bytes: UInt64
        package var count: Int
    }

    /// The hwloc library version the process runs with, e.g. "2.9.0".
    package var hwlocVersion: String
    /// Physical packages (sockets).
    package var packages: Int
    /// Physical cores in the machine.
    package var cores: Int
    /// Cores with at least one allowed processing unit (= ``Topology/coreCount``).
    package var allowedCores: Int
    /// Processing units (hardware threads) in the machine.
    package var processingUnits: Int
    /// Allowed processing units.
    package var allowedProcessingUnits: Int
    /// OS indices of the allowed processing units, ascending.
    package var allowedCPUs: [Int]
    /// OS index of the processing unit the scheduler binds to, per allowed core (core `i` → `coreCPUs[i]`).
    package var coreCPUs: [Int]
    /// L1 data (or unified) cache, L2, L3; nil when hwloc reports none.
    package var l1d: Cache?
    package var l2: Cache?
    package var l3: Cache?
    /// NUMA nodes and their total local memory in bytes (0 when unknown).
    package var numaNodes: Int
    package var memoryBytes: UInt64

    package init(hwlocVersion: String, packages: Int, cores: Int, allowedCores: Int, processingUnits: Int,
                 allowedProcessingUnits: Int, allowedCPUs: [Int], coreCPUs: [Int], l1d: Cache?, l2: Cache?,
                 l3: Cache?, numaNodes: Int, memoryBytes: UInt64) {
        self.hwlocVersion = hwlocVersion
        self.packages = packages
        self.cores = cores
        self.allowedCores = allowedCores
        self.processingUnits = processingUnits
        self.allowedProcessingUnits = allowedProcessingUnits
        self.allowedCPUs = allowedCPUs
        self.coreCPUs = coreCPUs
        self.l1d = l1d
        self.l2 = l2
        self.l3 = l3
        self.numaNodes = numaNodes
        self.memoryBytes = memoryBytes
    }

    /// Reads the summary from a loaded topology.
    init(_ handle: hwloc_topology_t, allowed: hwloc_bitmap_t, cores chosen: [Core]) {
        func count(_ type: hwloc_obj_type_t) -> Int { max(0, Int(hwloc_get_nbobjs_by_type(handle, type))) }
        func cache(_ type: hwloc_obj_type_t) -> Cache? {
            let n = count(type)
            guard n > 0, let first = hwloc_get_obj_by_type(handle, type, 0) else { return nil }
            return Cache(bytes: UInt64(prnn_hwloc_cache_size(first)), count: n)
        }
        let version = hwloc_get_api_version()
        var memory: UInt64 = 0
        var node = hwloc_get_next_obj_by_type(handle, HWLOC_OBJ_NUMANODE, nil)
        while let current = node {
            memory += UInt64(prnn_hwloc_numa_memory(current))
            node = hwloc_get_next_obj_by_type(handle, HWLOC_OBJ_NUMANODE, current)
        }
        let allowedCPUs = Topology.osIndices(of: allowed)
        self.init(
            hwlocVersion: "\(version >> 16).\((version >> 8) & 0xff).\(version & 0xff)",
            packages: count(HWLOC_OBJ_PACKAGE),
            cores: count(HWLOC_OBJ_CORE),
            allowedCores: chosen.count,
            processingUnits: count(HWLOC_OBJ_PU),
            allowedProcessingUnits: allowedCPUs.count,
            allowedCPUs: allowedCPUs,
            coreCPUs: chosen.map(\.osIndex),
            l1d: cache(HWLOC_OBJ_L1CACHE),
            l2: cache(HWLOC_OBJ_L2CACHE),
            l3: cache(HWLOC_OBJ_L3CACHE),
            numaNodes: count(HWLOC_OBJ_NUMANODE),
            memoryBytes: memory
        )
    }

    /// Multi-line, human-readable: one `label: value` line per fact.
    package var description: String {
        func cacheLine(_ name: String, _ cache: Cache?) -> String {
            guard let cache else { return "\(name): unknown" }
            return "\(name): \(Self.bytes(cache.bytes)) × \(cache.count)"
        }
        return [
            "hwloc: \(hwlocVersion)",
            "packages: \(packages)",
            "cores: \(cores) (allowed: \(allowedCores))",
            "processing units: \(processingUnits) (allowed: \(allowedProcessingUnits): \(Self.list(allowedCPUs)))",
            "pinning: core i → PU \(coreCPUs.map(String.init).joined(separator: ", "))",
            cacheLine("L1d", l1d),
            cacheLine("L2", l2),
            cacheLine("L3", l3),
            "NUMA nodes: \(numaNodes) (\(Self.bytes(memoryBytes)))",
        ].joined(separator: "\n")
    }

    /// "0-3,6" style list of OS indices.
    static func list(_ indices: [Int]) -> String {
        var parts: [String] = []
        var i = 0
        while i < indices.count {
            var j = i
            while j + 1 < indices.count, indices[j + 1] == indices[j] + 1 { j += 1 }
            parts.append(j > i ? "\(indices[i])-\(indices[j])" : "\(indices[i])")
            i = j + 1
        }
        return parts.joined(separator: ",")
    }

    /// Bytes with a binary unit: "48 KiB", "1 MiB", "23.4 GiB".
    static func bytes(_ value: UInt64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var scaled = Double(value)
        var unit = 0
        while scaled >= 1024, unit < units.count - 1 {
            scaled /= 1024
            unit += 1
        }
        let rounded = (scaled * 10).rounded() / 10
        return rounded == rounded.rounded() ? "\(Int(rounded)) \(units[unit])" : "\(rounded) \(units[unit])"
    }
}
