// Tests of the C kernel library (_ParallelRNNKernels) on its own: GEMM accuracy and the determinism contract
// (every ISA bitwise equal to portable, packed = unpacked, rows independent of M), activations vs libm and across ISAs.
// The suite forces ISAs through the process-global prnn_force_isa, so it is serialized and restores the ISA.
import Testing
import _ParallelRNNKernels
@testable import ParallelRNN
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Deterministic xorshift generator (tests must be reproducible).
private struct XorShift {
    var state: UInt64
    init(seed: UInt64) { state = seed | 1 }
    mutating func next() -> UInt64 {
        state ^= state << 13; state ^= state >> 7; state ^= state << 17
        return state
    }
    /// Uniform in [-1, 1).
    mutating func signed() -> Float { Float(Double(next() >> 11) / 9007199254740992.0 * 2 - 1) }
    mutating func int(_ upper: Int) -> Int { Int(next() % UInt64(upper)) }
}

/// Every ISA this machine can run, portable first.
func supportedISAs() -> [prnn_isa] {
    let best = prnn_detected_isa().rawValue
    return [PRNN_ISA_PORTABLE, PRNN_ISA_AVX2, PRNN_ISA_AVX512].filter { $0.rawValue <= best }
}

/// Runs `body` with `isa` forced, restoring the previous ISA afterwards.
func withISA<T>(_ isa: prnn_isa, _ body: () throws -> T) rethrows -> T {
    let previous = prnn_active_isa()
    _ = prnn_force_isa(isa)
    defer { _ = prnn_force_isa(previous) }
    return try body()
}

/// The AVX-512 register tiles to check under `isa`: all three on AVX-512, else just the default (unused there).
private func tiles(for isa: prnn_isa) -> [prnn_avx512_tile] {
    isa == PRNN_ISA_AVX512 ? [PRNN_AVX512_TILE_12X32, PRNN_AVX512_TILE_6X64, PRNN_AVX512_TILE_12X32E]
                           : [PRNN_AVX512_TILE_DEFAULT]
}

/// Runs `body` with the AVX-512 register tile forced, back to the default afterwards.
private func withTile<T>(_ tile: prnn_avx512_tile, _ body: () throws -> T) rethrows -> T {
    prnn_force_avx512_tile(tile)
    defer { prnn_force_avx512_tile(PRNN_AVX512_TILE_DEFAULT) }
    return try body()
}

private func bits(_ x: [Float]) -> [UInt32] { x.map(\.bitPattern) }
private func bits(_ x: [Double]) -> [UInt64] { x.map(\.bitPattern) }

/// One GEMM problem with padded leading dimensions.
private struct Problem {
    let m: Int, n: Int, k: Int, lda: Int, ldb: Int, ldc: Int
    var a: [Float], b: [Float], c0: [Float]

    init(m: Int, n: Int, k: Int, pad: Int, rng: inout XorShift) {
        self.m = m; self.n = n; self.k = k
        lda = k + pad; ldb = n + pad; ldc = n + pad
        a = (0..<(m * lda)).map { _ in rng.signed() }
        b = (0..<(max(k, 1) * ldb)).map { _ in rng.signed() }
        c0 = (0..<(m * ldc)).map { _ in rng.signed() }
    }

    /// The same problem with another starting C.
    init(copying p: Problem, c0: [Float]) {
        self = p
        self.c0 = c0
    }

    func packed() -> [Float] {
        var p = [Float](repeating: .nan, count: max(prnn_sgemm_packed_b_count(Int32(k), Int32(n)), 1))
        b.withUnsafeBufferPointer { bp in
            p.withUnsafeMutableBufferPointer { pp in
                prnn_sgemm_pack_b(Int32(k), Int32(n), bp.baseAddress, Int32(ldb), pp.baseAddress)
            }
        }
        return p
    }

    func sgemm(accumulate: Bool) -> [Float] {
        var c = c0
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                c.withUnsafeMutableBufferPointer { cp in
                    prnn_sgemm(Int32(m), Int32(n), Int32(k), ap.baseAddress, Int32(lda), bp.baseAddress, Int32(ldb),
                               cp.baseAddress, Int32(ldc), accumulate ? 1 : 0)
                }
            }
        }
        return c
    }

    func sgemmPacked(_ packed: [Float], accumulate: Bool, rows: Range<Int>? = nil) -> [Float] {
        var c = c0
        let rows = rows ?? 0..<m
        a.withUnsafeBufferPointer { ap in
            packed.withUnsafeBufferPointer { pp in
                c.withUnsafeMutableBufferPointer { cp in
                    prnn_sgemm_packed(Int32(rows.count), Int32(n), Int32(k), ap.baseAddress! + rows.lowerBound * lda,
                                      Int32(lda), pp.baseAddress, cp.baseAddress! + rows.lowerBound * ldc, Int32(ldc),
                                      accumulate ? 1 : 0)
                }
            }
        }
        return c
    }

    /// `prnn_sgemm_packed_add`: C + (the chain from +0), the sum rounded once (Keras's `x·W + h·U`).
    func sgemmPackedAdd(_ packed: [Float]) -> [Float] {
        var c = c0
        a.withUnsafeBufferPointer { ap in
            packed.withUnsafeBufferPointer { pp in
                c.withUnsafeMutableBufferPointer { cp in
                    prnn_sgemm_packed_add(Int32(m), Int32(n), Int32(k), ap.baseAddress, Int32(lda), pp.baseAddress,
                                          cp.baseAddress, Int32(ldc))
                }
            }
        }
        return c
    }

    /// Double-precision reference and the magnitude sum Σ|terms| for the error bound.
    func reference(accumulate: Bool) -> (value: [Double], magnitude: [Double]) {
        var value = [Double](repeating: 0, count: m * ldc), mag = value
        for i in 0..<m {
            for j in 0..<n {
                var acc = accumulate ? Double(c0[i * ldc + j]) : 0, s = abs(acc)
                for kk in 0..<k {
                    let t = Double(a[i * lda + kk]) * Double(b[kk * ldb + j])
                    acc += t; s += abs(t)
                }
                value[i * ldc + j] = acc; mag[i * ldc + j] = s
            }
        }
        return (value, mag)
    }
}

