// Tests of the C kernel library (_ParallelRNNKernels) on its own: GEMM accuracy and the determinism contract
// (every ISA bitwise equal to portable, packed = unpacked, rows independent of M), activations vs libm and across ISAs.
// The suite forces ISAs through the process-global prnn_force_isa, so it is serialized and restores the ISA.
import Testing
import _ParallelRNNKernels
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
private func supportedISAs() -> [prnn_isa] {
    let best = prnn_detected_isa().rawValue
    return [PRNN_ISA_PORTABLE, PRNN_ISA_AVX2, PRNN_ISA_AVX512].filter { $0.rawValue <= best }
}

/// Runs `body` with `isa` forced, restoring the previous ISA afterwards.
private func withISA<T>(_ isa: prnn_isa, _ body: () throws -> T) rethrows -> T {
    let previous = prnn_active_isa()
    _ = prnn_force_isa(isa)
    defer { _ = prnn_force_isa(previous) }
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

    @Test("sgemm matches a Double reference on random and odd shapes; every ISA, packed and unpacked, bitwise equal to portable")
    func sgemmRandomShapes() {
        var rng = XorShift(seed: 0x5EED)
        let dims = [1, 2, 3, 5, 7, 8, 11, 12, 13, 16, 17, 31, 32, 33, 47, 64, 65, 97, 128, 193, 257, 300]
        var shapes: [(Int, Int, Int)] = (0..<30).map { _ in
            (dims[rng.int(dims.count)], dims[rng.int(dims.count)], dims[rng.int(dims.count)])
        }
        // K over several k blocks, M over several row blocks, N over many strips, tiny.
        shapes += [(150, 100, 700), (100, 1000, 257), (600, 70, 300), (1, 1, 1), (13, 2049, 3)]
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
            for isa in supportedISAs() {
                withISA(isa) {
                    #expect(bits(p.sgemm(accumulate: accumulate)) == bits(portable), "sgemm \(isa) \(m)×\(n)×\(k)")
                    #expect(bits(p.sgemmPacked(packed, accumulate: accumulate)) == bits(portable),
                            "sgemm_packed \(isa) \(m)×\(n)×\(k)")
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
        var x: [Float] = [0, -0.0, .infinity, -.infinity, .nan, -.nan, 1e-40, -1e-40, 1e-30, 0.625, -0.625, 0.62499997,
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
        let t = Self.apply(PRNN_ACT_TANH, [-0.0, 0, .infinity, -.infinity, 1e-40, -1e30] as [Float])
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

    @Test("double activations agree with libm to ~1e-15 relative")
    func doubleActivationsAccuracy() {
        var rng = XorShift(seed: 3)
        var x: [Double] = [0, -0.0, .infinity, -.infinity, .nan, 1e-310, -1e-310, 0.625, -0.625, 19, -700, -745, -800, 1e300]
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
        for act in [PRNN_ACT_TANH, PRNN_ACT_SIGMOID, PRNN_ACT_HARD_SIGMOID, PRNN_ACT_RELU, PRNN_ACT_LINEAR] {
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
