import Foundation

extension Tensor {
    /// Builds the tensor from the data part of a `.npy` file whose dtype was checked (`format.isRead(as:)`):
    /// checks the payload size, converts the elements (byte swap, float16 → Float, bytes → Bool) and, for
    /// `fortran_order: True`, reorders the column-major payload into row-major storage.
    init(npyPayload data: Data, header: NPYHeader, format: NPYElementFormat, source: String) throws(RNNError) {
        precondition(format.isRead(as: Scalar.self) || (Scalar.self == Bool.self && format.isInteger),
                     "NPY payload of '\(header.descr)' decoded as \(Scalar.self)")
        guard let count = Tensor.elementCount(header.shape) else {
            throw .file(path: source, reason: "shape \(header.shape) is too large")
        }
        let (byteCount, overflow) = count.multipliedReportingOverflow(by: format.size)
        let available = data.count - header.dataOffset
        guard !overflow, available >= byteCount else {
            throw .file(path: source, reason: "truncated: shape \(header.shape) of '\(NPYHeader.excerpt(header.descr))' needs \(overflow ? "more" : String(byteCount)) data bytes, the file has \(max(available, 0))")
        }
        guard available == byteCount else {
            throw .file(path: source, reason: "\(available - byteCount) unexpected bytes after the data of shape \(header.shape)")
        }
        self.init(uninitializedShape: header.shape)
        guard count > 0 else { return }
        let offset = header.dataOffset
        let out = storage.base
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let src = raw.baseAddress! + offset
            // Rank ≤ 1 is the same in either order.
            guard header.fortranOrder, header.shape.count > 1 else {
                format.decode(src, count: count, into: out)
                return
            }
            let columnMajor = UnsafeMutablePointer<Scalar>.allocate(capacity: count)
            defer { columnMajor.deallocate() }
            format.decode(src, count: count, into: columnMajor)
            copyColumnMajorToRowMajor(columnMajor, out, shape: header.shape)
        }
    }
}

extension NPYElementFormat {
    /// Converts `count` file elements at `src` (any alignment) into `Scalar`s at `dst`, in the same order.
    /// `Scalar` must be the type this format is read as.
    func decode<Scalar: TensorScalar>(_ src: UnsafeRawPointer, count: Int, into dst: UnsafeMutablePointer<Scalar>) {
        let out = UnsafeMutableRawPointer(dst)
        switch (kind, size) {
        case (.bool, _), (.signed, _), (.unsigned, _):
            // numpy bools are bytes; anything non-zero is true (a Swift Bool must hold exactly 0 or 1). Integers
            // (masks, `npyIntegerMask`) are true when any of their bytes is non-zero, whatever the byte order.
            let bools = out.assumingMemoryBound(to: Bool.self)
            for i in 0..<count {
                var nonZero = false
                for b in 0..<size where src.load(fromByteOffset: i * size + b, as: UInt8.self) != 0 { nonZero = true }
                bools[i] = nonZero
            }
        case (.float, 2):
            let floats = out.assumingMemoryBound(to: Float.self)
            for i in 0..<count {
                let bits = src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)
                floats[i] = Float(npyHalfBits: bigEndian ? UInt16(bigEndian: bits) : UInt16(littleEndian: bits))
            }
        case (.float, 4) where bigEndian:
            // storeBytes: the destination is bound to Float; its bytes are written without rebinding it.
            for i in 0..<count {
                let word = UInt32(bigEndian: src.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))
                out.storeBytes(of: word, toByteOffset: 4 * i, as: UInt32.self)
            }
        case (.float, 8) where bigEndian:
            for i in 0..<count {
                let word = UInt64(bigEndian: src.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))
                out.storeBytes(of: word, toByteOffset: 8 * i, as: UInt64.self)
            }
        default:
            // Little-endian '<f4' / '<f8': the host's layout (ParallelRNN's platforms are little-endian).
            precondition(MemoryLayout<Scalar>.stride == size, "NPY element size \(size) decoded as \(Scalar.self)")
            out.copyMemory(from: src, byteCount: count * size)
        }
    }
}

/// Copies an array of `shape` stored in column-major (Fortran) order, the first axis fastest, into row-major
/// (C) order: the element at index (i0, …, in) moves from offset i0 + d0·(i1 + d1·(…)) to i0·s0 + … + in,
/// where s are the row-major strides. `shape` must have at least one axis.
func copyColumnMajorToRowMajor<T>(_ src: UnsafePointer<T>, _ dst: UnsafeMutablePointer<T>, shape: [Int]) {
    let count = shape.reduce(1, *)
    guard count > 0 else { return }
    // Axes of length 1 change no offset in either order; dropped, no column walks a long chain of them (a hostile
    // header of a million such axes would otherwise cost a million carries per column).
    let shape = shape.filter { $0 != 1 }
    guard !shape.isEmpty else { dst[0] = src[0]; return }
    let rank = shape.count
    var strides = [Int](repeating: 1, count: rank)
    for axis in stride(from: rank - 2, through: 0, by: -1) { strides[axis] = strides[axis + 1] * shape[axis + 1] }
    let rows = shape[0], rowStride = strides[0]
    var index = [Int](repeating: 0, count: rank)  // index[1...] of the current source column
    var target = 0  // the row-major offset of (0, index[1], …)
    var from = 0
    while from < count {
        // One source column: axis 0 from 0 to d0 - 1, contiguous in the source, strided in the target.
        for i in 0..<rows { dst[target + i * rowStride] = src[from + i] }
        from += rows
        var axis = 1
        while axis < rank {
            index[axis] += 1
            target += strides[axis]
            if index[axis] < shape[axis] { break }
            target -= shape[axis] * strides[axis]
            index[axis] = 0
            axis += 1
        }
    }
}
