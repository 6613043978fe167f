import Foundation
import Testing
@testable import ParallelRNN

/// `.npy` / `.npz` reading and writing against files written by numpy 2.x (Fixtures/npy, made by
/// `np.save` / `np.savez` / `np.savez_compressed`; see the file names for dtype and shape).
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

    @Test func rejectsBigEndianAndFortranOrder() throws {
        let big = try #require(Self.fileError { _ = try Tensor<Float>(npy: try Self.fixture("f4_bigendian.npy")) })
        #expect(big.reason.contains("'>f4'") && big.reason.contains("big-endian"))
        let fortran = try #require(Self.fileError { _ = try Tensor<Float>(npy: try Self.fixture("f4_fortran_2x3.npy")) })
        #expect(fortran.reason.contains("Fortran"))
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