@Suite("C kernels", .serialized)
struct KernelTests {
    @Test("ISA detection and forcing clamp to what the CPU supports")
    func isaForcing() {
        let best = prnn_detected_isa()
        withISA(PRNN_ISA_AVX512) { #expect(prnn_active_isa() == best) }
        withISA(PRNN_ISA_PORTABLE) { #expect(prnn_active_isa() == PRNN_ISA_PORTABLE) }
        #expect(prnn_active_isa() == best)
        #expect(String(cString: prnn_isa_name(PRNN_ISA_AVX2)) == "avx2+fma")
        #if arch(x86_64)
        #expect(best != PRNN_ISA_PORTABLE, "every x86-64 machine this project runs on has AVX2+FMA")
        #endif
    }

    @Test("AVX-512 register tiles: forcing sets both classes and the default returns; names; tuning leaves valid tiles")
    func avx512TileForcing() {
        prnn_avx512_tune()  // once per process (waits if another thread is tuning); no-op without AVX-512
        let short = Int32(PRNN_AVX512_SHORT_ROWS), tall = short + 1
        let unforced = (prnn_avx512_active_tile(short), prnn_avx512_active_tile(tall))
        let all = [PRNN_AVX512_TILE_12X32, PRNN_AVX512_TILE_6X64, PRNN_AVX512_TILE_12X32E]
        #expect(all.contains(unforced.0) && all.contains(unforced.1))
        #expect(prnn_avx512_active_tile(1) == unforced.0 && prnn_avx512_active_tile(10_000) == unforced.1)
        for tile in all {
            withTile(tile) { #expect(prnn_avx512_active_tile(short) == tile && prnn_avx512_active_tile(tall) == tile) }
            #expect(prnn_avx512_active_tile(short) == unforced.0 && prnn_avx512_active_tile(tall) == unforced.1,
                    "forcing the default returns to the unforced tiles")
        }
        prnn_force_avx512_tile(PRNN_AVX512_TILE_6X64)
        prnn_force_avx512_tile(prnn_avx512_tile(rawValue: 99))
        #expect(prnn_avx512_active_tile(short) == unforced.0, "an unknown tile means the default")
        prnn_avx512_tune()
        #expect(prnn_avx512_active_tile(short) == unforced.0 && prnn_avx512_active_tile(tall) == unforced.1,
                "tuning runs once: the choice stays")
        #expect(["12x32", "6x64", "12x32e"].contains(String(cString: prnn_avx512_tile_name(unforced.0))))
    }

    @Test("AVX-512 gate variant: forcing 1 or 2 sets it, anything else returns to the unforced choice (1 or 2)")
    func avx512GatesForcing() {
        prnn_avx512_tune()  // no-op without AVX-512
        let unforced = prnn_avx512_gates_k()
        #expect(unforced == 1 || unforced == 2)
        for k: Int32 in [1, 2] {
            prnn_force_avx512_gates_k(k)
            #expect(prnn_avx512_gates_k() == k)
            prnn_force_avx512_gates_k(7)
            #expect(prnn_avx512_gates_k() == unforced, "an unknown value means unforced")
        }
    }

    @Test("Transposed k blocks: forcing 0…65536 sets the limit, a negative or larger value returns to the unforced one (one block unless PRNN_T_KC says)")
    func transposedKBlockForcing() {
        prnn_avx512_tune()  // no-op without AVX-512
        let unforced = prnn_t_kc()
        #expect(unforced >= 0 && unforced <= 65536)
        for kc: Int32 in [0, 7, 256, 65536] {
            prnn_force_t_kc(kc)
            #expect(prnn_t_kc() == kc)
        }
        for bad: Int32 in [-1, 65537] {
            prnn_force_t_kc(256)
            prnn_force_t_kc(bad)
            #expect(prnn_t_kc() == unforced, "\(bad) means unforced")
        }
        if getenv("PRNN_T_KC") == nil { #expect(unforced == 0, "unset: one block") }
    }

    @Test("sgemm matches a Double reference on random and odd shapes; every ISA, packed and unpacked (and the adding form), bitwise equal to portable")
    func sgemmRandomShapes() {
        var rng = XorShift(seed: 0x5EED)
        let dims = [1, 2, 3, 5, 7, 8, 11, 12, 13, 16, 17, 31, 32, 33, 47, 64, 65, 97, 128, 193, 257, 300]
        var shapes: [(Int, Int, Int)] = (0..<30).map { _ in
            (dims[rng.int(dims.count)], dims[rng.int(dims.count)], dims[rng.int(dims.count)])
        }
        // K over several k blocks, M over several row blocks, N over many strips, tiny.
        shapes += [(150, 100, 700), (100, 1000, 257), (600, 70, 300), (1, 1, 1), (13, 2049, 3)]
        // One to four rows: whole wide strips first (AVX-512 128 columns, 64 for four rows; AVX2 64 or 48), then the
        // usual tiles.
        shapes += [(1, 1024, 256), (2, 300, 129), (3, 257, 5), (1, 70, 33), (4, 1024, 256), (4, 300, 129), (4, 63, 513)]
        // 9–32 rows with K ≤ 256 and B packed: AVX-512 direct tiles of at most 8 rows, split evenly (5 + 4, 6 + 6,
        // 7 + 7, 8 + 8, 6 + 6 + 5, 8 + 8 + 8, 8 + 8 + 8 + 7, 8 × 4).
        shapes += [(9, 300, 129), (12, 1024, 256), (14, 70, 33), (16, 257, 200)]
        shapes += [(17, 300, 129), (24, 1024, 256), (31, 70, 33), (32, 257, 200)]
        // K > 256 with B packed, direct tiles per k block of ≤ 256: AVX-512 12–32 rows (≤ 8-row tiles), AVX2 7–32.
        shapes += [(12, 2048, 512), (20, 257, 513), (32, 70, 1024), (13, 33, 300), (7, 100, 300), (9, 64, 513)]
        for (index, (m, n, k)) in shapes.enumerated() {
            let p = Problem(m: m, n: n, k: k, pad: [0, 3, 16][index % 3], rng: &rng)
            let accumulate = index % 2 == 1
            let packed = p.packed()
            let portable = withISA(PRNN_ISA_PORTABLE) { p.sgemm(accumulate: accumulate) }
            let ref = p.reference(accumulate: accumulate)
            var worst = 0.0
            for i in 0..<m {
                for j in 0..<n {
                    let e = abs(Double(portable[i * p.ldc + j]) - ref.value[i * p.ldc + j]) / (ref.magnitude[i * p.ldc + j] + 1e-30)
                    worst = max(worst, e)
                }
                // Padding columns must be untouched.
                for j in n..<p.ldc { #expect(portable[i * p.ldc + j].bitPattern == p.c0[i * p.ldc + j].bitPattern) }
            }
            #expect(worst < 1e-6, "\(m)×\(n)×\(k): relative error \(worst)")
            // The adding form: C0 + (the portable chain from +0), one rounding; padding untouched.
            let product = withISA(PRNN_ISA_PORTABLE) { Problem(copying: p, c0: [Float](repeating: 0, count: p.c0.count)).sgemm(accumulate: false) }
            let added = (0..<p.c0.count).map { i in i % p.ldc < n ? p.c0[i] + product[i] : p.c0[i] }
            for isa in supportedISAs() {
                for tile in tiles(for: isa) {
                    withISA(isa) {
                        withTile(tile) {
                            #expect(bits(p.sgemm(accumulate: accumulate)) == bits(portable),
                                    "sgemm \(isa) tile \(tile) \(m)×\(n)×\(k)")
                            #expect(bits(p.sgemmPacked(packed, accumulate: accumulate)) == bits(portable),
                                    "sgemm_packed \(isa) tile \(tile) \(m)×\(n)×\(k)")
                            #expect(bits(p.sgemmPackedAdd(packed)) == bits(added),
                                    "sgemm_packed_add \(isa) tile \(tile) \(m)×\(n)×\(k)")
                        }
                    }
                }
            }
        }
    }

