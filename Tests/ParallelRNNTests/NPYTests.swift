import Foundation
import Testing
@testable import ParallelRNN

/// `.npy` / `.npz` reading and writing against files written by numpy 2.x (Fixtures/npy, made by
/// `np.save` / `np.savez` / `np.savez_compressed` in `Scripts/generate_npy_fixtures.py`; see the file names for dtype
/// and shape), and against payloads
/// laid out here byte by byte (column-major order, big-endian words, float16 bit patterns).
@Suite struct NPYTests {
    static func fixture(_ name: String) throws -> URL {
        let dir = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        return dir.appendingPathComponent("npy").appendingPathComponent(name)
    }

    static func temporaryURL(_ name: String) -> URL {
        FileManager.default.temporaryDirectory
            .appendingPathComponent("prnn-npy-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)-\(name)")
    }

    static let x23: [Float] = [-0.625, -0.375, -0.125, 0.125, 0.375, 0.625]

    /// The RNNError.file reason thrown by `body`, or nil if it did not throw that case.
    static func fileError(_ body: () throws -> Void) -> (path: String, reason: String)? {
        do { try body() } catch let RNNError.file(path, reason) { return (path, reason) } catch { return nil }
        return nil
    }

    @Test func readsNumpyFloat32() throws {
        let t = try Tensor<Float>(npy: try Self.fixture("f4_2x3.npy"))
        #expect(t.shape == [2, 3])
        #expect(t.scalars == Self.x23)
    }

    @Test func readsNumpyFloat64WithSpecialValues() throws {
        let t = try Tensor<Double>(npy: try Self.fixture("f8_vector.npy").path)
        #expect(t.shape == [5])
        let s = t.scalars
        #expect(s[0] == 1 && s[1] == 0 && s[1].sign == .minus && s[2] == .pi && s[3] == 1e300 && s[4] == -.infinity)
    }

    @Test func readsNumpyBoolScalarEmptyAndVersion2() throws {
        let b = try Tensor<Bool>(npy: try Self.fixture("b1_2x4.npy"))
        #expect(b.shape == [2, 4])
        #expect(b.scalars == [true, false, true, true, false, false, true, false])
        let s = try Tensor<Float>(npy: try Self.fixture("f4_scalar.npy"))
        #expect(s.shape == [] && s.scalars == [7.25])
        let e = try Tensor<Float>(npy: try Self.fixture("f4_empty_0x3.npy"))
        #expect(e.shape == [0, 3] && e.scalars.isEmpty)
        let v2 = try Tensor<Float>(npy: try Self.fixture("f4_v2_2x3.npy"))
        #expect(v2.shape == [2, 3] && v2.scalars == Self.x23)
    }

    @Test func encodesByteForByteLikeNumpy() throws {
        for name in ["f4_2x3.npy", "f4_scalar.npy", "f4_empty_0x3.npy"] {
            let url = try Self.fixture(name)
            #expect(try Tensor<Float>(npy: url).npyData() == Data(contentsOf: url), "\(name)")
        }
        let b = try Self.fixture("b1_2x4.npy")
        #expect(try Tensor<Bool>(npy: b).npyData() == Data(contentsOf: b))
        let d = try Self.fixture("f8_vector.npy")
        #expect(try Tensor<Double>(npy: d).npyData() == Data(contentsOf: d))
    }

    @Test func roundTripsThroughFiles() throws {
        let values = (0..<24).map { Float($0) * 0.37 - 3 } + [.nan, .infinity, -0.0, .leastNonzeroMagnitude]
        let t = try Tensor<Float>(shape: [2, 2, 7], scalars: values)
        let url = Self.temporaryURL("f.npy")
        defer { try? FileManager.default.removeItem(at: url) }
        try t.write(npy: url)
        #expect(try Tensor<Float>(npy: url).isBitwiseIdentical(to: t))
        let d = try Tensor<Double>(shape: [3, 1], scalars: [Double.leastNormalMagnitude / 4, -2, 3])
        #expect(try Tensor<Double>(npyData: d.npyData()).isBitwiseIdentical(to: d))
        let m = try Tensor<Bool>(shape: [1, 3], scalars: [false, true, true])
        #expect(try Tensor<Bool>(npyData: m.npyData()) == m)
        // A header longer than 65535 bytes (rank-25000 shape of ones) switches to format 2.0 and still reads back.
        let wide = try Tensor<Float>(shape: Array(repeating: 1, count: 25_000), scalars: [4])
        let data = try wide.npyData()
        #expect(data[6] == 2)
        #expect(try Tensor<Float>(npyData: data).shape.count == 25_000)
    }

    @Test func rejectsWrongDtypeNamingPathAndDtype() throws {
        let url = try Self.fixture("i8_vector.npy")
        let e = try #require(Self.fileError { _ = try Tensor<Float>(npy: url) })
        #expect(e.path == url.path)
        #expect(e.reason.contains("'<i8'"))
        let f = try #require(Self.fileError { _ = try Tensor<Double>(npy: try Self.fixture("f4_2x3.npy")) })
        #expect(f.reason.contains("'<f4'") && f.reason.contains("'<f8'"))
        let g = try #require(Self.fileError { _ = try NPYArray(npy: url) })
        #expect(g.reason.contains("'<i8'"))
    }

