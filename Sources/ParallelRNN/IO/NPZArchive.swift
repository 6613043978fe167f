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
        let data = try readFile(url)  // typed errors for a missing or unreadable file
        let directory = try ZipDirectory(data, source: url.path)  // every offset and size checked against the data
        var expanded: UInt64 = 0
        for member in directory.members {
            let fail = { (reason: String) in RNNError.file(path: url.path, reason: "member \(member.name) \(reason)") }
            let tooLarge = fail("expands past the \(memoryLimit >> 20) MiB of memory this process may use (with the members before it)")
            // The size the directory declares first, then what inflating really produces (it may lie).
            guard member.uncompressedSize <= memoryLimit - expanded else { throw tooLarge }
            let range = (data.startIndex + member.bytes.lowerBound)..<(data.startIndex + member.bytes.upperBound)
            var bytes = Data()
            let crc: CRC32
            if member.method == 0 {
                bytes = data.subdata(in: range)
                expanded += UInt64(bytes.count)
                crc = bytes.crc32(checksum: 0)
            } else {
                crc = try Self.inflate(data[range], name: member.name, source: url.path) { chunk throws(RNNError) in
                    // Never past the declared size (checked against the limit above): a bomb stops at once.
                    guard UInt64(bytes.count) + UInt64(chunk.count) <= member.uncompressedSize else {
                        throw fail("inflates past its declared \(member.uncompressedSize) bytes: the archive is corrupt")
                    }
                    expanded += UInt64(chunk.count)
                    guard expanded <= memoryLimit else { throw tooLarge }
                    bytes.append(chunk)
                }
            }
            guard UInt64(bytes.count) == member.uncompressedSize else {
                throw fail("declares \(member.uncompressedSize) bytes but holds \(bytes.count): the archive is corrupt")
            }
            guard crc == member.crc32 else {
                throw fail("fails its CRC-32 check (stored \(hex(member.crc32)), computed \(hex(crc))): the archive is corrupt")
            }
            members[member.name] = bytes
        }
    }

    /// Inflates the raw deflate stream `compressed`, handing each piece to `consume`; returns its CRC-32.
    private static func inflate(_ compressed: Data, name: String, source: String,
                                consume: (Data) throws(RNNError) -> Void) throws(RNNError) -> CRC32 {
        struct PastTheEnd: Error {}
        let chunk = 1 << 16
        do {
            return try Data.decompress(size: Int64(compressed.count), bufferSize: chunk, skipCRC32: false, provider: { position, size in
                // ZIPFoundation's zlib loop hands inflate `bufferSize` bytes whatever a piece's length, and asks for
                // more until the stream ends: pieces are zero-padded to that size, and none lies past the member.
                let start = compressed.startIndex + Int(position)
                guard position >= 0, start < compressed.endIndex else { throw PastTheEnd() }
                var piece = compressed.subdata(in: start..<min(compressed.endIndex, start + size))
                if piece.count < size { piece.append(Data(count: size - piece.count)) }
                return piece
            }, consumer: { try consume($0) })
        } catch let error as RNNError {
            throw error
        } catch is PastTheEnd {
            throw .file(path: source, reason: "member \(name)'s deflate stream does not end within its \(compressed.count) bytes: the archive is truncated or corrupt")
        } catch {
            throw .file(path: source, reason: "member \(name) cannot be inflated (\(error)): the archive is corrupt")
        }
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