    @Test("transposed path availability: AVX2 prefers 16 and 32 rows, AVX-512 16 and 32 unless the tuner measured 32 slower, portable never; its gain > 1 exactly there; layers pack for it exactly then")
    func transposedAvailability() throws {
        prnn_avx512_tune()
        for isa in supportedISAs() {
            withISA(isa) {
                let rows = (1...96).filter { prnn_sgemm_t_preferred(Int32($0)) != 0 }
                // The gain the scheduler weighs against uneven cores: > 1 exactly at the preferred sizes.
                #expect((1...96).filter { prnn_sgemm_t_gain(Int32($0)) > 1 } == rows)
                #expect((1...96).allSatisfy { prnn_sgemm_t_gain(Int32($0)) >= 1 })
                switch isa {
                case PRNN_ISA_AVX2:
                    #expect(rows == [16, 32])
                    #expect(prnn_sgemm_t_gain(32) == 1.08, "AVX2: Zen 3's measured gain")
                    #expect(prnn_sgemm_t_gain_measured() == 0, "AVX2: assumed, not measured")
                case PRNN_ISA_AVX512:
                    #expect(rows == [16, 32] || rows == [], "AVX-512: \(rows)")
                    // 16 rows weigh at most 1.02 (measured end to end), 32 rows what the tuner measured.
                    if !rows.isEmpty { #expect(prnn_sgemm_t_gain(16) == min(prnn_sgemm_t_gain(32), 1.02)) }
                default: #expect(rows == [])
                }
            }
        }
        let cell = try LSTM(kernel: Tensor(zeros: [3, 8]), recurrentKernel: Tensor(zeros: [2, 8]), bias: nil)
        #expect((cell.math.transposed != nil) == (prnn_sgemm_t_preferred(16) != 0 || prnn_sgemm_t_preferred(32) != 0))
        #if arch(x86_64)
        #expect(prnn_sgemm_t_preferred(32) != 0 || prnn_active_isa() == PRNN_ISA_AVX512, "AVX2 always takes it")
        #endif
    }

    @Test("larger shards run transposed only on AVX-512 with the path on: 48–512 rows by 16, operand within half the L2 (larger multiples of 32 in blocks); gain ≤ 1.04 there, 1 elsewhere")
    func transposedLargeShards() {
        // A configured tile turns the path on without the tuner (whose timing may switch it off in a debug build).
        prnn_force_avx512_tile(PRNN_AVX512_TILE_12X32)
        defer { prnn_force_avx512_tile(PRNN_AVX512_TILE_DEFAULT) }
        let l2 = Int(prnn_l2_cache_bytes())  // PRNN_L2_CACHE_BYTES, else the OS's figure, else 1 MiB
        #expect(l2 > 0)
        let configured = getenv("PRNN_L2_CACHE_BYTES").flatMap { Int(String(cString: $0)) } ?? 0
        #if os(Linux)
        let reported = sysconf(Int32(_SC_LEVEL2_CACHE_SIZE))
        #expect(l2 == (configured > 0 ? configured : reported > 0 ? reported : 1 << 20))
        #else
        if configured > 0 { #expect(l2 == configured) }
        #endif
        let halfL2Floats = l2 / 2 / MemoryLayout<Float>.size
        for isa in supportedISAs() {
            withISA(isa) {
                // At or below 32 rows the row count alone decides, whatever K.
                for n in 1...32 {
                    #expect((prnn_sgemm_t_preferred_shape(Int32(n), 1 << 20) != 0) == (prnn_sgemm_t_preferred(Int32(n)) != 0))
                }
                let on = isa == PRNN_ISA_AVX512 && prnn_sgemm_t_preferred(32) != 0
                for n in stride(from: 33, through: 600, by: 1) {
                    let fits = halfL2Floats / n  // the largest K whose operand fits
                    let expected = on && n % 16 == 0 && n <= 512
                    #expect((prnn_sgemm_t_preferred_shape(Int32(n), Int32(min(fits, 1 << 20))) != 0) == expected, "n \(n)")
                    #expect(prnn_sgemm_t_preferred_shape(Int32(n), Int32(fits + 1)) == 0, "n \(n): operand over half the L2")
                    let gain = prnn_sgemm_t_gain_shape(Int32(n), Int32(min(fits, 1 << 20)))
                    let blocked = prnn_sgemm_t_blocks(Int32(n), Int32(min(fits, 1 << 20))) > 0  // (n > 512: in blocks)
                    #expect(blocked ? gain > 1 && gain <= 1.04 : gain == 1, "n \(n): gain \(gain)")
                    #expect(blocked == (on && (n % 32 == 0 || (n % 16 == 0 && n <= 512))), "n \(n)")
                }
                #expect(prnn_sgemm_t_preferred_shape(64, 0) == 0, "K = 0")
            }
        }
    }

    @Test("shards above the transposed rule run in the fewest row blocks it takes: whole 32-row units, at most one apart")
    func transposedBlocks() {
        prnn_force_avx512_tile(PRNN_AVX512_TILE_12X32)  // the path on without the tuner
        defer { prnn_force_avx512_tile(PRNN_AVX512_TILE_DEFAULT) }
        let halfL2Floats = Int(prnn_l2_cache_bytes()) / 2 / MemoryLayout<Float>.size
        for isa in supportedISAs() {
            withISA(isa) {
                let on = isa == PRNN_ISA_AVX512 && prnn_sgemm_t_preferred(32) != 0
                // K from tiny to one whose 64-row operand no longer fits half the L2.
                for k in [1, 384, 768, halfL2Floats / 256, halfL2Floats / 96, halfL2Floats / 64, halfL2Floats / 64 + 1] {
                    // The largest block the rule takes, in 32-row units (≥ 2), by the rule itself.
                    let most = (2...Int(PRNN_T_MAX_ROWS) / 32).last { prnn_sgemm_t_preferred_shape(Int32(32 * $0), Int32(k)) != 0 }
                    for n in [1, 16, 32, 48, 64, 96, 100, 128, 256, 320, 512, 544, 1000, 1024, 2048, 4096] {
                        let count = Int(prnn_sgemm_t_blocks(Int32(n), Int32(k)))
                        let whole = prnn_sgemm_t_preferred_shape(Int32(n), Int32(k)) != 0
                        let blocks = TransposedShards.preferred.blocks(of: 7..<(7 + n), operandRows: k)
                        #expect(blocks?.count ?? 0 == count, "n \(n) K \(k)")
                        if whole {
                            #expect(count == 1 && blocks == [7..<(7 + n)], "n \(n) K \(k)")
                            continue
                        }
                        guard on, n % 32 == 0, n > 64, let most else {
                            #expect(count == 0, "n \(n) K \(k): row-major")
                            continue
                        }
                        // The fewest blocks of at most `most` units: contiguous, in order, sizes one unit apart at most.
                        #expect(count == (n / 32 + most - 1) / most, "n \(n) K \(k)")
                        guard let blocks else { continue }
                        #expect(blocks.first?.lowerBound == 7 && blocks.last?.upperBound == 7 + n, "n \(n) K \(k)")
                        #expect(zip(blocks, blocks.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
                        let sizes = blocks.map(\.count)
                        #expect(sizes.allSatisfy { $0 % 32 == 0 && $0 <= 32 * most } && sizes.max()! - sizes.min()! <= 32,
                                "n \(n) K \(k): \(sizes)")
                        #expect(sizes.allSatisfy { prnn_sgemm_t_preferred_shape(Int32($0), Int32(k)) != 0 }, "n \(n) K \(k)")
                    }
                }
            }
        }
    }

    @Test("transposed product C^T = W^T·X^T: bitwise X·W's elements in every ISA, columns beyond n untouched; pack/unpack round trip")
    func transposedProduct() {
        var rng = XorShift(seed: 0x7A7)
        // (n, K, N, accumulate): the fast sizes (16, 32), odd gate rows and K, n not a multiple of 16 (portable path).
        let shapes = [(32, 256, 1024, true), (16, 128, 1024, false), (32, 37, 100, true), (48, 5, 13, false),
                      (32, 1, 12, true), (5, 20, 30, true), (1, 3, 1, false), (64, 300, 44, true), (32, 384, 1024, false),
                      (16, 513, 24, true)]
        for (n, k, nOut, accumulate) in shapes {
            let ldx = k + 3, ldc = n + 5
            let x = (0..<(n * ldx)).map { _ in rng.signed() }, w = (0..<(k * nOut)).map { _ in rng.signed() }
            let c0 = (0..<(nOut * ldc)).map { _ in rng.signed() }
            var packed = [Float](repeating: .nan, count: max(1, prnn_sgemm_packed_t_count(Int32(k), Int32(nOut))))
            var panels = [Float](repeating: .nan, count: max(1, prnn_rows_t_count(Int32(n), Int32(k))))
            prnn_sgemm_pack_t(Int32(k), Int32(nOut), w, Int32(nOut), &packed)
            prnn_pack_rows_t(Int32(n), Int32(k), x, Int32(ldx), &panels)
            var back = [Float](repeating: 0, count: n * ldx)
            prnn_unpack_rows_t(Int32(n), Int32(k), panels, &back, Int32(ldx))
            #expect((0..<n).allSatisfy { r in (0..<k).allSatisfy { back[r * ldx + $0].bitPattern == x[r * ldx + $0].bitPattern } },
                    "unpack(pack(X)) n \(n) K \(k)")
            // Reference: X·W (row-major, portable), C0 transposed in.
            var ref = [Float](repeating: 0, count: n * nOut)
            for r in 0..<n { for j in 0..<nOut { ref[r * nOut + j] = c0[j * ldc + r] } }
            withISA(PRNN_ISA_PORTABLE) {
                prnn_sgemm(Int32(n), Int32(nOut), Int32(k), x, Int32(ldx), w, Int32(nOut), &ref, Int32(nOut), accumulate ? 1 : 0)
            }
            // AVX-512: the 12x32e tile forced means the embedded-broadcast variant, the others the plain one.
            // K in one block, in blocks of ≤ 256 (timed on the Xeon) and in uneven ones (prnn_force_t_kc): the same bits.
            for isa in supportedISAs() {
                for tile in tiles(for: isa) {
                    for kBlock: Int32 in [0, 256, 100, 7] {
                        var c = c0
                        withISA(isa) {
                            withTile(tile) {
                                prnn_force_t_kc(kBlock)
                                defer { prnn_force_t_kc(-1) }
                                prnn_sgemm_t(Int32(nOut), Int32(n), Int32(k), packed, panels, &c, Int32(ldc), accumulate ? 1 : 0)
                            }
                        }
                        let same = (0..<nOut).allSatisfy { j in
                            (0..<n).allSatisfy { c[j * ldc + $0].bitPattern == ref[$0 * nOut + j].bitPattern }
                                && (n..<ldc).allSatisfy { c[j * ldc + $0].bitPattern == c0[j * ldc + $0].bitPattern }
                        }
                        #expect(same, "sgemm_t \(isa) tile \(tile) k blocks ≤ \(kBlock) n \(n) K \(k) N \(nOut) accumulate \(accumulate)")
                    }
                }
            }
        }
    }