    // MARK: Fortran order, big-endian, float16

    /// numpy's own files for the cases below, made with numpy 2.4 by:
    ///
    ///     import numpy as np
    ///     np.save('f4_fortran_4x3x2.npy', np.arange(24, dtype='<f4').reshape(2, 3, 4).T)
    ///     np.save('f2_specials.npy', np.array([0.0, -0.0, 1.0, -2.5, 65504.0, 2.0**-14, 2.0**-24,
    ///             -(1023 * 2.0**-24), np.inf, -np.inf, np.nan, 1/3], dtype='<f2'))
    ///     np.save('f8_bigendian_fortran_3x2.npy', np.asfortranarray(np.array(
    ///             [[1.5, -2.0], [np.pi, 1e300], [-0.0, 5e-324]], dtype='>f8')))
    ///     np.save('b1_fortran_2x3x2.npy', np.asfortranarray(np.arange(12).reshape(2, 3, 2) % 3 == 0))
    ///
    /// (`f4_bigendian.npy` and `f4_fortran_2x3.npy` hold `x23` as `'>f4'` and in Fortran order.)
    @Test func readsNumpyBigEndianAndFortranOrder() throws {
        let big = try Tensor<Float>(npy: try Self.fixture("f4_bigendian.npy"))
        #expect(big.shape == [2, 3] && big.scalars == Self.x23)
        let fortran = try Tensor<Float>(npy: try Self.fixture("f4_fortran_2x3.npy"))
        #expect(fortran.shape == [2, 3] && fortran.scalars == Self.x23)

        // x.T of x = arange(24).reshape(2, 3, 4): element [i, j, k] is x[k, j, i] = 12k + 4j + i.
        let t = try Tensor<Float>(npy: try Self.fixture("f4_fortran_4x3x2.npy"))
        #expect(t.shape == [4, 3, 2])
        var expected: [Float] = []
        for i in 0..<4 { for j in 0..<3 { for k in 0..<2 { expected.append(Float(12 * k + 4 * j + i)) } } }
        #expect(t.scalars == expected)

        let d = try Tensor<Double>(npy: try Self.fixture("f8_bigendian_fortran_3x2.npy"))
        #expect(d.shape == [3, 2])
        let want: [Double] = [1.5, -2.0, .pi, 1e300, -0.0, .leastNonzeroMagnitude]
        #expect(d.scalars.map(\.bitPattern) == want.map(\.bitPattern))

        let b = try Tensor<Bool>(npy: try Self.fixture("b1_fortran_2x3x2.npy"))
        #expect(b.shape == [2, 3, 2] && b.scalars == (0..<12).map { $0 % 3 == 0 })
        #expect(try NPYArray(npy: try Self.fixture("b1_fortran_2x3x2.npy")) == .bool(b))
    }

    @Test func readsNumpyFloat16Exactly() throws {
        let url = try Self.fixture("f2_specials.npy")
        let h = try Tensor<Float>(npy: url)
        #expect(h.shape == [12])
        let s = h.scalars
        #expect(s[0] == 0 && s[0].sign == .plus && s[1] == 0 && s[1].sign == .minus)
        #expect(s[2] == 1 && s[3] == -2.5 && s[4] == 65504)
        #expect(s[5] == 0x1p-14 && s[6] == 0x1p-24 && s[7] == -1023 * 0x1p-24)  // smallest normal, subnormals
        #expect(s[8] == .infinity && s[9] == -.infinity && s[10].isNaN)
        #expect(s[11] == 0.333251953125)  // 1/3 rounded to float16: 0x3555
        guard case let .float(a) = try NPYArray(npy: url) else { Issue.record("'<f2' is not read as .float"); return }
        #expect(a.isBitwiseIdentical(to: h))
        // Written back as float32.
        #expect(try Tensor<Float>(npyData: h.npyData()).isBitwiseIdentical(to: h))
        #expect(NPYArray.float(h).descr == "<f4")
        let f = try #require(Self.fileError { _ = try Tensor<Double>(npy: url) })
        #expect(f.reason.contains("'<f2'") && f.reason.contains("'<f8'"))
    }

    /// A `.npy` file with numpy's header for `descr`, `fortran` and `shape` around raw payload bytes.
    static func npy(_ descr: String, fortran: Bool = false, shape: [Int], payload: [UInt8]) -> Data {
        NPYHeader(descr: descr, fortranOrder: fortran, shape: shape).encoded() + Data(payload)
    }

    /// The indices of `shape` in row-major order, last axis fastest.
    static func rowMajorIndices(_ shape: [Int]) -> [[Int]] {
        shape.reduce([[]]) { prefixes, d in prefixes.flatMap { p in (0..<d).map { p + [$0] } } }
    }

