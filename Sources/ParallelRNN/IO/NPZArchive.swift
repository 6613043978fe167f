import Foundation
import ZIPFoundation

/// A numpy `.npz` archive: a zip file of `.npy` members (as `numpy.savez` / `savez_compressed` write them).
///
/// Arrays are addressed by name without the `.npy` suffix (`"kernel"` for the member `kernel.npy`). Members that
/// are not `.npy` files (e.g. a `metadata.json`) are kept as raw bytes under their full name. Stored and
/// deflate-compressed members are both read; arrays are decoded when asked for, so an unsupported dtype only
/// fails for the array that has it.
public struct NPZArchive: Sendable {
    /// Member name (as stored in the zip) → raw bytes.
    public private(set) var members: [String: Data] = [:]
    /// Where the archive was read from (for error messages).
    public let source: String

    /// An empty archive, to fill with `set(_:named:)` (a tensor or an `NPYArray`) and ``write(to:compressed:)``.
    public init() { source = "npz archive" }

    /// Reads every member of the `.npz` file at `url`. Every member's CRC-32 is checked, and the archive must list
    /// as many readable members as its end record announces: a damaged file is an error, never a partial archive.
    /// The members together may not expand past the memory this process may use (a zip bomb is an error too).
    public init(contentsOf url: URL) throws(RNNError) {
        try self.init(contentsOf: url, memoryLimit: MemoryLimit.bytes)
    }

    /// `memoryLimit`: the most bytes the members may expand to, together.
    init(contentsOf url: URL, memoryLimit: UInt64) throws(RNNError) {
        source = url.path
        let data = try readFile(url)  // typed errors for a missing or unreadable file; the end record's count
        let announced = Self.announcedEntryCount(data)
        // Read through the file, not `Archive(data:)`: ZIPFoundation's in-memory reader traps on offsets past the
        // end of the data (0.9.20), its file reader fails cleanly.
        let archive: Archive
        do { archive = try Archive(url: url, accessMode: .read) } catch {
            throw .file(path: url.path, reason: "not a readable .npz archive: truncated, or not a zip file (\(error))")
        }
        var listed = 0
        var expanded: UInt64 = 0
        let tooLarge = { (member: String) in RNNError.file(path: url.path, reason: "member \(member) expands past the \(memoryLimit >> 20) MiB of memory this process may use (with the members before it)") }
        for entry in archive {
            listed += 1
            guard entry.type == .file else { continue }
            // The size the directory declares first, then what extraction really produces (it may lie).
            guard entry.uncompressedSize <= memoryLimit - expanded else { throw tooLarge(entry.path) }
            var bytes = Data()
            let crc: CRC32
            do {
                crc = try archive.extract(entry, skipCRC32: false) {
                    expanded += UInt64($0.count)
                    guard expanded <= memoryLimit else { throw tooLarge(entry.path) }
                    bytes.append($0)
                }
            } catch let error as RNNError {
                throw error
            } catch {
                throw .file(path: url.path, reason: "member \(entry.path) cannot be extracted (\(error)); the archive may be truncated or corrupt")
            }
            guard crc == entry.checksum else {
                throw .file(path: url.path, reason: "member \(entry.path) fails its CRC-32 check (stored \(hex(entry.checksum)), computed \(hex(crc))): the archive is corrupt")
            }
            members[entry.path] = bytes
        }
        // ZIPFoundation stops listing at the first central-directory record it cannot parse.
        if let announced, listed != announced {
            throw .file(path: url.path, reason: "the zip directory announces \(announced) members but \(listed) could be read: the archive is corrupt")
        }
    }

    /// The member count of the end-of-central-directory record (the last one in the file), or nil when there is
    /// none or it defers to a zip64 record (0xFFFF).
    private static func announcedEntryCount(_ data: Data) -> Int? {
        let bytes = [UInt8](data.suffix(22 + 0xFFFF))  // the record (22 bytes) plus the longest comment
        guard bytes.count >= 22 else { return nil }
        for i in stride(from: bytes.count - 22, through: 0, by: -1)
        where bytes[i] == 0x50 && bytes[i + 1] == 0x4B && bytes[i + 2] == 0x05 && bytes[i + 3] == 0x06 {
            let total = Int(bytes[i + 10]) | Int(bytes[i + 11]) << 8
            return total == 0xFFFF ? nil : total
        }
        return nil
    }

    /// Reads the `.npz` file at `path`.
    public init(path: String) throws(RNNError) {
        try self.init(contentsOf: URL(fileURLWithPath: path))
    }

    /// Names of the `.npy` members without the suffix, sorted.
    public var names: [String] {
        members.keys.filter { $0.hasSuffix(".npy") }.map { String($0.dropLast(4)) }.sorted()
    }

    /// Whether an array `name` is present.
    public func contains(_ name: String) -> Bool { members[name + ".npy"] != nil }

    /// The array `name` decoded whatever its supported dtype.
    public func array(_ name: String) throws(RNNError) -> NPYArray {
        try NPYArray(npyData: try memberData(name), source: "\(source)[\(name)]")
    }

    /// The array `name` as a `Tensor<Scalar>`; its dtype must match `Scalar` (see ``Tensor/init(npyData:source:)``).
    public func tensor<Scalar: TensorScalar>(_ name: String, as type: Scalar.Type = Scalar.self) throws(RNNError) -> Tensor<Scalar> {
        try Tensor<Scalar>(npyData: try memberData(name), source: "\(source)[\(name)]")
    }

    private func memberData(_ name: String) throws(RNNError) -> Data {
        guard let data = members[name + ".npy"] else {
            throw .file(path: source, reason: "no array named '\(name)' (arrays: \(names.joined(separator: ", ")))")
        }
        return data
    }

    /// Adds or replaces the array `name` (stored as member `name.npy`).
    public mutating func set<Scalar: TensorScalar>(_ tensor: Tensor<Scalar>, named name: String) throws(RNNError) {
        members[name + ".npy"] = try tensor.npyData()
    }

    /// Adds or replaces the array `name`.
    public mutating func set(_ array: NPYArray, named name: String) {
        members[name + ".npy"] = array.npyData()
    }

    /// Adds or replaces a raw member (any file name, e.g. `metadata.json`).
    public mutating func setMember(_ data: Data, path: String) {
        members[path] = data
    }

    /// The archive as zip bytes, members in sorted order; `compressed` deflates them (`numpy.savez_compressed`).
    public func archiveData(compressed: Bool = false) throws(RNNError) -> Data {
        do {
            let archive = try Archive(data: Data(), accessMode: .create)
            for path in members.keys.sorted() {
                let bytes = members[path]!
                try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(bytes.count),
                                     compressionMethod: compressed ? .deflate : .none) { position, size in
                    bytes.subdata(in: Int(position) ..< Int(position) + size)
                }
            }
            guard let data = archive.data else { throw RNNError.file(path: source, reason: "zip encoder produced no data") }
            return data
        } catch let error as RNNError {
            throw error
        } catch {
            throw .file(path: source, reason: "cannot be encoded as zip (\(error))")
        }
    }

    /// Writes the archive as a `.npz` file (atomically).
    public func write(to url: URL, compressed: Bool = false) throws(RNNError) {
        try writeFile(try archiveData(compressed: compressed), to: url)
    }

    /// Writes the archive as a `.npz` file at `path`.
    public func write(path: String, compressed: Bool = false) throws(RNNError) {
        try write(to: URL(fileURLWithPath: path), compressed: compressed)
    }
}

private func hex(_ v: UInt32) -> String { "0x" + String(v, radix: 16, uppercase: false) }