    @Test("split transposed product (the LSTM step's x·W + h·U): two chains from zero summed once, bitwise, in every ISA, tile and k blocking")
    func transposedSplitProduct() {
        var rng = XorShift(seed: 0x5B1)
        // (n, K, N): 16 and 48 rows end in an unpaired 16-lane panel; N = 100 leaves a 4-row W^T panel.
        let shapes = [(16, 384, 1024), (32, 384, 1024), (48, 37, 100), (16, 9, 24), (16, 600, 36)]
        for (n, k, nOut) in shapes {
            let ldx = k, ldc = n + 3
            let x = (0..<(n * ldx)).map { _ in rng.signed() }, w = (0..<(k * nOut)).map { _ in rng.signed() }
            var packed = [Float](repeating: .nan, count: max(1, prnn_sgemm_packed_t_count(Int32(k), Int32(nOut))))
            var panels = [Float](repeating: .nan, count: max(1, prnn_rows_t_count(Int32(n), Int32(k))))
            prnn_sgemm_pack_t(Int32(k), Int32(nOut), w, Int32(nOut), &packed)
            prnn_pack_rows_t(Int32(n), Int32(k), x, Int32(ldx), &panels)
            for split in [1, k / 3, k - 1] where split > 0 && split < k {
                // Reference: X[:, :s]·W[:s] and X[:, s:]·W[s:] row-major and portable, each from zero, then summed.
                var lo = [Float](repeating: 0, count: n * nOut), hi = lo
                withISA(PRNN_ISA_PORTABLE) {
                    prnn_sgemm(Int32(n), Int32(nOut), Int32(split), x, Int32(ldx), w, Int32(nOut), &lo, Int32(nOut), 0)
                    w.withUnsafeBufferPointer { wp in
                        x.withUnsafeBufferPointer { xp in
                            prnn_sgemm(Int32(n), Int32(nOut), Int32(k - split), xp.baseAddress! + split, Int32(ldx),
                                       wp.baseAddress! + split * nOut, Int32(nOut), &hi, Int32(nOut), 0)
                        }
                    }
                }
                let ref = zip(lo, hi).map { $0 + $1 }
                for isa in supportedISAs() {
                    for tile in tiles(for: isa) {
                        for kBlock: Int32 in [0, 256, 100, 7] {
                            var c = [Float](repeating: -7, count: nOut * ldc)
                            withISA(isa) {
                                withTile(tile) {
                                    prnn_force_t_kc(kBlock)
                                    defer { prnn_force_t_kc(-1) }
                                    prnn_sgemm_t_split(Int32(nOut), Int32(n), Int32(k), Int32(split), packed, panels, &c,
                                                       Int32(ldc))
                                }
                            }
                            let same = (0..<nOut).allSatisfy { j in
                                (0..<n).allSatisfy { c[j * ldc + $0].bitPattern == ref[$0 * nOut + j].bitPattern }
                                    && (n..<ldc).allSatisfy { c[j * ldc + $0] == -7 }
                            }
                            #expect(same, "sgemm_t_split \(isa) tile \(tile) k blocks ≤ \(kBlock) n \(n) K \(k) split \(split) N \(nOut)")
                        }
                    }
                }
            }
        }
    }

    @Test("A row's result is bitwise the same whether computed alone or inside a large M, in every ISA")
    func rowIndependence() {
        var rng = XorShift(seed: 42)
        let p = Problem(m: 203, n: 1030, k: 300, pad: 5, rng: &rng)
        let packed = p.packed()
        for isa in supportedISAs() {
            withISA(isa) {
                let whole = p.sgemmPacked(packed, accumulate: true)
                let wholePlain = p.sgemm(accumulate: true)
                for rows in [0..<1, 5..<6, 11..<13, 100..<107, 190..<203, 37..<38] {
                    let part = p.sgemmPacked(packed, accumulate: true, rows: rows)
                    let range = (rows.lowerBound * p.ldc)..<(rows.upperBound * p.ldc)
                    #expect(bits(Array(part[range])) == bits(Array(whole[range])), "\(isa) rows \(rows)")
                    #expect(bits(Array(wholePlain[range])) == bits(Array(whole[range])), "\(isa) rows \(rows) plain")
                }
            }
        }
    }

    @Test("K = 0 gives +0 (or leaves C when accumulating); empty M or N does nothing")
    func degenerateShapes() {
        var c: [Float] = [1, -2, 3, 4]
        let a: [Float] = [9], b: [Float] = [9]
        prnn_sgemm(2, 2, 0, a, 1, b, 2, &c, 2, 1)
        #expect(c == [1, -2, 3, 4])
        prnn_sgemm(2, 2, 0, a, 1, b, 2, &c, 2, 0)
        #expect(bits(c) == bits([0, 0, 0, 0] as [Float]))
        c = [5, 5, 5, 5]
        prnn_sgemm(0, 2, 3, a, 3, b, 2, &c, 2, 0)
        prnn_sgemm(2, 0, 3, a, 3, b, 2, &c, 2, 0)
        #expect(c == [5, 5, 5, 5])
    }

    @Test("dgemm matches a high-precision reference; every ISA bitwise equal to portable")
    func dgemm() {
        var rng = XorShift(seed: 7)
        for (m, n, k) in [(1, 1, 1), (3, 17, 5), (9, 8, 33), (33, 31, 64), (70, 130, 100)] {
            let lda = k + 1, ldb = n + 2, ldc = n + 3
            let a = (0..<(m * lda)).map { _ in Double(rng.signed()) + 1e-9 * Double(rng.signed()) }
            let b = (0..<(k * ldb)).map { _ in Double(rng.signed()) }
            let c0 = (0..<(m * ldc)).map { _ in Double(rng.signed()) }
            func run() -> [Double] {
                var c = c0
                prnn_dgemm(Int32(m), Int32(n), Int32(k), a, Int32(lda), b, Int32(ldb), &c, Int32(ldc), 1)
                return c
            }
            let portable = withISA(PRNN_ISA_PORTABLE) { run() }
            for i in 0..<m {
                for j in 0..<n {
                    var acc = c0[i * ldc + j], mag = abs(acc)
                    for kk in 0..<k { let t = a[i * lda + kk] * b[kk * ldb + j]; acc += t; mag += abs(t) }
                    #expect(abs(portable[i * ldc + j] - acc) <= 1e-14 * mag)
                }
            }
            for isa in supportedISAs() { withISA(isa) { #expect(bits(run()) == bits(portable), "\(isa) \(m)×\(n)×\(k)") } }
        }
    }

    // ------------------------------------------------------------ activations
    private static let floatInputs: [Float] = {
        var rng = XorShift(seed: 99)
        var x: [Float] = [0, -0.0, .infinity, -.infinity, .nan, -.nan, 0x1p-133, -0x1p-133, 1e-30, 0.625, -0.625, 0.62499997,
                          9, 87, -87, -88.7, -100, -103, -104.5, 1e30, -1e30, .greatestFiniteMagnitude,
                          -.greatestFiniteMagnitude, 2.5, -2.5, 1, -1]
        x += (0..<20_000).map { _ in rng.signed() * 12 }
        x += (0..<20_000).map { _ in
            let v = Float(exp(Double(rng.signed()) * 80)); return rng.next() & 1 == 0 ? v : -v
        }
        return x
    }()

    private static func apply(_ act: prnn_activation, _ x: [Float]) -> [Float] {
        var y = [Float](repeating: 0, count: x.count)
        prnn_activation_f32(act, x, &y, x.count)
        return y
    }
    private static func apply(_ act: prnn_activation, _ x: [Double]) -> [Double] {
        var y = [Double](repeating: 0, count: x.count)
        prnn_activation_f64(act, x, &y, x.count)
        return y
    }

    /// Reference in Double (libm), with the same special-value conventions.
    private static func reference(_ act: prnn_activation, _ x: Double) -> Double {
        switch act {
        case PRNN_ACT_TANH: return tanh(x)
        case PRNN_ACT_SIGMOID: return x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x))
        case PRNN_ACT_RELU: return x.isNaN ? x : (x > 0 ? x : 0)
        default: return x
        }
    }