    /// The column-major (Fortran) offset of `index`: i0 + d0·(i1 + d1·(i2 + …)).
    static func columnMajorOffset(_ index: [Int], _ shape: [Int]) -> Int {
        zip(index, shape).reversed().reduce(0) { offset, pair in offset * pair.1 + pair.0 }
    }

    /// `values` (row-major, one per element of `shape`) laid out in column-major order.
    static func columnMajor<T>(_ values: [T], shape: [Int]) -> [T] {
        var out = values
        for (i, index) in rowMajorIndices(shape).enumerated() { out[columnMajorOffset(index, shape)] = values[i] }
        return out
    }

    static func littleEndianBytes<T: FixedWidthInteger>(_ words: [T]) -> [UInt8] {
        words.flatMap { w in (0..<(T.bitWidth / 8)).map { UInt8(truncatingIfNeeded: w >> (8 * $0)) } }
    }

    static func bigEndianBytes<T: FixedWidthInteger>(_ words: [T]) -> [UInt8] {
        words.flatMap { w in (0..<(T.bitWidth / 8)).reversed().map { UInt8(truncatingIfNeeded: w >> (8 * $0)) } }
    }

    @Test(arguments: [[2, 3], [3, 1], [1, 4], [2, 3, 4], [3, 2, 2, 2], [5], [], [0, 3], [2, 0, 2]])
    func readsFortranOrderOfAnyRank(shape: [Int]) throws {
        let count = shape.reduce(1, *)
        let floats = (0..<count).map { Float($0) * 0.5 - 3 }
        let doubles = (0..<count).map { Double($0) / 3 - 1 }
        let bools = (0..<count).map { $0 % 3 != 1 }
        let f = Self.npy("<f4", fortran: true, shape: shape,
                         payload: Self.littleEndianBytes(Self.columnMajor(floats, shape: shape).map(\.bitPattern)))
        #expect(try Tensor<Float>(npyData: f) == Tensor(shape: shape, scalars: floats))
        let fb = Self.npy(">f4", fortran: true, shape: shape,
                          payload: Self.bigEndianBytes(Self.columnMajor(floats, shape: shape).map(\.bitPattern)))
        #expect(try NPYArray(npyData: fb) == .float(try Tensor(shape: shape, scalars: floats)))
        let d = Self.npy("<f8", fortran: true, shape: shape,
                         payload: Self.littleEndianBytes(Self.columnMajor(doubles, shape: shape).map(\.bitPattern)))
        #expect(try Tensor<Double>(npyData: d) == Tensor(shape: shape, scalars: doubles))
        let db = Self.npy(">f8", fortran: true, shape: shape,
                          payload: Self.bigEndianBytes(Self.columnMajor(doubles, shape: shape).map(\.bitPattern)))
        #expect(try NPYArray(npyData: db) == .double(try Tensor(shape: shape, scalars: doubles)))
        // numpy bools are bytes; any non-zero byte is true.
        let b = Self.npy("|b1", fortran: true, shape: shape,
                         payload: Self.columnMajor(bools, shape: shape).enumerated().map { $1 ? UInt8(1 + $0 % 200) : 0 })
        #expect(try Tensor<Bool>(npyData: b) == Tensor(shape: shape, scalars: bools))
    }

    @Test func readsBigEndianElementsByteSwapped() throws {
        let floats: [Float] = [1, -0.0, .infinity, .leastNonzeroMagnitude, 3.25e38, -1.25]
        let f = Self.npy(">f4", shape: [2, 3], payload: Self.bigEndianBytes(floats.map(\.bitPattern)))
        #expect(try Tensor<Float>(npyData: f).isBitwiseIdentical(to: Tensor(shape: [2, 3], scalars: floats)))
        let nan = Float(nan: 0x1234, signaling: false)
        let n = try Tensor<Float>(npyData: Self.npy(">f4", shape: [1], payload: Self.bigEndianBytes([nan.bitPattern])))
        #expect(n.scalars[0].bitPattern == nan.bitPattern)  // the payload survives
        let doubles: [Double] = [.pi, -0.0, -.infinity, .leastNormalMagnitude / 8]
        let d = Self.npy(">f8", shape: [4], payload: Self.bigEndianBytes(doubles.map(\.bitPattern)))
        #expect(try Tensor<Double>(npyData: d).isBitwiseIdentical(to: Tensor(shape: [4], scalars: doubles)))
        #expect(try Tensor<Bool>(npyData: Self.npy("<b1", shape: [2], payload: [0, 7])).scalars == [false, true])
        // Big-endian integers are still integers: a typed error naming them (the CLI casts them for masks).
        let i = Self.npy(">i4", shape: [2], payload: Self.bigEndianBytes([Int32(1), -2]))
        let e = try #require(Self.fileError { _ = try Tensor<Float>(npyData: i, source: "i.npy") })
        #expect(e.path == "i.npy" && e.reason.contains("'>i4'") && e.reason.contains("signed integers"))
        let g = try #require(Self.fileError { _ = try NPYArray(npyData: i) })
        #expect(g.reason.contains("'>i4'") && g.reason.contains("unsupported"))
        let w = try #require(Self.fileError { _ = try Tensor<Double>(npyData: f) })
        #expect(w.reason.contains("'>f4'") && w.reason.contains("'<f8'"))
    }

