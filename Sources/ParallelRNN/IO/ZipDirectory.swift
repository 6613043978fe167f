import Foundation

/// The members of a zip file held in memory, read from its central directory (zip64 included) with every count, size
/// and offset checked against the data before it is used: a hostile or damaged file is a typed error, never a trap, a
/// hang or a read past the end. (ZIPFoundation 0.9's reader trusts these fields: it traps on zip64 sizes past
/// `Int64.max`, and inflates a deflate stream that never ends forever.)
struct ZipDirectory {
    struct Member {
        var name: String
        /// 0 stored, 8 deflate.
        var method: UInt16
        var crc32: UInt32
        /// The member's (compressed) bytes: indices into the data.
        var bytes: Range<Int>
        var uncompressedSize: UInt64
    }

    /// The file members, in directory order (directory entries, named `…/`, are left out).
    private(set) var members: [Member] = []

    /// `data`: the whole file; `source` names it in errors.
    init(_ data: Data, source: String) throws(RNNError) {
        let reader = ByteReader(data: data, source: source)
        let end = try reader.endRecord()
        var count = UInt64(try reader.u16(end + 10))
        var directorySize = UInt64(try reader.u32(end + 12))
        var directoryOffset = UInt64(try reader.u32(end + 16))
        guard try reader.u16(end + 4) == 0, try reader.u16(end + 6) == 0 else {
            throw reader.error("is a multi-disk zip archive, which .npz files are not")
        }
        // The zip64 end record, through its locator just before the end record, when there is one (Python's zipfile
        // writes 0xFFFF members for exactly 65,535 without one: the 32-bit values then stand, as Python reads them).
        let locator = end - 20
        if count == 0xFFFF || directorySize == 0xFFFF_FFFF || directoryOffset == 0xFFFF_FFFF,
           locator >= 0, try reader.u32(locator) == 0x0706_4B50 {
            let record = try reader.offset(try reader.u64(locator + 8), length: 56, what: "zip64 end record")
            guard try reader.u32(record) == 0x0606_4B50 else {
                throw reader.error("no zip64 end record where its locator points: the archive is corrupt")
            }
            count = try reader.u64(record + 32)
            directorySize = try reader.u64(record + 40)
            directoryOffset = try reader.u64(record + 48)
        }
        let directory = try reader.offset(directoryOffset, length: directorySize, what: "central directory")
        // Each record takes at least 46 bytes: a count beyond that is a lie (and no reason to loop).
        guard count <= directorySize / 46 else {
            throw reader.error("the zip directory announces \(count) members in \(directorySize) bytes: the archive is corrupt")
        }
        let directoryEnd = directory + Int(directorySize)
        var seen = Set<String>()
        var p = directory
        for _ in 0..<Int(count) {
            guard p + 46 <= directoryEnd, try reader.u32(p) == 0x0201_4B50 else {
                throw reader.error("the zip directory announces \(count) members but record \(seen.count + 1) is unreadable: the archive is corrupt")
            }
            let flags = try reader.u16(p + 8), method = try reader.u16(p + 10), crc = try reader.u32(p + 16)
            var compressedSize = UInt64(try reader.u32(p + 20)), size = UInt64(try reader.u32(p + 24))
            let nameLength = Int(try reader.u16(p + 28)), extraLength = Int(try reader.u16(p + 30))
            let commentLength = Int(try reader.u16(p + 32))
            var localOffset = UInt64(try reader.u32(p + 42))
            let recordEnd = p + 46 + nameLength + extraLength + commentLength
            guard recordEnd <= directoryEnd else { throw reader.error("a zip directory record runs past the directory: the archive is corrupt") }
            let name = String(decoding: data[(data.startIndex + p + 46)..<(data.startIndex + p + 46 + nameLength)], as: UTF8.self)
            // Zip64 sizes and offset, in this order, for the fields saturated at 0xFFFFFFFF.
            var q = p + 46 + nameLength
            let extraEnd = q + extraLength
            while q + 4 <= extraEnd {
                let id = try reader.u16(q), length = Int(try reader.u16(q + 2))
                guard q + 4 + length <= extraEnd else { break }
                if id == 0x0001 {
                    var field = q + 4
                    func next(_ current: UInt64) throws(RNNError) -> UInt64 {
                        guard current == 0xFFFF_FFFF else { return current }
                        guard field + 8 <= q + 4 + length else {
                            throw reader.error("member \(name)'s zip64 field is too short: the archive is corrupt")
                        }
                        defer { field += 8 }
                        return try reader.u64(field)
                    }
                    size = try next(size)
                    compressedSize = try next(compressedSize)
                    localOffset = try next(localOffset)
                }
                q += 4 + length
            }
            p = recordEnd
            if name.hasSuffix("/") { continue }
            guard seen.insert(name).inserted else { throw reader.error("member \(name) appears twice: the archive is corrupt") }
            guard flags & 1 == 0 else { throw reader.error("member \(name) is encrypted") }
            guard method == 0 || method == 8 else {
                throw reader.error("member \(name) uses compression method \(method); .npz members are stored or deflated")
            }
            let local = try reader.offset(localOffset, length: 30, what: "member \(name)'s local header")
            guard try reader.u32(local) == 0x0403_4B50 else {
                throw reader.error("member \(name)'s local header is missing: the archive is corrupt")
            }
            let start = UInt64(local) + 30 + UInt64(try reader.u16(local + 26)) + UInt64(try reader.u16(local + 28))
            let first = try reader.offset(start, length: compressedSize, what: "member \(name)'s data")
            if method == 0 && compressedSize != size {
                throw reader.error("stored member \(name) declares \(size) bytes but holds \(compressedSize): the archive is corrupt")
            }
            members.append(Member(name: name, method: method, crc32: crc, bytes: first..<(first + Int(compressedSize)),
                                  uncompressedSize: size))
        }
        // Records beyond the announced count would be read by numpy (and could hold a second `kernel`).
        guard p == directoryEnd else {
            throw reader.error("the zip directory holds more than the \(count) members its end record announces: the archive is corrupt")
        }
    }
}