    @Test("float activations agree with libm (tanh, sigmoid ≤ 1e-6 relative; hard sigmoid and relu exact)")
    func floatActivationsAccuracy() {
        let x = Self.floatInputs
        for act in [PRNN_ACT_TANH, PRNN_ACT_SIGMOID, PRNN_ACT_RELU, PRNN_ACT_LINEAR] {
            let y = Self.apply(act, x)
            for (xi, yi) in zip(x, y) {
                if xi.isNaN { #expect(yi.isNaN); continue }
                let r = Self.reference(act, Double(xi))
                if !r.isFinite {
                    #expect(Double(yi) == r, "\(act)(\(xi))")
                } else if abs(r) < Double(Float.leastNormalMagnitude) {
                    #expect(abs(Double(yi) - r) <= Double(Float.leastNonzeroMagnitude), "\(act)(\(xi))")
                } else {
                    #expect(abs(Double(yi) - r) <= 1e-6 * abs(r), "\(act)(\(xi)) = \(yi), libm \(r)")
                }
            }
        }
        // Signs and limits.
        let t = Self.apply(PRNN_ACT_TANH, [-0.0, 0, .infinity, -.infinity, 0x1p-133, -1e30] as [Float])
        #expect(t[0].bitPattern == (-0.0 as Float).bitPattern)
        #expect(t[1].bitPattern == (0.0 as Float).bitPattern)
        #expect(t[2] == 1 && t[3] == -1 && t[5] == -1)
        let s = Self.apply(PRNN_ACT_SIGMOID, [.infinity, -.infinity, -0.0, 0, 20] as [Float])
        #expect(s[0] == 1 && s[1] == 0 && s[2] == 0.5 && s[3] == 0.5)
        // tf_keras 2.x hard_sigmoid: clip(x·0.2 + 0.5, 0, 1), multiply and add rounded separately.
        let h = Self.apply(PRNN_ACT_HARD_SIGMOID, x)
        for (xi, hi) in zip(x, h) {
            if xi.isNaN { #expect(hi.isNaN); continue }
            var v = xi * 0.2
            v = v + 0.5
            #expect(hi == min(max(v, 0), 1), "hard_sigmoid(\(xi))")
        }
    }

    /// The Keras activations beyond the API file's five, in Double (libm), and the scale below which their error is
    /// measured absolutely: TF's own formulas cancel there (elu/selu's exp(x) − 1), or mish's tanh(softplus(x)) adds two
    /// functions' errors where both are small. gelu is relative, but its erfc(−x·0.7071…) magnifies the rounding of its
    /// argument by ≈ x² in its left tail: the bound grows with x² there.
    fileprivate static let moreActivations: [(prnn_activation, floor: Double, @Sendable (Double) -> Double)] = [
        (PRNN_ACT_SOFTSIGN, 0, { $0 / (abs($0) + 1) }),
        (PRNN_ACT_SOFTPLUS, 0, { $0 > 40 ? $0 : log1p(exp($0)) }),
        (PRNN_ACT_ELU, 1, { $0 < 0 ? expm1($0) : $0 }),
        (PRNN_ACT_SELU, 1, { 1.0507009873554804934193349852946 * ($0 < 0 ? 1.6732632423543772848170429916717 * expm1($0) : $0) }),
        (PRNN_ACT_EXPONENTIAL, 0, { exp($0) }),
        (PRNN_ACT_SWISH, 0, { $0 >= 0 ? $0 / (1 + exp(-$0)) : $0 * exp($0) / (1 + exp($0)) }),
        (PRNN_ACT_GELU, 0, { 0.5 * $0 * erfc(-$0 / 2.0.squareRoot()) }),
        (PRNN_ACT_MISH, 1, { $0 * tanh($0 > 40 ? $0 : log1p(exp($0))) }),
        (PRNN_ACT_RELU6, 0, { $0 > 0 ? min($0, 6) : 0 }),
        (PRNN_ACT_LEAKY_RELU, 0, { $0 > 0 ? $0 : $0 * Double(Float(0.2)) }),  // TF's alpha is a float attribute
    ]

    @Test("Keras's other activations (softsign, softplus, elu, selu, exponential, swish, gelu, mish, relu6, leaky_relu) agree with libm: float ≤ 1e-6, double ≤ 2e-15, relative above their scale (gelu: × x² in its tail); a NaN comes back as itself")
    func moreActivationsAccuracy() {
        let x = Self.floatInputs
        var rng = XorShift(seed: 5)
        var xd: [Double] = [0, -0.0, .infinity, -.infinity, .nan, 0x1p-1030, -0x1p-1030, 19, -30, -700, 710, -745, 1e300]
        xd += (0..<20_000).map { _ in Double(rng.signed()) * 40 + 1e-9 * Double(rng.signed()) }
        for (act, floor, f) in Self.moreActivations {
            // swish and gelu multiply a result that underflowed (sigmoid's, erfc's) by x: so is its denormal rounding.
            let scale = { (x: Double) in act == PRNN_ACT_SWISH || act == PRNN_ACT_GELU ? max(1, abs(x)) : 1 }
            let widen = { (x: Double) in act == PRNN_ACT_GELU ? max(1, x * x) : 1 }
            for (xi, yi) in zip(x, Self.apply(act, x)) {
                var r = f(Double(xi))
                if r.isFinite && abs(r) > Double(Float.greatestFiniteMagnitude) { r = r < 0 ? -.infinity : .infinity }
                if xi.isNaN { #expect(yi.bitPattern == xi.bitPattern, "\(act)(NaN \(xi.bitPattern)) = \(yi.bitPattern)"); continue }
                if r.isNaN { #expect(yi.isNaN, "\(act)(\(xi)) = \(yi), libm \(r)"); continue }
                if !r.isFinite {
                    #expect(Double(yi) == r, "\(act)(\(xi)) = \(yi), libm \(r)")
                } else if floor == 0 && abs(r) / scale(Double(xi)) < Double(Float.leastNormalMagnitude) {
                    let tol = max(Double(Float.leastNonzeroMagnitude) * scale(Double(xi)), 1e-6 * widen(Double(xi)) * abs(r))
                    #expect(abs(Double(yi) - r) <= tol, "\(act)(\(xi)) = \(yi), libm \(r)")
                } else {
                    #expect(abs(Double(yi) - r) <= 1e-6 * widen(Double(xi)) * max(abs(r), floor), "\(act)(\(xi)) = \(yi), libm \(r)")
                }
            }
            for (xi, yi) in zip(xd, Self.apply(act, xd)) {
                let r = f(xi)
                if xi.isNaN { #expect(yi.bitPattern == xi.bitPattern, "\(act)(NaN) f64"); continue }
                if r.isNaN { #expect(yi.isNaN, "\(act)(\(xi)) f64"); continue }
                if !r.isFinite {
                    #expect(yi == r, "\(act)(\(xi)) f64 = \(yi), libm \(r)")
                } else if floor == 0 && abs(r) / scale(xi) < Double.leastNormalMagnitude {
                    let tol = max(4 * Double.leastNonzeroMagnitude * scale(xi), 2e-15 * widen(xi) * abs(r))
                    #expect(abs(yi - r) <= tol, "\(act)(\(xi)) f64 = \(yi), libm \(r)")
                } else {
                    #expect(abs(yi - r) <= 2e-15 * widen(xi) * max(abs(r), floor), "\(act)(\(xi)) f64 = \(yi), libm \(r)")
                }
            }
        }
        // TF's cut-offs and signs: softplus is x above 13.94…, exp(x) below -13.94…; elu and selu keep -0.
        let sp = Self.apply(PRNN_ACT_SOFTPLUS, [14, 1e30, -14, -1e30, .infinity, -.infinity] as [Float])
        #expect(sp[0] == 14 && sp[1] == 1e30 && sp[3] == 0 && sp[4] == .infinity && sp[5] == 0)
        #expect(sp[2] == Self.apply(PRNN_ACT_EXPONENTIAL, [-14] as [Float])[0])
        for act in [PRNN_ACT_ELU, PRNN_ACT_SELU, PRNN_ACT_SOFTSIGN] {
            #expect(Self.apply(act, [-0.0] as [Float])[0].bitPattern == (-0.0 as Float).bitPattern, "\(act)(-0)")
        }
        #expect(Self.apply(PRNN_ACT_EXPONENTIAL, [89, -104.5] as [Float]) == [.infinity, 0])
        // relu6 and leaky_relu are exact, with TF's signs: relu6(−0) = +0 (cwiseMax(0)), leaky_relu(−0) = −0 (x·0.2f).
        let xs = Self.floatInputs + [-0.0, 6, 6.000001, -.infinity, .infinity]
        for (xi, yi) in zip(xs, Self.apply(PRNN_ACT_RELU6, xs)) where !xi.isNaN {
            #expect(yi.bitPattern == (xi > 0 ? min(xi, 6) : 0).bitPattern, "relu6(\(xi)) = \(yi)")
        }
        for (xi, yi) in zip(xs, Self.apply(PRNN_ACT_LEAKY_RELU, xs)) where !xi.isNaN {
            #expect(yi.bitPattern == (xi > 0 ? xi : xi * 0.2).bitPattern, "leaky_relu(\(xi)) = \(yi)")
        }
        let xds: [Double] = [-0.0, -1, 6.5, -.infinity]
        #expect(Self.apply(PRNN_ACT_RELU6, xds).map(\.bitPattern) == [0, 0, 6, 0].map { ($0 as Double).bitPattern })
        #expect(Self.apply(PRNN_ACT_LEAKY_RELU, xds).map(\.bitPattern)
                == [-0.0, -Double(Float(0.2)), 6.5, -.infinity].map(\.bitPattern))
    }

    @Test("each public Tensor activation function runs its kernel, in Float and Double")
    func tensorFunctionsAreTheKernels() throws {
        typealias F = (Tensor<Float>) -> Tensor<Float>
        typealias D = (Tensor<Double>) -> Tensor<Double>
        let functions: [(prnn_activation, F, D)] = [
            (PRNN_ACT_TANH, tanh, tanh), (PRNN_ACT_SIGMOID, sigmoid, sigmoid),
            (PRNN_ACT_HARD_SIGMOID, hardSigmoid, hardSigmoid), (PRNN_ACT_RELU, relu, relu),
            (PRNN_ACT_SOFTSIGN, softsign, softsign), (PRNN_ACT_SOFTPLUS, softplus, softplus), (PRNN_ACT_ELU, elu, elu),
            (PRNN_ACT_SELU, selu, selu), (PRNN_ACT_EXPONENTIAL, exp, exp), (PRNN_ACT_SWISH, swish, swish),
            (PRNN_ACT_GELU, gelu, gelu), (PRNN_ACT_MISH, mish, mish), (PRNN_ACT_RELU6, relu6, relu6),
            (PRNN_ACT_LEAKY_RELU, leakyRelu, leakyRelu),
        ]
        let x = Array(Self.floatInputs.prefix(1000))
        let t = try Tensor<Float>(shape: [10, 100], scalars: x)
        let td = try Tensor<Double>(shape: [10, 100], scalars: x.map { Double($0) * 7.5 })
        for (act, f, d) in functions {
            #expect(f(t).scalars.map(\.bitPattern) == Self.apply(act, x).map(\.bitPattern), "\(act) Float")
            #expect(d(td).scalars.map(\.bitPattern) == Self.apply(act, td.scalars).map(\.bitPattern), "\(act) Double")
            #expect(f(t).shape == [10, 100])
        }
    }

    @Test("double activations agree with libm to ~1e-15 relative")
    func doubleActivationsAccuracy() {
        var rng = XorShift(seed: 3)
        var x: [Double] = [0, -0.0, .infinity, -.infinity, .nan, 0x1p-1030, -0x1p-1030, 0.625, -0.625, 19, -700, -745, -800, 1e300]
        x += (0..<20_000).map { _ in Double(rng.signed()) * 40 + 1e-9 * Double(rng.signed()) }
        x += Self.floatInputs.filter { $0.isFinite }.map { Double($0) * (1 + 1e-9) }
        for act in [PRNN_ACT_TANH, PRNN_ACT_SIGMOID] {
            let y = Self.apply(act, x)
            for (xi, yi) in zip(x, y) {
                if xi.isNaN { #expect(yi.isNaN); continue }
                let r = Self.reference(act, xi)
                if !r.isFinite {
                    #expect(yi == r, "\(act)(\(xi))")
                } else if abs(r) < Double.leastNormalMagnitude {
                    #expect(abs(yi - r) <= 4 * Double.leastNonzeroMagnitude, "\(act)(\(xi))")
                } else {
                    #expect(abs(yi - r) <= 2e-15 * abs(r), "\(act)(\(xi)) = \(yi), libm \(r)")
                }
            }
        }
    }

    @Test("every ISA's activations are bitwise equal to portable, for all lengths (tails) and in place")
    func activationsAcrossISAs() {
        let x = Self.floatInputs
        let xd = x.map { Double($0) * (1 + 1e-7) }
        for act in [PRNN_ACT_TANH, PRNN_ACT_SIGMOID, PRNN_ACT_HARD_SIGMOID, PRNN_ACT_RELU, PRNN_ACT_LINEAR]
            + Self.moreActivations.map(\.0) {
            let portable = withISA(PRNN_ISA_PORTABLE) { Self.apply(act, x) }
            let portableD = withISA(PRNN_ISA_PORTABLE) { Self.apply(act, xd) }
            for isa in supportedISAs() {
                withISA(isa) {
                    #expect(bits(Self.apply(act, x)) == bits(portable), "\(act) \(isa) f32")
                    #expect(bits(Self.apply(act, xd)) == bits(portableD), "\(act) \(isa) f64")
                    for length in 0..<40 {
                        let slice = Array(x[3..<(3 + length)])
                        #expect(bits(Self.apply(act, slice)) == bits(Array(portable[3..<(3 + length)])), "\(act) \(isa) tail \(length)")
                    }
                    var inPlace = x
                    inPlace.withUnsafeMutableBufferPointer { p in prnn_activation_f32(act, p.baseAddress, p.baseAddress, p.count) }
                    #expect(bits(inPlace) == bits(portable), "\(act) \(isa) in place")
                }
            }
        }
    }

    @Test("packed sizes are computed without int overflow up to Int32.max columns or rows")
    func packedSizesAtTheLimit() {
        let m = Int32.max
        #expect(prnn_sgemm_packed_b_count(1, m) == 2_147_483_648)  // 32-column pairs of panels
        #expect(prnn_sgemm_packed_t_count(1, m) == 2_147_483_652)  // 12-row panels of W^T
        #expect(prnn_rows_t_count(m, 1) == 2_147_483_648)          // 16-lane panels
        #expect(prnn_sgemm_packed_t_count(3, 13) == 3 * 24)
    }

    @Test("buffers: 64-byte aligned; small ones kept per thread; mid-size ones kept; large ones 2 MiB aligned, kept after free and handed out again for the same size class, the oldest evicted when full, released on request")
    func buffers() throws {
        prnn_release_cached_buffers()  // this thread's small list starts empty
        #expect(prnn_thread_cached_small_bytes() == 0)
        let small = try #require(prnn_alloc_buffer(1000))
        #expect(UInt(bitPattern: small) % 64 == 0)
        small.storeBytes(of: 7, toByteOffset: 1020, as: Int32.self)  // the whole size is usable
        prnn_free_buffer(small, 1000)
        // Small buffers: kept in this thread's list by 64-byte size class (1000 and 970 bytes share 1024).
        #expect(prnn_thread_cached_small_bytes() == 1024)
        let reused = try #require(prnn_alloc_buffer(970))
        #expect(reused == small, "a kept small buffer is reused on the same thread")
        let kept = try (0..<9).map { _ in try #require(prnn_alloc_buffer(4096)) }
        prnn_free_buffer(reused, 970)
        for b in kept { prnn_free_buffer(b, 4096) }
        #expect(prnn_thread_cached_small_bytes() == 8 * 4096, "the 8 most recently released kept")
        #expect(prnn_alloc_buffer(4096) == kept[8], "the newest first")
        prnn_free_buffer(kept[8], 4096)
        prnn_release_cached_buffers()
        let larger = try (0..<5).map { _ in try #require(prnn_alloc_buffer(128 << 10)) }
        for b in larger {
            #expect(UInt(bitPattern: b) % 64 == 0)
            prnn_free_buffer(b, 128 << 10)
        }
        #expect(prnn_thread_cached_small_bytes() == 512 << 10, "at most 512 KiB kept")
        #expect(prnn_alloc_buffer(128 << 10) == larger[4], "the newest kept, the oldest freed")
        prnn_free_buffer(larger[4], 128 << 10)
        prnn_release_cached_buffers()
        #expect(prnn_thread_cached_small_bytes() == 0, "released with the large ones")
        // Above 128 KiB and below 4 MiB: kept in the shared cache in 4 KiB-page size classes.
        let midBytes = 1_000_000 + 37  // a size class no other test uses
        let mid = try #require(prnn_alloc_buffer(midBytes))
        #expect(UInt(bitPattern: mid) % 64 == 0)
        mid.storeBytes(of: 9, toByteOffset: midBytes - 4, as: Int32.self)
        prnn_free_buffer(mid, midBytes)
        let midAgain = try #require(prnn_alloc_buffer(midBytes))
        #expect(midAgain == mid, "a kept mid-size buffer is reused")
        prnn_free_buffer(midAgain, midBytes)
        let bytes = 37 << 20  // a size class no other test in this process uses (they run concurrently)
        let first = try #require(prnn_alloc_buffer(bytes))
        #expect(UInt(bitPattern: first) % (2 << 20) == 0)
        first.storeBytes(of: 42, toByteOffset: bytes - 4, as: Int32.self)  // the whole size is usable
        prnn_free_buffer(first, bytes)
        let again = try #require(prnn_alloc_buffer(bytes - 1000))  // same 2 MiB size class
        #expect(again == first, "a kept buffer is reused")
        let other = try #require(prnn_alloc_buffer(bytes))  // the kept one is taken: a new buffer
        #expect(other != again)
        prnn_free_buffer(other, bytes)
        prnn_free_buffer(again, bytes - 1000)
        #expect(prnn_cached_buffer_bytes() >= 2 * (38 << 20), "both kept, in 2 MiB size classes")
        releaseCachedBuffers()  // the public spelling
        #expect(prnn_cached_buffer_bytes() == 0)
        // Just under 4 MiB rounds up to the 4 MiB class, whose buffers are handed to 4 MiB requests: 2 MiB aligned.
        let nearFour = (4 << 20) - 100
        let near = try #require(prnn_alloc_buffer(nearFour))
        #expect(UInt(bitPattern: near) % (2 << 20) == 0)
        prnn_free_buffer(near, nearFour)
        let exactFour = try #require(prnn_alloc_buffer(4 << 20))
        #expect(UInt(bitPattern: exactFour) % (2 << 20) == 0)
        prnn_free_buffer(exactFour, 4 << 20)
        releaseCachedBuffers()
        // A size that cannot be rounded to its class is a failure (NULL), not a tiny buffer.
        #expect(prnn_alloc_buffer(Int(bitPattern: UInt.max - 100)) == nil)

        // Full (16 buffers): a newly released buffer replaces the oldest kept one.
        let four = 4 << 20, six = 6 << 20
        let buffers = try (0..<16).map { _ in try #require(prnn_alloc_buffer(four)) }
        for b in buffers { prnn_free_buffer(b, four) }
        #expect(prnn_cached_buffer_bytes() == 16 * four)
        let newest = try #require(prnn_alloc_buffer(six))
        prnn_free_buffer(newest, six)
        #expect(prnn_cached_buffer_bytes() == 15 * four + six, "the oldest 4 MiB buffer made room")
        #expect(prnn_alloc_buffer(six) == newest, "and the newest is handed out again")
        prnn_free_buffer(newest, six)
        prnn_release_cached_buffers()
        #expect(prnn_cached_buffer_bytes() == 0)
    }

    @Test("flush-denormals enter/restore toggles FTZ/DAZ on the calling thread (x86)")
    func denormals() {
        let a: [Float] = [1e-20], b: [Float] = [1e-20]
        func product() -> Float {
            var c: [Float] = [0]
            prnn_sgemm(1, 1, 1, a, 1, b, 1, &c, 1, 0)
            return c[0]
        }
        #expect(product() > 0, "1e-40 is a denormal, kept by default")
        let previous = prnn_flush_denormals_enter()
        let flushed = product()
        prnn_flush_denormals_restore(previous)
        #if arch(x86_64)
        #expect(flushed == 0)
        #endif
        #expect(product() > 0)
    }
}

// ---------------------------------------------------------------- fused cell gate kernels (prnn_cells.h)

/// Inputs of one gate-kernel case: P [n, ldp] (G = gates·U used), R [n, rw], biases [G], states [n, U].
private struct GateCase {
    let n: Int, u: Int, ldp: Int
    let p: [Float], r: [Float], b: [Float], b2: [Float], h: [Float], c: [Float], z: [Float]
    let withBias: Bool

    /// withoutR: R is all +0 (the formulation's operand) and `run` passes NULL for it.
    let withoutR: Bool

    init(n: Int, u: Int, gates: Int, withBias: Bool, withoutR: Bool = false, rng: inout XorShift) {
        self.n = n; self.u = u; self.withBias = withBias; self.withoutR = withoutR
        ldp = gates * u + 3
        p = (0..<(n * ldp)).map { _ in 3 * rng.signed() }
        r = (0..<(n * gates * u)).map { _ in withoutR ? 0 : 3 * rng.signed() }
        b = (0..<(gates * u)).map { _ in rng.signed() }
        b2 = (0..<(gates * u)).map { _ in rng.signed() }
        h = (0..<(n * u)).map { _ in rng.signed() }
        c = (0..<(n * u)).map { _ in rng.signed() }
        z = (0..<(n * u)).map { _ in (rng.signed() + 1) / 2 }
    }
    var bias: [Float]? { withBias ? b : nil }
}

/// Optional array → pointer for the duration of `body`.
private func withOptional<R>(_ a: [Float]?, _ body: (UnsafePointer<Float>?) -> R) -> R {
    guard let a else { return body(nil) }
    return a.withUnsafeBufferPointer { body($0.baseAddress) }
}

/// The kernels under test, run on a case; returns every output array concatenated.
/// A Double value with the scale of the float rounding errors that reach it (``GateKernel/reference``).
private struct V {
    var v: Double, s: Double
    init(_ x: Double) { v = x; s = abs(x) }
    init(v: Double, s: Double) { self.v = v; self.s = s }
    static func + (a: V, b: V) -> V { V(v: a.v + b.v, s: a.s + b.s) }
    static func - (a: V, b: V) -> V { V(v: a.v - b.v, s: a.s + b.s) }
    static func * (a: V, b: V) -> V { V(v: a.v * b.v, s: a.s * b.s) }
}

private enum GateKernel: CaseIterable {
    case lstm, gruResetAfter, gruPhase1, gruPhase2, simpleRNN

    var gates: Int {
        switch self {
        case .lstm: 4
        case .gruResetAfter, .gruPhase1, .gruPhase2: 3
        case .simpleRNN: 1
        }
    }

    /// `strided`: h is read with row stride U + 5 and the new h written with row stride U + 7 (as the fused cells
    /// read and write the output sequence's rows); the padding between rows must stay untouched.
    func run(_ t: GateCase, act: prnn_activation, ract: prnn_activation, strided: Bool = false) -> [Float] {
        let n = Int32(t.n), u = Int32(t.u), ldp = Int32(t.ldp), count = t.n * t.u
        let ldh = strided ? t.u + 5 : t.u, ldnh = strided ? t.u + 7 : t.u
        var hs = [Float](repeating: .nan, count: max(1, t.n * ldh))
        for r in 0..<t.n { for j in 0..<t.u { hs[r * ldh + j] = t.h[r * t.u + j] } }
        let sentinel: Float = -7
        var nh = [Float](repeating: sentinel, count: max(1, t.n * ldnh))
        var out1 = [Float](repeating: .nan, count: count), out2 = [Float](repeating: .nan, count: count)
        withOptional(t.bias) { bias in
            switch self {
            case .lstm:
                withOptional(t.withoutR ? nil : t.r) { r in
                    prnn_lstm_gates_f32(n, u, t.p, ldp, r, bias, t.c, &out1, &nh, Int32(ldnh), act, ract)
                }
            case .gruResetAfter:
                withOptional(t.withBias ? t.b2 : nil) { rbias in
                    prnn_gru_gates_reset_after_f32(n, u, t.p, ldp, t.r, bias, rbias, hs, Int32(ldh), &nh, Int32(ldnh),
                                                   act, ract)
                }
            case .gruPhase1:
                prnn_gru_gates_phase1_f32(n, u, t.p, ldp, t.r, bias, hs, Int32(ldh), &out1, &out2, ract)
            case .gruPhase2:
                prnn_gru_gates_phase2_f32(n, u, t.p, ldp, t.r, bias, hs, Int32(ldh), t.z, &nh, Int32(ldnh), act)
            case .simpleRNN:
                withOptional(t.withoutR ? nil : t.r) { r in
                    prnn_simple_rnn_f32(n, u, t.p, ldp, r, bias, &nh, Int32(ldnh), act)
                }
            }
        }
        if self != .gruPhase1 {
            let newH = (0..<t.n).flatMap { r in nh[(r * ldnh)..<(r * ldnh + t.u)] }
            let padding = (0..<t.n).flatMap { r in nh[(r * ldnh + t.u)..<(r * ldnh + ldnh)] }
            #expect(padding.allSatisfy { $0 == sentinel }, "\(self): the gap between strided rows was written")
            if self == .lstm { out2 = newH } else { out1 = newH }
        }
        switch self {
        case .lstm, .gruPhase1: return out1 + out2
        default: return out1
        }
    }

    /// The previous per-step formulation (scalar IEEE operations, prnn_activation_f32 on the pre-activations):
    /// the kernels must equal it bit for bit.
    func formulation(_ t: GateCase, act: prnn_activation, ract: prnn_activation) -> [Float] {
        let u = t.u
        func a(_ kind: prnn_activation, _ x: [Float]) -> [Float] {
            var y = x
            x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { prnn_activation_f32(kind, xp.baseAddress, $0.baseAddress, x.count) } }
            return y
        }
        func add(_ x: Float, _ y: Float) -> Float { x + y }
        func mul(_ x: Float, _ y: Float) -> Float { x * y }
        var out1: [Float] = [], out2: [Float] = []
        for row in 0..<t.n {
            let p = Array(t.p[(row * t.ldp)..<(row * t.ldp + gates * u)])
            let hr = Array(t.h[(row * u)..<(row * u + u)])
            switch self {
            case .lstm:
                var z = (0..<(4 * u)).map { add(p[$0], t.r[row * 4 * u + $0]) }
                if t.withBias { z = (0..<(4 * u)).map { add(z[$0], t.b[$0]) } }
                let i = a(ract, Array(z[0..<u])), f = a(ract, Array(z[u..<(2 * u)]))
                let g = a(act, Array(z[(2 * u)..<(3 * u)])), o = a(ract, Array(z[(3 * u)..<(4 * u)]))
                let cn = (0..<u).map { add(mul(f[$0], t.c[row * u + $0]), mul(i[$0], g[$0])) }
                let ac = a(act, cn)
                out1 += cn
                out2 += (0..<u).map { mul(o[$0], ac[$0]) }
            case .gruResetAfter:
                let x = (0..<(3 * u)).map { t.withBias ? add(p[$0], t.b[$0]) : p[$0] }
                let inner = (0..<(3 * u)).map { t.withBias ? add(t.r[row * 3 * u + $0], t.b2[$0]) : t.r[row * 3 * u + $0] }
                let z = a(ract, (0..<u).map { add(x[$0], inner[$0]) })
                let r = a(ract, (0..<u).map { add(x[u + $0], inner[u + $0]) })
                let hh = a(act, (0..<u).map { add(x[2 * u + $0], mul(r[$0], inner[2 * u + $0])) })
                out1 += (0..<u).map { add(mul(z[$0], hr[$0]), mul(1 - z[$0], hh[$0])) }
            case .gruPhase1:
                let x = (0..<(2 * u)).map { t.withBias ? add(p[$0], t.b[$0]) : p[$0] }
                let z = a(ract, (0..<u).map { add(x[$0], t.r[row * 2 * u + $0]) })
                let r = a(ract, (0..<u).map { add(x[u + $0], t.r[row * 2 * u + u + $0]) })
                out1 += z
                out2 += (0..<u).map { mul(r[$0], hr[$0]) }
            case .gruPhase2:
                let xh = (0..<u).map { t.withBias ? add(p[2 * u + $0], t.b[2 * u + $0]) : p[2 * u + $0] }
                let hh = a(act, (0..<u).map { add(xh[$0], t.r[row * u + $0]) })
                let z = Array(t.z[(row * u)..<(row * u + u)])
                out1 += (0..<u).map { add(mul(z[$0], hr[$0]), mul(1 - z[$0], hh[$0])) }
            case .simpleRNN:
                let x = (0..<u).map { t.withBias ? add(p[$0], t.b[$0]) : p[$0] }
                out1 += a(act, (0..<u).map { add(x[$0], t.r[row * u + $0]) })
            }
        }
        return out1 + out2
    }

    /// The same cell written straightforwardly in Double with libm activations: each output's value, and its scale —
    /// the size of the float rounding errors that reach it, relative to which the kernels' result is checked (a sum's
    /// scale is the sum of its terms' scales, a product's the product, an activation's |f(x)| + |f'(x)|·scale(x):
    /// where unbounded activations make terms cancel, the value alone understates it).
    func reference(_ t: GateCase, act: prnn_activation, ract: prnn_activation) -> [(value: Double, scale: Double)] {
        let u = t.u
        func a(_ kind: prnn_activation, _ x: V) -> V {
            let y: Double, slope: Double  // slope: a bound of |f'| near x
            switch kind {
            case PRNN_ACT_TANH: y = tanh(x.v); slope = 1
            case PRNN_ACT_SIGMOID: y = 1 / (1 + exp(-x.v)); slope = 0.25
            case PRNN_ACT_HARD_SIGMOID: y = min(max(0.2 * x.v + 0.5, 0), 1); slope = 0.2
            case PRNN_ACT_RELU: y = max(x.v, 0); slope = 1
            case PRNN_ACT_EXPONENTIAL: y = exp(x.v); slope = 2 * y
            default: y = KernelTests.moreActivations.first { $0.0 == kind }.map { $0.2(x.v) } ?? x.v; slope = 2
            }
            return V(v: y, s: abs(y) + slope * x.s)
        }
        func d(_ x: [Float], _ i: Int) -> V { V(Double(x[i])) }
        var out1: [V] = [], out2: [V] = []
        for row in 0..<t.n {
            func p(_ j: Int) -> V { d(t.p, row * t.ldp + j) + (t.withBias ? d(t.b, j) : V(0)) }
            for j in 0..<u {
                let h = d(t.h, row * u + j)
                switch self {
                case .lstm:
                    func z(_ k: Int) -> V { p(k * u + j) + d(t.r, row * 4 * u + k * u + j) }
                    let cn = a(ract, z(1)) * d(t.c, row * u + j) + a(ract, z(0)) * a(act, z(2))
                    out1.append(cn)
                    out2.append(a(ract, z(3)) * a(act, cn))
                case .gruResetAfter:
                    func inner(_ k: Int) -> V { d(t.r, row * 3 * u + k * u + j) + (t.withBias ? d(t.b2, k * u + j) : V(0)) }
                    let z = a(ract, p(j) + inner(0)), r = a(ract, p(u + j) + inner(1))
                    let hh = a(act, p(2 * u + j) + r * inner(2))
                    out1.append(z * h + (V(1) - z) * hh)
                case .gruPhase1:
                    out1.append(a(ract, p(j) + d(t.r, row * 2 * u + j)))
                    out2.append(a(ract, p(u + j) + d(t.r, row * 2 * u + u + j)) * h)
                case .gruPhase2:
                    let z = d(t.z, row * u + j), hh = a(act, p(2 * u + j) + d(t.r, row * u + j))
                    out1.append(z * h + (V(1) - z) * hh)
                case .simpleRNN:
                    out1.append(a(act, p(j) + d(t.r, row * u + j)))
                }
            }
        }
        return (out1 + out2).map { ($0.v, $0.s) }
    }
}

extension KernelTests {
    private static let gateActivations: [(prnn_activation, prnn_activation)] = [
        (PRNN_ACT_TANH, PRNN_ACT_SIGMOID), (PRNN_ACT_RELU, PRNN_ACT_HARD_SIGMOID), (PRNN_ACT_LINEAR, PRNN_ACT_TANH),
        (PRNN_ACT_SOFTSIGN, PRNN_ACT_SWISH), (PRNN_ACT_ELU, PRNN_ACT_SOFTPLUS), (PRNN_ACT_SELU, PRNN_ACT_GELU),
        (PRNN_ACT_TANH, PRNN_ACT_EXPONENTIAL), (PRNN_ACT_GELU, PRNN_ACT_SIGMOID), (PRNN_ACT_MISH, PRNN_ACT_HARD_SIGMOID),
        (PRNN_ACT_RELU6, PRNN_ACT_LEAKY_RELU), (PRNN_ACT_LEAKY_RELU, PRNN_ACT_SIGMOID),
    ]

    @Test("gate kernels equal the per-step scalar formulation bitwise and a Double/libm reference within 1e-6; every ISA (all tails, contiguous or strided h rows) bitwise equal to portable; LSTM and SimpleRNN with R = NULL as with R = +0")
    func gateKernels() {
        var rng = XorShift(seed: 11)
        for kernel in GateKernel.allCases {
            for (n, u) in [(1, 1), (3, 5), (2, 8), (4, 13), (1, 16), (5, 17), (2, 31), (3, 33), (2, 64)] {
                for withBias in [true, false] {
                    for withoutR in kernel == .lstm || kernel == .simpleRNN ? [false, true] : [false] {
                        let t = GateCase(n: n, u: u, gates: kernel.gates, withBias: withBias, withoutR: withoutR, rng: &rng)
                        for (pair, (act, ract)) in Self.gateActivations.enumerated() {
                            let label = "\(kernel) n=\(n) U=\(u) bias=\(withBias) R=\(withoutR ? "NULL" : "given") \(act) \(ract)"
                            let portable = withISA(PRNN_ISA_PORTABLE) { kernel.run(t, act: act, ract: ract) }
                            let formulation = withISA(PRNN_ISA_PORTABLE) { kernel.formulation(t, act: act, ract: ract) }
                            #expect(bits(portable) == bits(formulation), "\(label): vs the scalar formulation")
                            let reference = kernel.reference(t, act: act, ract: ract)
                            let worst = zip(portable, reference).map { abs(Double($0) - $1.value) / max(1, $1.scale) }.max() ?? 0
                            #expect(worst <= 1e-6, "\(label): vs Double reference, worst \(worst)")
                            if pair < 3 {  // the tanh/sigmoid/hard-sigmoid/relu/linear pairs: also relative to the value
                                let worstValue = zip(portable, reference).map { abs(Double($0) - $1.value) / max(1, abs($1.value)) }.max() ?? 0
                                #expect(worstValue <= 1e-6, "\(label): vs Double reference (value), worst \(worstValue)")
                            }
                            for isa in supportedISAs() where isa != PRNN_ISA_PORTABLE {
                                // AVX-512: both gate variants (1 or 2 vectors per formula call; the tuner picks one).
                                for k: Int32 in isa == PRNN_ISA_AVX512 ? [1, 2] : [0] {
                                    prnn_force_avx512_gates_k(k)
                                    defer { prnn_force_avx512_gates_k(0) }
                                    let out = withISA(isa) { kernel.run(t, act: act, ract: ract) }
                                    #expect(bits(out) == bits(portable), "\(label): \(isa) (gates k \(k)) vs portable")
                                }
                            }
                            for isa in supportedISAs() {
                                let out = withISA(isa) { kernel.run(t, act: act, ract: ract, strided: true) }
                                #expect(bits(out) == bits(portable), "\(label): \(isa), strided h rows, vs portable")
                            }
                        }
                    }
                }
            }
        }
    }
}
