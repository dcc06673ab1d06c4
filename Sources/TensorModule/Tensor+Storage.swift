internal import CKernels

extension Tensor {
    /// A tensor of zeros.
    /// - Throws: ``TensorError`` when a dimension is negative or the element count overflows.
    package static func zeros(shape: [Int]) throws(TensorError) -> Tensor {
        let n = try checkedCount(shape, operation: "zeros")
        return Tensor(unchecked: shape, scalars: [Float](repeating: 0, count: n))
    }

    /// Creates a tensor without re-checking that `scalars.count` matches `shape` (callers guarantee it).
    init(unchecked shape: [Int], scalars: [Float]) {
        assert(Tensor.elementCount(of: shape) == scalars.count)
        self.init(validatingShape: shape, scalars: scalars)!
    }

    /// The element count of `shape`, or a thrown error naming `operation`.
    static func checkedCount(_ shape: [Int], operation: String) throws(TensorError) -> Int {
        guard let n = elementCount(of: shape) else {
            throw TensorError(.overflow, operation: operation,
                              message: "shape \(shape) has a negative dimension or too many elements")
        }
        return n
    }

    /// Allocates the scalars of a new tensor and lets `fill` write every one of them.
    /// `fill` must initialise all `count` elements.
    static func build(shape: [Int], count: Int,
                      _ fill: (UnsafeMutableBufferPointer<Float>) -> Void) -> Tensor {
        let scalars = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            if count > 0 { fill(buffer) }
            initialized = count
        }
        return Tensor(unchecked: shape, scalars: scalars)
    }

    /// Allocates a zero-filled tensor and lets `fill` accumulate into it.
    static func buildZeroed(shape: [Int], count: Int,
                            _ fill: (UnsafeMutableBufferPointer<Float>) -> Void) -> Tensor {
        var scalars = [Float](repeating: 0, count: count)
        if count > 0 { scalars.withUnsafeMutableBufferPointer { fill($0) } }
        return Tensor(unchecked: shape, scalars: scalars)
    }
}

/// `count` floats (at least one), uninitialised, at an address that is a multiple of 64 bytes (a cache line), for the
/// operations' own buffers: 16-lane loads and stores of rows whose length is a multiple of 16 floats then never
/// straddle two lines. (`malloc` gives 16-byte alignment: band buffers that happened to sit 16 or 48 bytes past a line
/// made every 64-byte load of their depthwise rows touch two lines, and that thread's share of MobileNetV2's
/// stride-2 blocks 1.17–1.22× as long as the other's.) Free with `deallocate()`.
func alignedFloats(_ count: Int) -> UnsafeMutablePointer<Float> {
    UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * MemoryLayout<Float>.stride, alignment: 64)
        .bindMemory(to: Float.self, capacity: max(count, 1))
}

/// This thread's scratch buffer of at least `count` floats, 64-byte aligned (`kp_thread_scratch`): kept by the thread
/// and reused by every later call, so a band-fused loop's per-chunk buffers cost no allocation and no free (glibc
/// consolidated its free lists on each free of such a block, on both cores, inside the loop). Valid until the thread's
/// next call: one user at a time, none nested (band-fused loops call no other user inside their chunks).
func threadScratch(_ count: Int, operation: String) -> UnsafeMutablePointer<Float> {
    guard let p = kp_thread_scratch(max(count, 1)) else {
        fatalError("\(operation): cannot allocate a band buffer of \(count) floats")
    }
    return p
}

/// Resolves a possibly negative axis against a rank, or throws naming `operation`.
func normalizeAxis(_ axis: Int, rank: Int, operation: String) throws(TensorError) -> Int {
    let a = axis < 0 ? axis + rank : axis
    guard a >= 0, a < rank else {
        throw TensorError.argument(operation, "axis \(axis) is out of range for rank \(rank)")
    }
    return a
}

/// The product of `shape[range]` (callers pass shapes whose total count is known not to overflow).
func product(_ dims: ArraySlice<Int>) -> Int {
    dims.reduce(1, *)
}