/// Little-endian fields of `data` at offsets from its start, each checked against its end.
private struct ByteReader {
    let data: Data
    let source: String

    func error(_ reason: String) -> RNNError { .file(path: source, reason: reason) }

    /// `offset` as an Int when `offset + length` lies within the data.
    func offset(_ offset: UInt64, length: UInt64, what: String) throws(RNNError) -> Int {
        let count = UInt64(data.count)
        guard offset <= count, length <= count - offset else {
            throw error("the \(what) (offset \(offset), \(length) bytes) lies past the end of the \(count)-byte file: the archive is truncated or corrupt")
        }
        return Int(offset)
    }

    private func field(_ at: Int, _ width: Int) throws(RNNError) -> UInt64 {
        guard at >= 0, at + width <= data.count else {
            throw error("a zip record at offset \(at) lies past the end of the file: the archive is truncated or corrupt")
        }
        var value: UInt64 = 0
        for i in 0..<width { value |= UInt64(data[data.startIndex + at + i]) << (8 * UInt64(i)) }
        return value
    }

    func u16(_ at: Int) throws(RNNError) -> UInt16 { UInt16(try field(at, 2)) }
    func u32(_ at: Int) throws(RNNError) -> UInt32 { UInt32(try field(at, 4)) }
    func u64(_ at: Int) throws(RNNError) -> UInt64 { try field(at, 8) }

    /// The offset of the end-of-central-directory record: the last signature within the final 22 + 65,535 bytes
    /// (the record plus the longest comment).
    func endRecord() throws(RNNError) -> Int {
        let lowest = max(0, data.count - 22 - 0xFFFF)
        var i = data.count - 22
        while i >= lowest {
            if try u32(i) == 0x0605_4B50 { return i }
            i -= 1
        }
        throw error("not a zip file (no end-of-central-directory record), so not an .npz archive")
    }
}