    @Test func decodesEveryFloat16BitPattern() throws {
        // Hand-checked values: zero, subnormals, the smallest normal, one, the largest finite, infinities, NaN.
        let cases: [(UInt16, Float)] = [(0x0000, 0), (0x0001, 0x1p-24), (0x0002, 0x1p-23), (0x03FF, 1023 * 0x1p-24),
                                        (0x0400, 0x1p-14), (0x3C00, 1), (0x3C01, 1 + 0x1p-10), (0xC000, -2),
                                        (0x3555, 0.333251953125), (0x7BFF, 65504), (0xFBFF, -65504),
                                        (0x7C00, .infinity), (0xFC00, -.infinity), (0x8001, -0x1p-24)]
        for (bits, value) in cases { #expect(Float(npyHalfBits: bits) == value, "\(String(bits, radix: 16))") }
        #expect(Float(npyHalfBits: 0x8000).bitPattern == (-0.0 as Float).bitPattern)
        #expect(Float(npyHalfBits: 0x7E00).bitPattern == 0x7FC0_0000)  // numpy's NaN: the quiet NaN
        #expect(Float(npyHalfBits: 0xFE01).isNaN && Float(npyHalfBits: 0xFE01).sign == .minus)
        #expect(Float(npyHalfBits: 0x7C01).isSignalingNaN)
        // Every pattern against binary16's definition, computed in Double: (−1)^s · m · 2^−24 when the exponent
        // field e is 0, (−1)^s · (1024 + m) · 2^(e − 25) for e in 1...30; e = 31 is ±infinity (m = 0) or NaN.
        for raw in 0...0xFFFF {
            let bits = UInt16(raw), v = Float(npyHalfBits: bits)
            let negative = bits & 0x8000 != 0, e = Int(bits >> 10 & 0x1F), m = Int(bits & 0x3FF)
            #expect(v.sign == (negative ? .minus : .plus), "\(String(bits, radix: 16))")
            let magnitude: Double
            switch e {
            case 0: magnitude = Double(m) * 0x1p-24
            case 31: magnitude = m == 0 ? .infinity : .nan
            default: magnitude = Double(sign: .plus, exponent: e - 25, significand: Double(1024 + m))
            }
            if magnitude.isNaN { #expect(v.isNaN) } else { #expect(Double(v.magnitude) == magnitude, "\(String(bits, radix: 16))") }
        }
        // And against Swift's Float16 where it exists.
        #if !(os(macOS) && arch(x86_64))
        for raw in 0...0xFFFF {
            let bits = UInt16(raw)
            let mine = Float(npyHalfBits: bits), swift = Float(Float16(bitPattern: bits))
            if swift.isNaN { #expect(mine.isNaN && mine.sign == swift.sign) } else { #expect(mine.bitPattern == swift.bitPattern) }
        }
        #endif
    }

    @Test func readsFloat16InBothByteOrders() throws {
        let bits: [UInt16] = [0x3C00, 0x8000, 0x0001, 0x03FF, 0x7C00, 0xFC00, 0x7E00, 0xC500]
        let values: [Float] = [1, -0.0, 0x1p-24, 1023 * 0x1p-24, .infinity, -.infinity, .nan, -5]
        for (descr, payload) in [("<f2", Self.littleEndianBytes(bits)), (">f2", Self.bigEndianBytes(bits))] {
            let t = try Tensor<Float>(npyData: Self.npy(descr, shape: [2, 4], payload: payload))
            #expect(t.shape == [2, 4])
            for (got, want) in zip(t.scalars, values) {
                #expect(want.isNaN ? got.isNaN : got.bitPattern == want.bitPattern, "\(descr)")
            }
            // Fortran order with 2-byte elements.
            let f = try Tensor<Float>(npyData: Self.npy(descr, fortran: true, shape: [2, 4],
                                                        payload: descr == "<f2" ? Self.littleEndianBytes(Self.columnMajor(bits, shape: [2, 4]))
                                                                                : Self.bigEndianBytes(Self.columnMajor(bits, shape: [2, 4]))))
            #expect(f.isBitwiseIdentical(to: t))
        }
    }

    @Test func truncatedFortranAndFloat16PayloadsAreErrors() throws {
        let floats = Self.littleEndianBytes((0..<24).map { Float($0).bitPattern })
        let fortran = Self.npy("<f4", fortran: true, shape: [2, 3, 4], payload: floats)
        #expect(try Tensor<Float>(npyData: fortran).shape == [2, 3, 4])
        let cut = try #require(Self.fileError { _ = try Tensor<Float>(npyData: fortran.dropLast(1), source: "f.npy") })
        #expect(cut.path == "f.npy" && cut.reason.contains("truncated") && cut.reason.contains("96"))
        let extra = try #require(Self.fileError { _ = try Tensor<Float>(npyData: fortran + Data([0])) })
        #expect(extra.reason.contains("unexpected bytes"))

        let half = Self.npy("<f2", fortran: true, shape: [3, 4], payload: [UInt8](repeating: 0x3C, count: 24))
        #expect(try Tensor<Float>(npyData: half).scalars.allSatisfy { $0 == 1 + 60.0 / 1024 })  // 0x3C3C = 1.05859375
        let h = try #require(Self.fileError { _ = try Tensor<Float>(npyData: half.dropLast(2)) })
        #expect(h.reason.contains("truncated") && h.reason.contains("needs 24 data bytes, the file has 22"))
        // The element size is the file's (2), not Float's (4): 48 bytes for 12 halves is 24 too many.
        let wide = Self.npy(">f2", shape: [3, 4], payload: [UInt8](repeating: 0, count: 48))
        let w = try #require(Self.fileError { _ = try NPYArray(npyData: wide) })
        #expect(w.reason.contains("24 unexpected bytes"))
        let big = Self.npy(">f8", fortran: true, shape: [2, 2], payload: [UInt8](repeating: 0, count: 31))
        #expect(Self.fileError { _ = try Tensor<Double>(npyData: big) }?.reason.contains("truncated") == true)
        // A huge Fortran shape with no data: an error, not an allocation.
        let huge = Self.npy("<f2", fortran: true, shape: [1 << 31, 1 << 31], payload: [])
        #expect(Self.fileError { _ = try Tensor<Float>(npyData: huge) }?.reason.contains("truncated") == true)
    }

    @Test func otherDtypesRemainTypedErrors() throws {
        for descr in ["<c8", ">c16", "|O", "<U3", "|S2", "<f16", "<M8[ns]", "|f4", "=f4", "<f+4", "[('a', '<f4')]"] {
            let data = Self.npy(descr, shape: [1], payload: [UInt8](repeating: 0, count: 16))
            let e = try #require(Self.fileError { _ = try NPYArray(npyData: data, source: "x.npy") }, "\(descr)")
            #expect(e.path == "x.npy" && e.reason.contains(descr), "\(descr)")
            #expect(Self.fileError { _ = try Tensor<Float>(npyData: data) } != nil, "\(descr)")
        }
    }

    @Test func rejectsTruncatedAndBadMagic() throws {
        let full = try Data(contentsOf: try Self.fixture("f4_2x3.npy"))
        let cut = try #require(Self.fileError { _ = try Tensor<Float>(npyData: full.dropLast(5), source: "cut.npy") })
        #expect(cut.path == "cut.npy" && cut.reason.contains("truncated"))
        let header = try #require(Self.fileError { _ = try Tensor<Float>(npyData: full.prefix(40)) })
        #expect(header.reason.contains("truncated"))
        #expect(Self.fileError { _ = try Tensor<Float>(npyData: full.prefix(3)) } != nil)
        var bad = full
        bad[1] = UInt8(ascii: "X")
        let magic = try #require(Self.fileError { _ = try Tensor<Float>(npyData: bad) })
        #expect(magic.reason.contains("magic"))
        let extra = try #require(Self.fileError { _ = try Tensor<Float>(npyData: full + Data([0, 0, 0, 0])) })
        #expect(extra.reason.contains("unexpected bytes"))
    }

    @Test func missingFileAndDirectoryAreFileErrors() throws {
        let e = try #require(Self.fileError { _ = try Tensor<Float>(npy: "/nonexistent/x.npy") })
        #expect(e.path == "/nonexistent/x.npy" && e.reason.contains("no such file"))
        let d = try #require(Self.fileError { _ = try Tensor<Float>(npy: FileManager.default.temporaryDirectory) })
        #expect(d.reason.contains("directory"))
    }

    @Test(arguments: ["arrays.npz", "arrays_compressed.npz"])
    func readsNumpyNPZ(name: String) throws {
        let npz = try NPZArchive(contentsOf: try Self.fixture(name))
        #expect(npz.names == ["d", "m", "x"])
        #expect(try npz.tensor("x", as: Float.self).scalars == Self.x23)
        #expect(try npz.tensor("m", as: Bool.self).scalars == [true, false, true, true, false, false, true, false])
        #expect(try npz.array("d") == .double(try Tensor(shape: [2], scalars: [1.5, 2.5])))
        let missing = try #require(Self.fileError { _ = try npz.tensor("y", as: Float.self) })
        #expect(missing.reason.contains("'y'") && missing.reason.contains("d, m, x"))
        let wrong = try #require(Self.fileError { _ = try npz.tensor("d", as: Float.self) })
        #expect(wrong.path.hasSuffix("[d]") && wrong.reason.contains("'<f8'"))
    }

    @Test(arguments: [false, true])
    func npzRoundTrip(compressed: Bool) throws {
        var npz = NPZArchive()
        let x = try Tensor<Float>(shape: [3, 4], scalars: (0..<12).map { Float($0) / 3 })
        try npz.set(x, named: "outputs")
        try npz.set(Tensor<Bool>(repeating: true, shape: [2]), named: "mask")
        npz.setMember(Data("{\"cell\": \"lstm\"}".utf8), path: "metadata.json")
        let url = Self.temporaryURL("a.npz")
        defer { try? FileManager.default.removeItem(at: url) }
        try npz.write(to: url, compressed: compressed)
        let back = try NPZArchive(contentsOf: url)
        #expect(back.names == ["mask", "outputs"])
        #expect(try back.tensor("outputs", as: Float.self).isBitwiseIdentical(to: x))
        #expect(try back.tensor("mask", as: Bool.self).scalars == [true, true])
        #expect(back.members["metadata.json"] == Data("{\"cell\": \"lstm\"}".utf8))
    }

    /// A stored two-member archive written here, and the offsets of its zip records.
    static func twoMemberArchive() throws -> (data: Data, centralRecords: [Int], end: Int) {
        var npz = NPZArchive()
        try npz.set(try Tensor<Float>(shape: [3], scalars: [1, 2, 3]), named: "a")
        try npz.set(try Tensor<Float>(shape: [1], scalars: [4]), named: "b")
        let data = try npz.archiveData()
        let bytes = [UInt8](data)
        func find(_ signature: [UInt8]) -> [Int] {
            (0...(bytes.count - 4)).filter { Array(bytes[$0..<($0 + 4)]) == signature }
        }
        let central = find([0x50, 0x4B, 0x01, 0x02]), end = try #require(find([0x50, 0x4B, 0x05, 0x06]).last)
        try #require(central.count == 2)
        return (data, central, end)
    }

    static func patched(_ data: Data, at offset: Int, _ value: UInt32, bytes count: Int) -> Data {
        var d = data
        for i in 0..<count { d[d.startIndex + offset + i] = UInt8((value >> (8 * UInt32(i))) & 0xFF) }
        return d
    }

    @Test("a corrupt .npz is a file error, never a trap or a partial archive: bad CRC, offsets past the end, an unreadable directory record")
    func corruptNPZIsFileError() throws {
        let (data, central, end) = try Self.twoMemberArchive()
        let url = Self.temporaryURL("bad.npz")
        defer { try? FileManager.default.removeItem(at: url) }
        try data.write(to: url)
        #expect(try NPZArchive(contentsOf: url).names == ["a", "b"])
        // One bit of a stored float (1.0 = 00 00 80 3F) flipped: numpy says "Bad CRC-32".
        var flipped = data
        let one = try #require([UInt8](data).indices.first { Array(data[$0..<($0 + 4)]) == [0, 0, 0x80, 0x3F] })
        flipped[one + 3] ^= 0x40
        var cases: [(String, Data, String)] = [("bit flip", flipped, "CRC-32")]
        cases.append(("directory offset past the end", Self.patched(data, at: end + 16, 0xFFFF_FFF0, bytes: 4), ""))
        cases.append(("local header offset past the end", Self.patched(data, at: central[0] + 42, 0xFFFF_FF00, bytes: 4), ""))
        cases.append(("second directory record unreadable", Self.patched(data, at: central[1] + 30, 0xFFFF, bytes: 2), ""))
        for (label, bad, mention) in cases {
            try bad.write(to: url)
            let e = try #require(Self.fileError { _ = try NPZArchive(contentsOf: url) }, "\(label)")
            #expect(e.path == url.path, "\(label)")
            #expect(mention.isEmpty || e.reason.contains(mention), "\(label): \(e.reason)")
        }
    }

    /// A zip of hand-made members: local headers, data, central records (zip64 extras where given), end record.
    struct HandmadeMember {
        var name: String
        var method: UInt16 = 0
        var payload: [UInt8]
        var crc: UInt32 = 0
        /// Central-directory fields; nil: the payload's length (and offset) as they are.
        var compressedSize: UInt64? = nil, size: UInt64? = nil, localOffset: UInt64? = nil
        /// Write the three as 0xFFFFFFFF plus a zip64 extra field holding them.
        var zip64 = false
    }

    /// zlib's CRC-32 (reflected 0xEDB88320), bit by bit.
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            c ^= UInt32(b)
            for _ in 0..<8 { c = c & 1 == 1 ? (c >> 1) ^ 0xEDB8_8320 : c >> 1 }
        }
        return ~c
    }

    static func handmadeZip(_ members: [HandmadeMember], announced: Int? = nil) -> Data {
        var out: [UInt8] = []
        func le(_ v: UInt64, _ n: Int) { for i in 0..<n { out.append(UInt8((v >> (8 * UInt64(i))) & 0xFF)) } }
        var offsets: [Int] = []
        for m in members {
            offsets.append(out.count)
            le(0x0403_4B50, 4); le(20, 2); le(0, 2); le(UInt64(m.method), 2); le(0, 4); le(UInt64(m.crc), 4)
            le(UInt64(m.payload.count), 4); le(UInt64(m.payload.count), 4); le(UInt64(m.name.utf8.count), 2); le(0, 2)
            out += Array(m.name.utf8) + m.payload
        }
        let directory = out.count
        for (m, offset) in zip(members, offsets) {
            let csize = m.compressedSize ?? UInt64(m.payload.count), size = m.size ?? UInt64(m.payload.count)
            let local = m.localOffset ?? UInt64(offset)
            le(0x0201_4B50, 4); le(45, 2); le(45, 2); le(0, 2); le(UInt64(m.method), 2); le(0, 4); le(UInt64(m.crc), 4)
            le(m.zip64 ? 0xFFFF_FFFF : csize, 4); le(m.zip64 ? 0xFFFF_FFFF : size, 4)
            le(UInt64(m.name.utf8.count), 2); le(m.zip64 ? 28 : 0, 2); le(0, 2); le(0, 2); le(0, 2); le(0, 4)
            le(m.zip64 ? 0xFFFF_FFFF : local, 4)
            out += Array(m.name.utf8)
            if m.zip64 { le(1, 2); le(24, 2); le(size, 8); le(csize, 8); le(local, 8) }
        }
        let directorySize = out.count - directory
        let count = UInt64(announced ?? members.count)
        le(0x0605_4B50, 4); le(0, 2); le(0, 2); le(count, 2); le(count, 2)
        le(UInt64(directorySize), 4); le(UInt64(directory), 4); le(0, 2)
        return Data(out)
    }

    @Test("hostile .npz files are file errors, not traps or hangs: zip64 sizes and offsets past the end, a deflate stream that never ends, duplicate names")
    func hostileNPZIsFileError() throws {
        var npz = NPZArchive()
        try npz.set(try Tensor<Float>(shape: [2], scalars: [1, 2]), named: "a")
        let a = try #require(npz.members["a.npy"])
        let crc = Self.crc32([UInt8](a))
        let url = Self.temporaryURL("hostile.npz")
        defer { try? FileManager.default.removeItem(at: url) }
        // The honest archive, as written here (stored, and with zip64 fields), reads back.
        for zip64 in [false, true] {
            try Self.handmadeZip([HandmadeMember(name: "a.npy", payload: [UInt8](a), crc: crc, zip64: zip64),
                                  HandmadeMember(name: "dir/", payload: [])]).write(to: url)
            let back = try NPZArchive(contentsOf: url)
            #expect(back.names == ["a"] && back.members.count == 1, "zip64 \(zip64)")
            #expect(try back.tensor("a", as: Float.self).scalars == [1, 2])
        }
        let cases: [(String, [HandmadeMember], String)] = [
            ("zip64 compressed size 2^63", [HandmadeMember(name: "a.npy", method: 8, payload: [3, 0], compressedSize: 1 << 63,
                                                           size: 0, zip64: true)], "lies past the end"),
            ("zip64 size near 2^64", [HandmadeMember(name: "a.npy", payload: [UInt8](a), crc: crc,
                                                     compressedSize: UInt64.max - 8, size: UInt64.max - 8, zip64: true)], "lies past the end"),
            ("zip64 local offset 2^63", [HandmadeMember(name: "a.npy", payload: [UInt8](a), crc: crc, localOffset: 1 << 63,
                                                        zip64: true)], "lies past the end"),
            // A non-final stored block announcing 65,535 bytes, and nothing after it.
            ("endless deflate", [HandmadeMember(name: "a.npy", method: 8, payload: [0x00, 0xFF, 0xFF, 0x00, 0x00], size: 1 << 20)],
             "does not end within its 5 bytes"),
            ("duplicate names", [HandmadeMember(name: "a.npy", payload: [UInt8](a), crc: crc),
                                 HandmadeMember(name: "a.npy", payload: [UInt8](a), crc: crc)], "appears twice"),
            ("stored sizes disagree", [HandmadeMember(name: "a.npy", payload: [UInt8](a), crc: crc, size: 3)], "declares 3 bytes"),
            ("unknown method", [HandmadeMember(name: "a.npy", method: 12, payload: [UInt8](a), crc: crc)], "compression method 12"),
        ]
        // A directory record beyond the announced count (numpy would read it: here a second `a`).
        try Self.handmadeZip([HandmadeMember(name: "a.npy", payload: [UInt8](a), crc: crc),
                              HandmadeMember(name: "b.npy", payload: [UInt8](a), crc: crc)], announced: 1).write(to: url)
        let extra = try #require(Self.fileError { _ = try NPZArchive(contentsOf: url) })
        #expect(extra.reason.contains("holds more than the 1 members"), "\(extra.reason)")
        // 65,535 members announced as 0xFFFF without a zip64 record (Python's zipfile): the 32-bit values stand.
        let many = (0..<65_535).map { HandmadeMember(name: "m\($0).npy", payload: [UInt8](a), crc: crc) }
        try Self.handmadeZip(many).write(to: url)
        #expect(try NPZArchive(contentsOf: url).members.count == 65_535)
        for (label, members, mention) in cases {
            try Self.handmadeZip(members).write(to: url)
            let e = try #require(Self.fileError { _ = try NPZArchive(contentsOf: url) }, "\(label)")
            #expect(e.path == url.path && e.reason.contains(mention), "\(label): \(e.reason)")
        }
        // Not a zip at all (1 MiB of zeros): found quickly, and said so.
        try Data(count: 1 << 20).write(to: url)
        let notZip = try #require(Self.fileError { _ = try NPZArchive(contentsOf: url) })
        #expect(notZip.reason.contains("not a zip file"), "\(notZip.reason)")
    }

    @Test(".npy limits: a 2 GiB header length and devices are file errors; a Fortran-order file of 100,000 unit axes reads at once")
    func npyLimits() throws {
        let units = "(" + String(repeating: "1, ", count: 100_000) + "1000, )"
        let text = Array("{'descr': '|b1', 'fortran_order': True, 'shape': \(units), }".utf8) + [0x0A]
        let payload = (0..<1000).map { UInt8($0 % 3 == 0 ? 1 : 0) }
        let wide = Data(NPYHeader.magic + [2, 0] + (0..<4).map { UInt8((text.count >> (8 * $0)) & 0xFF) } + text + payload)
        let t = try Tensor<Bool>(npyData: wide, source: "units.npy")
        #expect(t.rank == 100_001 && t.scalars == payload.map { $0 != 0 })
        let long = Data(NPYHeader.magic + [2, 0, 0, 0, 0, 0x80])  // 2^31 header bytes announced
        let e = try #require(Self.fileError { _ = try Tensor<Float>(npyData: long, source: "long.npy") })
        #expect(e.reason.contains("at most"), "\(e.reason)")
        if FileManager.default.fileExists(atPath: "/dev/zero") {
            let device = try #require(Self.fileError { _ = try Tensor<Float>(npy: URL(fileURLWithPath: "/dev/zero")) })
            #expect(device.reason.contains("device"), "\(device.reason)")
        }
    }

    @Test("members that expand past the memory this process may use are a file error, not a failed allocation")
    func npzMembersAreCappedByMemory() throws {
        let (data, _, _) = try Self.twoMemberArchive()
        let url = Self.temporaryURL("big.npz")
        defer { try? FileManager.default.removeItem(at: url) }
        try data.write(to: url)
        let sizes = try NPZArchive(contentsOf: url).members.mapValues { UInt64($0.count) }
        let total = sizes.values.reduce(0, +)
        #expect(try NPZArchive(contentsOf: url, memoryLimit: total).names == ["a", "b"])
        for limit in [total - 1, 0] {
            let e = try #require(Self.fileError { _ = try NPZArchive(contentsOf: url, memoryLimit: limit) }, "limit \(limit)")
            #expect(e.path == url.path && e.reason.contains("expands past"), "\(e.reason)")
        }
        // A deflated member whose directory understates its size (4 bytes for 64 KiB of zeros): what extraction
        // produces is counted too.
        var npz = NPZArchive()
        try npz.set(Tensor<Float>(zeros: [16_384]), named: "zeros")
        var bomb = try npz.archiveData(compressed: true)
        let bytes = [UInt8](bomb)
        let central = try #require((0...(bytes.count - 4)).first { Array(bytes[$0..<($0 + 4)]) == [0x50, 0x4B, 0x01, 0x02] })
        bomb = Self.patched(bomb, at: central + 24, 4, bytes: 4)
        try bomb.write(to: url)
        let e = try #require(Self.fileError { _ = try NPZArchive(contentsOf: url, memoryLimit: 4096) })
        #expect(e.path == url.path && e.reason.contains("inflates past its declared 4 bytes"), "\(e.reason)")
    }

    @Test("a .npy header with containers nested thousands deep is a file error, not a stack overflow")
    func hostileHeadersAreFileErrors() throws {
        func npy(header: String) -> Data {
            let text = Array(header.utf8) + [0x0A]
            return Data(NPYHeader.magic + [2, 0] + (0..<4).map { UInt8((text.count >> (8 * $0)) & 0xFF) } + text + [0, 0, 0, 0])
        }
        let base = "{'descr': '<f4', 'fortran_order': False, 'shape': (), "
        let deep = npy(header: base + "'x': " + String(repeating: "[", count: 3000) + String(repeating: "]", count: 3000) + "}")
        let e = try #require(Self.fileError { _ = try Tensor<Float>(npyData: deep, source: "deep.npy") })
        #expect(e.path == "deep.npy" && e.reason.contains("nested"))
        let open = npy(header: String(repeating: "(", count: 9000))
        #expect(Self.fileError { _ = try Tensor<Float>(npyData: open) } != nil)
        // Nesting numpy itself writes (a few levels) still parses: a scalar float32.
        let fine = npy(header: base + "'x': [(1, [2, {'y': (3,)}])]}")
        #expect(try Tensor<Float>(npyData: fine).scalars.count == 1)
    }

    @Test func truncatedOrNonZipNPZIsFileError() throws {
        let full = try Data(contentsOf: try Self.fixture("arrays.npz"))
        let url = Self.temporaryURL("cut.npz")
        defer { try? FileManager.default.removeItem(at: url) }
        try full.prefix(full.count / 2).write(to: url)
        let e = try #require(Self.fileError { _ = try NPZArchive(contentsOf: url) })
        #expect(e.path == url.path)
        try Data("hello".utf8).write(to: url)
        #expect(Self.fileError { _ = try NPZArchive(contentsOf: url) } != nil)
    }
}
