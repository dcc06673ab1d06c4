import Foundation
import Testing
@testable import TensorModule
import _TestSupport

@Suite("Dense and matmul")
struct DenseTests {
    /// sgemm vs a naive dot product: rtol 1e-5 / atol 1e-5 for summation order (k up to 300).
    @Test("dense over any leading shape", arguments: [[5, 7], [2, 3, 7], [7], [2, 2, 2, 300]])
    func dense(shape: [Int]) throws {
        var rng = SeededRandom(seed: UInt64(shape.count * 17 + shape.last!))
        let k = shape.last!, n = 9
        let x = rng.tensor(shape), w = rng.tensor([k, n]), b = rng.tensor([n])
        let y = try Ops.dense(input: x, kernel: w, bias: b, activation: .tanh)
        #expect(y.shape == Array(shape.dropLast()) + [n])
        var expected = [Float]()
        for r in 0..<(x.count / k) {
            for j in 0..<n {
                var s: Float = 0
                for i in 0..<k { s += x.scalars[r * k + i] * w.scalars[i * n + j] }
                expected.append(Float(Foundation.tanh(Double(s + b.scalars[j]))))
            }
        }
        let c = closeness(y, Tensor(shape: y.shape, scalars: expected), rtol: 1e-5, atol: 1e-5)
        #expect(c.ok, "\(c)")
    }

    @Test func matmulTransposes() throws {
        var rng = SeededRandom(seed: 2)
        let a = rng.tensor([4, 3]), b = rng.tensor([5, 3])
        let y = try Ops.matmul(a: a, b: b, transposeB: true)
        #expect(y.shape == [4, 5])
        for i in 0..<4 { for j in 0..<5 {
            var s: Float = 0
            for t in 0..<3 { s += a[[i, t]] * b[[j, t]] }
            #expect(abs(y[[i, j]] - s) <= 1e-5)
        } }
        // m == 1 goes through GEMV: check every transpose combination against the naive product.
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            let a1 = rng.tensor(ta ? [6, 1] : [1, 6]), b1 = rng.tensor(tb ? [5, 6] : [6, 5])
            let y1 = try Ops.matmul(a: a1, b: b1, transposeA: ta, transposeB: tb)
            #expect(y1.shape == [1, 5])
            for j in 0..<5 {
                let s = (0..<6).map { a1.scalars[$0] * (tb ? b1[[j, $0]] : b1[[$0, j]]) }.reduce(0, +)
                #expect(abs(y1.scalars[j] - s) <= 1e-5, "transposeA \(ta) transposeB \(tb)")
            }
        }
        let batched = try Ops.batchMatmul(a: rng.tensor([2, 4, 3]), b: rng.tensor([3, 6]))
        #expect(batched.shape == [2, 4, 6])
        #expect(throws: TensorError.self) { try Ops.matmul(a: a, b: b) }
        #expect(throws: TensorError.self) { try Ops.dense(input: a, kernel: b) }
        #expect(throws: TensorError.self) { try Ops.dense(input: a, kernel: rng.tensor([3, 2]), bias: rng.tensor([3])) }
    }

    @Test func denseWithSoftmaxAndEmptyBatch() throws {
        var rng = SeededRandom(seed: 21)
        let y = try Ops.dense(input: rng.tensor([3, 4]), kernel: rng.tensor([4, 5]), activation: .softmax(axis: -1))
        for r in 0..<3 { #expect(abs(y.scalars[(r * 5)..<(r * 5 + 5)].reduce(0, +) - 1) < 1e-6) }
        let empty = try Ops.dense(input: Tensor(shape: [0, 4], scalars: []), kernel: rng.tensor([4, 5]))
        #expect(empty.shape == [0, 5])
    }
}

@Suite("Pooling")
struct PoolingTests {
    func naivePool(_ x: Tensor, pool: (Int, Int), strides: (Int, Int), same: Bool, max isMax: Bool) -> Tensor {
        let (n, h, w, c) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        var (oh, pt) = ((h - pool.0) / strides.0 + 1, 0), (ow, pl) = ((w - pool.1) / strides.1 + 1, 0)
        if same { (oh, pt) = samePadding(h, pool.0, strides.0, 1); (ow, pl) = samePadding(w, pool.1, strides.1, 1) }
        var y = Tensor(shape: [n, oh, ow, c], repeating: 0)
        for b in 0..<n { for i in 0..<oh { for j in 0..<ow { for ch in 0..<c {
            var acc: Float = isMax ? -.greatestFiniteMagnitude : 0
            var count = 0
            for a in 0..<pool.0 { for bb in 0..<pool.1 {
                let ih = i * strides.0 - pt + a, iw = j * strides.1 - pl + bb
                if ih < 0 || ih >= h || iw < 0 || iw >= w { continue }
                let v = x[[b, ih, iw, ch]]
                if isMax { if v > acc { acc = v } } else { acc += v }
                count += 1
            } }
            y[[b, i, j, ch]] = isMax ? acc : acc / Float(count)
        } } } }
        return y
    }

    @Test("max and average pooling", arguments: [
        (7, 6, 2, 2, 2, 2, false), (7, 6, 2, 2, 2, 2, true), (9, 9, 3, 3, 2, 2, true),
        (8, 5, 3, 2, 1, 1, true), (5, 7, 2, 3, 3, 1, false), (4, 4, 5, 5, 1, 1, true),
    ])
    func pooling(_ p: (Int, Int, Int, Int, Int, Int, Bool)) throws {
        var rng = SeededRandom(seed: UInt64(p.0 * 10 + p.2))
        let x = rng.tensor([2, p.0, p.1, 19])
        let padding: Ops.Padding = p.6 ? .same : .valid
        let mx = try Ops.maxPool2d(input: x, poolSize: (p.2, p.3), strides: (p.4, p.5), padding: padding)
        #expect(bitwiseEqual(mx, naivePool(x, pool: (p.2, p.3), strides: (p.4, p.5), same: p.6, max: true)))
        let av = try Ops.avgPool2d(input: x, poolSize: (p.2, p.3), strides: (p.4, p.5), padding: padding)
        // Same summation order as the reference loop: equal up to float rounding of the division.
        #expect(closeness(av, naivePool(x, pool: (p.2, p.3), strides: (p.4, p.5), same: p.6, max: false), rtol: 1e-6, atol: 1e-7).ok)
    }

    @Test func samePaddingAverageExcludesPadding() throws {
        // 3×3 ones, pool 2, stride 2, same → 2×2; the edge windows cover fewer inputs but still average to 1.
        let y = try Ops.avgPool2d(input: Tensor(shape: [1, 3, 3, 1], repeating: 1), poolSize: (2, 2), padding: .same)
        #expect(y.shape == [1, 2, 2, 1] && y.scalars == [1, 1, 1, 1])
        let x = Tensor(shape: [1, 1, 3, 1], scalars: [1, 2, 4])
        #expect(try Ops.avgPool2d(input: x, poolSize: (1, 2), padding: .same).scalars == [1.5, 4])
        #expect(try Ops.maxPool1d(input: Tensor(shape: [1, 5, 1], scalars: [1, -3, 2, 5, -1]), poolSize: 2, padding: .same).scalars == [1, 5, -1])
        #expect(try Ops.avgPool1d(input: Tensor(shape: [1, 5, 1], scalars: [1, -3, 2, 5, -1]), poolSize: 3, stride: 1).scalars == [0, 4.0 / 3, 2])
    }

    /// Max pooling with a folded ZeroPadding2D equals pooling the explicitly padded tensor bit for bit: the zeros
    /// are values (a window of negative numbers at the border gives 0, never -FLT_MAX), while `same` padding beyond
    /// them still never wins. Mostly negative input (and -0, NaN, -inf) so that the zeros decide many windows.
    @Test("max pooling with folded zero padding equals pooling the padded tensor", arguments: [
        (((1, 1), (1, 1)), 3, 3, 2, 2, false), (((2, 0), (1, 3)), 2, 3, 1, 2, true), (((0, 1), (2, 1)), 2, 2, 2, 2, false),
        (((3, 2), (0, 0)), 3, 1, 1, 1, true), (((0, 0), (4, 4)), 1, 2, 3, 2, false), (((1, 2), (2, 1)), 5, 5, 2, 3, true),
    ])
    func maxPoolFoldedZeroPadding(_ p: (((Int, Int), (Int, Int)), Int, Int, Int, Int, Bool)) throws {
        var rng = SeededRandom(seed: UInt64(p.1 * 7 + p.2 * 3 + p.3))
        var x = rng.tensor([2, 6, 7, 19], -2, 0.3)
        x.scalars[5] = -0.0; x.scalars[40] = .nan; x.scalars[77] = -.infinity
        let padding: Ops.Padding = p.5 ? .same : .valid
        let zp = p.0
        let padded = try Ops.pad(input: x, paddings: [(0, 0), zp.0, zp.1, (0, 0)])
        let reference = try Ops.maxPool2d(input: padded, poolSize: (p.1, p.2), strides: (p.3, p.4), padding: padding)
        let folded = try Ops.maxPool2d(input: x, poolSize: (p.1, p.2), strides: (p.3, p.4), padding: padding,
                                       zeroPadding: zp)
        #expect(folded.shape == reference.shape)
        #expect(bitwiseEqual(folded, reference), "\(firstBitwiseDifference(folded, reference))")
        // The zeros decide some windows (else this case would not test them).
        #expect(folded.scalars.contains { $0.bitPattern == 0 } && !x.scalars.contains { $0.bitPattern == 0 })
    }

    /// TF 2.21 max_pool2d seen on this machine: NaN is skipped, an all-(-inf) window gives -FLT_MAX.
    @Test func maxPoolSpecialValues() throws {
        let x = Tensor(shape: [1, 1, 6, 1], scalars: [-0.0, .nan, -.infinity, -1, 1, 2])
        let y = try Ops.maxPool2d(input: x, poolSize: (1, 2), strides: (1, 1))
        #expect(y.scalars.map(\.bitPattern) == [0x8000_0000, 0xFF7F_FFFF, 0xBF80_0000, 0x3F80_0000, 0x4000_0000])
    }

    @Test func globalPooling() throws {
        var rng = SeededRandom(seed: 31)
        let x = rng.tensor([2, 3, 4, 5])
        let avg = try Ops.globalAvgPool2d(input: x), mx = try Ops.globalMaxPool2d(input: x, keepDims: true)
        #expect(avg.shape == [2, 5] && mx.shape == [2, 1, 1, 5])
        for b in 0..<2 { for c in 0..<5 {
            var s: Float = 0, m = -Float.infinity
            for i in 0..<3 { for j in 0..<4 { s += x[[b, i, j, c]]; m = max(m, x[[b, i, j, c]]) } }
            #expect(abs(avg[[b, c]] - s / 12) <= 1e-6)
            #expect(mx.scalars[b * 5 + c] == m)
        } }
        let seq = rng.tensor([2, 7, 3])
        #expect(try Ops.globalAvgPool1d(input: seq, keepDims: true).shape == [2, 1, 3])
        #expect(try Ops.globalMaxPool1d(input: seq).shape == [2, 3])
        #expect(throws: TensorError.self) { try Ops.globalAvgPool2d(input: seq) }
        #expect(throws: TensorError.self) { try Ops.maxPool2d(input: x, poolSize: (4, 1)) }
    }

    /// Global pooling sums and compares each channel over the positions in order, from +0 / −inf: bit for bit vs
    /// that order, for channel counts that end in each of the AVX2 column reduction's blocks (64, 32 and 8 channels,
    /// single channels, and one pass over the rest's vectors), with NaN, ±inf and −0 among the values, on images
    /// large enough for the parallel threshold (the cores split images × blocks of 64 channels, or, with fewer
    /// blocks than twice the cores, one block per core).
    @Test("global pooling keeps each channel's order", arguments: [1, 31, 32, 33, 72, 96, 100, 137, 144])
    func globalPoolingChannelBlocks(channels: Int) throws {
        var rng = SeededRandom(seed: UInt64(channels))
        for batch in [1, 3] {
            let (h, w) = (40, 36)
            var x = rng.tensor([batch, h, w, channels], -3, 3)
            let special: [Float] = [.nan, .infinity, -.infinity, -0.0, 0]
            for (k, i) in stride(from: 5, to: x.count, by: 997).enumerated() { x.scalars[i] = special[k % special.count] }
            let avg = try Ops.globalAvgPool2d(input: x), mx = try Ops.globalMaxPool2d(input: x)
            for b in 0..<batch { for c in 0..<channels {
                var s: Float = 0, m = -Float.infinity
                for p in 0..<(h * w) {
                    let v = x.scalars[(b * h * w + p) * channels + c]
                    s += v
                    if v > m { m = v }
                }
                #expect(avg.scalars[b * channels + c].bitPattern == (s / Float(h * w)).bitPattern, "avg b\(b) c\(c)")
                #expect(mx.scalars[b * channels + c].bitPattern == m.bitPattern, "max b\(b) c\(c)")
            } }
        }
    }

    /// Images of at least 4 × 1,024 positions are reduced in 4 fixed segments of their positions, each summed (or
    /// compared) in order from +0 (−inf), then the segments' results in order: bit for bit vs that order, with the
    /// AVX2 column reduction and with the portable loop, at batch 1 (the cores split the segments) and 3, for
    /// channel counts below, at and above one 64-channel block, with NaN, ±inf and −0 among the values. The maximum
    /// is the positions' maximum in order whatever the segments (the first of equal values, NaN skipped).
    @Test("global pooling of a large image in fixed segments", arguments: [8, 32, 72])
    func globalPoolingSegments(channels: Int) throws {
        var rng = SeededRandom(seed: UInt64(channels) + 100)
        let (h, w) = (70, 64)
        let bounds = Ops.globalPoolSegmentBounds(positions: h * w)
        #expect(bounds == [0..<1120, 1120..<2240, 2240..<3360, 3360..<4480])
        #expect(Ops.globalPoolSegmentBounds(positions: 4095) == [0..<4095])
        for batch in [1, 3] {
            var x = rng.tensor([batch, h, w, channels], -3, 3)
            let special: [Float] = [.nan, .infinity, -.infinity, -0.0, 0]
            for (k, i) in stride(from: 5, to: x.count, by: 4999).enumerated() { x.scalars[i] = special[k % special.count] }
            for engine in [DirectGEMM.Engine.automatic, .blas] {
                let (avg, mx) = try DirectGEMM.$engine.withValue(engine) {
                    (try Ops.globalAvgPool2d(input: x), try Ops.globalMaxPool2d(input: x))
                }
                for b in 0..<batch { for c in 0..<channels {
                    var total: Float = 0, m = -Float.infinity
                    for (s, range) in bounds.enumerated() {
                        var sum: Float = 0
                        for p in range {
                            let v = x.scalars[(b * h * w + p) * channels + c]
                            sum += v
                            if v > m { m = v }
                        }
                        total = s == 0 ? sum : total + sum
                    }
                    #expect(avg.scalars[b * channels + c].bitPattern == (total / Float(h * w)).bitPattern,
                            "avg \(engine) b\(b) c\(c)")
                    #expect(mx.scalars[b * channels + c].bitPattern == m.bitPattern, "max \(engine) b\(b) c\(c)")
                } }
            }
        }
    }
}

@Suite("Normalization")
struct NormalizationTests {
    /// TF's fused form x·scale + (beta − mean·scale) vs the textbook gamma·(x − mean)/√(var+eps) + beta:
    /// different rounding, rtol 1e-5 / atol 1e-5.
    @Test("batch norm on any axis", arguments: [-1, 1, 0])
    func batchNorm(axis: Int) throws {
        var rng = SeededRandom(seed: UInt64(axis + 5))
        let x = rng.tensor([3, 4, 5], -3, 3)
        let c = x.shape[(axis + 3) % 3]
        let mean = rng.tensor([c]), variance = rng.tensor([c], 0.1, 2), gamma = rng.tensor([c]), beta = rng.tensor([c])
        for (g, b) in [(Optional(gamma), Optional(beta)), (nil, nil), (gamma, nil)] {
            let y = try Ops.batchNorm(input: x, axis: axis, mean: mean, variance: variance, gamma: g, beta: b, epsilon: 1e-3)
            var expected = x
            for i in 0..<3 { for j in 0..<4 { for k in 0..<5 {
                let ch = [i, j, k][(axis + 3) % 3]
                let v = (x[[i, j, k]] - mean.scalars[ch]) / (variance.scalars[ch] + 1e-3).squareRoot()
                expected[[i, j, k]] = v * (g?.scalars[ch] ?? 1) + (b?.scalars[ch] ?? 0)
            } } }
            #expect(closeness(y, expected, rtol: 1e-5, atol: 1e-5).ok)
            let centered = try Ops.batchNorm(input: x, axis: axis, mean: mean, variance: variance, gamma: g, beta: b,
                                             epsilon: 1e-3, form: .centered)
            #expect(closeness(centered, expected, rtol: 1e-5, atol: 1e-5).ok)
            // The centred form is exactly (x − mean)·scale + beta.
            let ch0 = [0, 0, 0][(axis + 3) % 3]
            let scale0 = 1 / (variance.scalars[ch0] + 1e-3).squareRoot() * (g?.scalars[ch0] ?? 1)
            #expect(centered.scalars[0] == (x.scalars[0] - mean.scalars[ch0]) * scale0 + (b?.scalars[ch0] ?? 0))
        }
        #expect(throws: TensorError.self) { try Ops.batchNorm(input: x, axis: axis, mean: rng.tensor([c + 1]), variance: variance) }
    }

    /// Two-pass mean/variance in Double as the reference; rtol 1e-5 / atol 1e-5.
    @Test func layerNorm() throws {
        var rng = SeededRandom(seed: 40)
        let x = rng.tensor([2, 3, 4, 6], -2, 5)
        for axes in [[-1], [2, 3], [1, 2, 3], [1, 3], [1]] {
            let normalized = axes.map { ($0 + 4) % 4 }.sorted()
            let groupShape = normalized.map { x.shape[$0] }
            let gamma = rng.tensor(groupShape), beta = rng.tensor(groupShape)
            for rms in [false, true] {
                let y = try Ops.layerNorm(input: x, axes: axes, gamma: gamma, beta: rms ? nil : beta, epsilon: 1e-3, rmsScaling: rms)
                var expected = x
                let rest = (0..<4).filter { !normalized.contains($0) }
                let restShape = rest.map { x.shape[$0] }
                let groupCount = groupShape.reduce(1, *)
                for r in 0..<restShape.reduce(1, *) {
                    var indices: [[Int]] = []
                    for g in 0..<groupCount {
                        var idx = [Int](repeating: 0, count: 4)
                        var rr = r, gg = g
                        for (k, a) in rest.enumerated().reversed() { idx[a] = rr % restShape[k]; rr /= restShape[k] }
                        for (k, a) in normalized.enumerated().reversed() { idx[a] = gg % groupShape[k]; gg /= groupShape[k] }
                        indices.append(idx)
                    }
                    let values = indices.map { Double(x[$0]) }
                    let mean = values.reduce(0, +) / Double(values.count)
                    let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)
                    for (g, idx) in indices.enumerated() {
                        let inv = 1 / (variance + 1e-3).squareRoot()
                        expected[idx] = rms ? Float(values[g] * inv * Double(gamma.scalars[g]))
                            : Float((values[g] - mean) * inv * Double(gamma.scalars[g]) + Double(beta.scalars[g]))
                    }
                }
                let c = closeness(y, expected, rtol: 1e-5, atol: 1e-5)
                #expect(c.ok, "axes \(axes) rms \(rms): \(c)")
                if !rms {
                    let centered = try Ops.layerNorm(input: x, axes: axes, gamma: gamma, beta: beta, epsilon: 1e-3, form: .centered)
                    #expect(closeness(centered, expected, rtol: 1e-5, atol: 1e-5).ok, "centered axes \(axes)")
                }
            }
        }
        #expect(throws: TensorError.self) { try Ops.layerNorm(input: x, axes: [-1], gamma: rng.tensor([5])) }
        #expect(throws: TensorError.self) { try Ops.layerNorm(input: x, axes: [4]) }
    }

    /// `x` with its last values replaced by NaN, ±∞, ±0, a denormal, a huge value and a negative denormal (as many
    /// as it has room for).
    static func withSpecialValues(_ x: Tensor) -> Tensor {
        var x = x
        let specials: [Float] = [.nan, .infinity, -.infinity, 0, -0.0, .leastNonzeroMagnitude, 3e38, -1e-39]
        for (i, v) in specials.enumerated() where i < x.count { x.scalars[x.count - 1 - i] = v }
        return x
    }

    /// Keras' `Normalization` in one pass equals the two broadcast operations it replaces, bit for bit: channel
    /// counts that do and do not divide the vector width, sizes below one vector and with a scalar tail, one value
    /// for all channels, special values (NaN, ±∞, ±0, a denormal) in the input.
    @Test("one-pass Normalization equals subtract then divide (multiply then add inverted)",
          arguments: [[1, 5, 7, 3], [2, 3], [1, 4, 4, 16], [3, 17], [1, 2, 2, 1], [1, 30, 30, 3]])
    func normalizeOnePass(shape: [Int]) throws {
        var rng = SeededRandom(seed: UInt64(shape.reduce(1, *)))
        let x = Self.withSpecialValues(rng.tensor(shape, -4, 4))
        let c = shape.last!
        for perChannel in [true, false] {
            let n = perChannel ? c : 1
            let mean = rng.tensor([n], -1, 1).scalars, denominator = rng.tensor([n], 0.1, 3).scalars
            let statShape = [Int](repeating: 1, count: shape.count - 1) + [n]
            let meanT = Tensor(shape: statShape, scalars: mean), denT = Tensor(shape: statShape, scalars: denominator)
            for invert in [false, true] {
                let y = try Ops.normalize(input: x, mean: mean, denominator: denominator, invert: invert)
                let reference = invert ? try Ops.add(lhs: meanT, rhs: try Ops.multiply(lhs: x, rhs: denT))
                    : try Ops.divide(lhs: try Ops.subtract(lhs: x, rhs: meanT), rhs: denT)
                #expect(y.shape == reference.shape)
                let same = zip(y.scalars, reference.scalars).allSatisfy { $0.bitPattern == $1.bitPattern }
                #expect(same, "shape \(shape) per channel \(perChannel) invert \(invert)")
            }
        }
        #expect(throws: TensorError.self) {
            try Ops.normalize(input: x, mean: [Float](repeating: 0, count: c + 1), denominator: [1], invert: false)
        }
    }

    @Test("Rescaling in vectors across the cores equals a multiply then an add per value",
          arguments: [[1, 224, 224, 3], [2, 7, 5, 3], [3, 17], [1, 1, 1, 1], [4, 33, 12]])
    func rescaleOnePass(shape: [Int]) throws {
        var rng = SeededRandom(seed: 4242)
        let x = Self.withSpecialValues(rng.tensor(shape, -300, 300))
        let c = shape.last!
        for perChannel in [false, true] {
            let n = perChannel ? c : 1
            let scale = rng.tensor([n], -2, 2).scalars, offset = rng.tensor([n], -1, 1).scalars
            let y = try Ops.rescale(input: x, scale: scale, offset: offset)
            // The reference, value by value: each product rounded to float32, then the sum.
            var reference = [Float](repeating: 0, count: x.count)
            for i in 0..<x.count {
                let product = x.scalars[i] * scale[perChannel ? i % c : 0]
                reference[i] = product + offset[perChannel ? i % c : 0]
            }
            #expect(y.shape == x.shape)
            #expect(zip(y.scalars, reference).allSatisfy { $0.bitPattern == $1.bitPattern }, "shape \(shape) per channel \(perChannel)")
        }
        #expect(throws: TensorError.self) { try Ops.rescale(input: x, scale: [Float](repeating: 1, count: c + 1), offset: [0]) }
    }
}

@Suite("Broadcasting and merging")
struct BinaryTests {
    func naive(_ a: Tensor, _ b: Tensor, _ f: (Float, Float) -> Float) -> Tensor {
        let shape = try! Ops.broadcastShape(a.shape, b.shape)
        let r = shape.count
        let pa = [Int](repeating: 1, count: r - a.rank) + a.shape, pb = [Int](repeating: 1, count: r - b.rank) + b.shape
        let n = shape.reduce(1, *)
        var out = [Float]()
        for i in 0..<n {
            var rem = i, ia = 0, ib = 0, sa = 1, sb = 1
            for d in stride(from: r - 1, through: 0, by: -1) {
                let k = rem % shape[d]; rem /= shape[d]
                ia += (pa[d] == 1 ? 0 : k) * sa; sa *= pa[d]
                ib += (pb[d] == 1 ? 0 : k) * sb; sb *= pb[d]
            }
            out.append(f(a.scalars[ia], b.scalars[ib]))
        }
        return Tensor(shape: shape, scalars: out)
    }

    @Test("broadcast shapes", arguments: [
        ([2, 3, 4], [2, 3, 4]), ([2, 3, 4], [4]), ([2, 3, 4], [3, 1]), ([2, 1, 4], [1, 3, 1]),
        ([5], []), ([], [2, 2]), ([2, 3, 1, 5], [3, 7, 1]), ([17, 33], [17, 1]),
    ])
    func broadcasting(_ shapes: ([Int], [Int])) throws {
        var rng = SeededRandom(seed: UInt64(shapes.0.reduce(1, *) + shapes.1.count))
        let a = rng.tensor(shapes.0), b = rng.tensor(shapes.1)
        #expect(bitwiseEqual(try Ops.add(lhs: a, rhs: b), naive(a, b, +)))
        #expect(bitwiseEqual(try Ops.subtract(lhs: a, rhs: b), naive(a, b, -)))
        #expect(bitwiseEqual(try Ops.multiply(lhs: a, rhs: b), naive(a, b, *)))
        #expect(bitwiseEqual(try Ops.maximum(lhs: a, rhs: b), naive(a, b, { $0 > $1 ? $0 : $1 })))
        #expect(bitwiseEqual(try Ops.minimum(lhs: a, rhs: b), naive(a, b, { $0 < $1 ? $0 : $1 })))
    }

    /// A short run repeated along a contiguous operand (Normalization's `x − mean` on NHWC), either side, every
    /// kernel, large enough for several tiled blocks and parallel chunks: equal bit for bit to element-wise.
    @Test("a short repeated run against a contiguous operand, either side", arguments: [
        ([2, 40, 37, 3], [3]), ([3], [2, 40, 37, 3]), ([1, 1, 1, 5], [4, 30, 30, 5]), ([6, 700, 63], [1, 63]),
    ])
    func periodicBroadcast(_ shapes: ([Int], [Int])) throws {
        var rng = SeededRandom(seed: UInt64(shapes.0.reduce(1, *) + 7 * shapes.1.reduce(1, *)))
        let a = rng.tensor(shapes.0), b = rng.tensor(shapes.1)
        #expect(bitwiseEqual(try Ops.subtract(lhs: a, rhs: b), naive(a, b, -)))
        #expect(bitwiseEqual(try Ops.divide(lhs: a, rhs: b), naive(a, b, /)))
        #expect(bitwiseEqual(try Ops.add(lhs: a, rhs: b), naive(a, b, +)))
        #expect(bitwiseEqual(try Ops.multiply(lhs: a, rhs: b), naive(a, b, *)))
    }

    @Test func largeBroadcastUsesParallelPath() throws {
        var rng = SeededRandom(seed: 50)
        let a = rng.tensor([3, 200, 150]), b = rng.tensor([200, 1])
        #expect(bitwiseEqual(try Ops.add(lhs: a, rhs: b), naive(a, b, +)))
    }

    /// tf.maximum / tf.minimum bits on TF 2.21 (this machine): NaN wins (lhs first), ties return rhs.
    @Test func maximumSpecialValues() throws {
        let a = Tensor(shape: [6], scalars: [-0.0, 0.0, .nan, 1.0, -Float.nan, .nan])
        let b = Tensor(shape: [6], scalars: [0.0, -0.0, 1.0, .nan, .nan, -Float.nan])
        let expected: [UInt32] = [0x0, 0x8000_0000, 0x7FC0_0000, 0x7FC0_0000, 0xFFC0_0000, 0x7FC0_0000]
        #expect(try Ops.maximum(lhs: a, rhs: b).scalars.map(\.bitPattern) == expected)
        #expect(try Ops.minimum(lhs: a, rhs: b).scalars.map(\.bitPattern) == expected)
    }

    @Test func naryMerges() throws {
        var rng = SeededRandom(seed: 51)
        let xs = (0..<3).map { _ in rng.tensor([2, 5]) }
        let avg = try Ops.average(inputs: xs)
        for i in 0..<10 { #expect(avg.scalars[i] == ((xs[0].scalars[i] + xs[1].scalars[i]) + xs[2].scalars[i]) / 3) }
        let sum = try Ops.add(inputs: xs), prod = try Ops.multiply(inputs: xs)
        #expect(sum.scalars[3] == (xs[0].scalars[3] + xs[1].scalars[3]) + xs[2].scalars[3])
        #expect(prod.scalars[4] == (xs[0].scalars[4] * xs[1].scalars[4]) * xs[2].scalars[4])
        #expect(try Ops.maximum(inputs: xs).scalars[7] == xs.map { $0.scalars[7] }.max())
        #expect(try Ops.minimum(inputs: xs).scalars[7] == xs.map { $0.scalars[7] }.min())
        #expect(throws: TensorError.self) { try Ops.add(inputs: []) }
        #expect(throws: TensorError.self) { try Ops.add(lhs: rng.tensor([2, 3]), rhs: rng.tensor([2])) }
        do {
            _ = try Ops.add(lhs: rng.tensor([2, 3]), rhs: rng.tensor([4]))
        } catch {
            #expect(error.description == "add: shapes [2, 3] and [4] do not broadcast")
        }
    }

    @Test func concatenate() throws {
        let a = Tensor(shape: [2, 2], scalars: [1, 2, 3, 4]), b = Tensor(shape: [2, 1], scalars: [5, 6])
        #expect(try Ops.concatenate(inputs: [a, b], axis: -1).scalars == [1, 2, 5, 3, 4, 6])
        #expect(try Ops.concatenate(inputs: [a, a], axis: 0).shape == [4, 2])
        #expect(throws: TensorError.self) { try Ops.concatenate(inputs: [a, b], axis: 0) }
    }
}

@Suite("Shape operations")
struct ShapeTests {
    @Test func reshapeFlattenRepeat() throws {
        let x = Tensor(shape: [2, 3, 4], scalars: (0..<24).map(Float.init))
        #expect(try Ops.reshape(input: x, shape: [4, -1]).shape == [4, 6])
        #expect(throws: TensorError.self) { try Ops.reshape(input: x, shape: [5, -1]) }
        #expect(throws: TensorError.self) { try Ops.reshape(input: x, shape: [-1, -1]) }
        #expect(try Ops.flatten(input: x).shape == [2, 12])
        let r = try Ops.repeatVector(input: Tensor(shape: [2, 2], scalars: [1, 2, 3, 4]), count: 3)
        #expect(r.shape == [2, 3, 2] && r.scalars == [1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4])
    }

    @Test("transpose is a general permutation", arguments: [[0, 2, 1], [2, 0, 1], [1, 0, 2], [2, 1, 0], [0, 1, 2]])
    func transpose(perm: [Int]) throws {
        var rng = SeededRandom(seed: 60)
        let x = rng.tensor([3, 4, 5])
        let y = try Ops.transpose(input: x, permutation: perm)
        #expect(y.shape == perm.map { x.shape[$0] })
        for i in 0..<3 { for j in 0..<4 { for k in 0..<5 {
            let src = [i, j, k]
            #expect(y[perm.map { src[$0] }] == x[src])
        } } }
        let p = try Ops.permute(input: rng.tensor([2, 3, 4, 5]), dims: [3, 1, 2])
        #expect(p.shape == [2, 5, 3, 4])
        #expect(throws: TensorError.self) { try Ops.transpose(input: x, permutation: [0, 0, 1]) }
    }

    @Test func paddingAndCropping() throws {
        let x = Tensor(shape: [1, 2, 2, 1], scalars: [1, 2, 3, 4])
        let p = try Ops.zeroPadding2d(input: x, padding: ((1, 0), (0, 2)))
        #expect(p.shape == [1, 3, 4, 1] && p.scalars == [0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0])
        let c = try Ops.cropping2d(input: p, cropping: ((1, 0), (0, 2)))
        #expect(c == x)
        let s = Tensor(shape: [1, 4, 2], scalars: [1, 2, 3, 4, 5, 6, 7, 8])
        #expect(try Ops.cropping1d(input: s, cropping: (1, 2)).scalars == [3, 4])
        #expect(try Ops.zeroPadding1d(input: s, padding: (0, 1)).shape == [1, 5, 2])
        #expect(throws: TensorError.self) { try Ops.cropping1d(input: s, cropping: (3, 2)) }
        #expect(throws: TensorError.self) { try Ops.zeroPadding1d(input: s, padding: (-1, 0)) }
    }

    @Test func upsamplingNearest() throws {
        let x = Tensor(shape: [1, 2, 2, 1], scalars: [1, 2, 3, 4])
        let y = try Ops.upSampling2d(input: x, size: (2, 3))
        #expect(y.shape == [1, 4, 6, 1])
        #expect(Array(y.scalars[0..<6]) == [1, 1, 1, 2, 2, 2] && Array(y.scalars[12..<18]) == [3, 3, 3, 4, 4, 4])
        let s = try Ops.upSampling1d(input: Tensor(shape: [1, 2, 2], scalars: [1, 2, 3, 4]), size: 2)
        #expect(s.scalars == [1, 2, 1, 2, 3, 4, 3, 4])
    }

    /// tf.image.resize(bilinear) of [[1, 2], [3, 4]] to 4×4 (half-pixel centres); from TF 2.21:
    /// rows [1, 1.25, 1.75, 2], [1.5, 1.75, 2.25, 2.5], [2.5, 2.75, 3.25, 3.5], [3, 3.25, 3.75, 4].
    @Test func upsamplingBilinear() throws {
        let x = Tensor(shape: [1, 2, 2, 1], scalars: [1, 2, 3, 4])
        let y = try Ops.upSampling2d(input: x, size: (2, 2), interpolation: .bilinear)
        #expect(y.scalars == [1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3, 3.25, 3.75, 4])
    }

    @Test func embedding() throws {
        let table = Tensor(shape: [3, 2], scalars: [0, 1, 10, 11, 20, 21])
        let y = try Ops.embedding(indices: Tensor(shape: [2, 2], scalars: [2, 0, 1.9, 1]), table: table)
        #expect(y.shape == [2, 2, 2] && y.scalars == [20, 21, 0, 1, 10, 11, 10, 11])
        #expect(throws: TensorError.self) { try Ops.embedding(indices: Tensor(shape: [1], scalars: [3]), table: table) }
        #expect(throws: TensorError.self) { try Ops.embedding(indices: Tensor(shape: [1], scalars: [-1]), table: table) }
        #expect(throws: TensorError.self) { try Ops.embedding(indices: Tensor(shape: [1], scalars: [.nan]), table: table) }
        #expect(try Ops.embedding(indices: Tensor(shape: [1], scalars: [-1]), table: table, wrapNegative: true).scalars == [20, 21])
        do {
            _ = try Ops.embedding(indices: Tensor(shape: [1], scalars: [7]), table: table)
        } catch {
            #expect(error.kind == .indexOutOfRange)
            #expect(error.description == "embedding: index 7 at position 0 is outside [0, 3) for table [3, 2]")
        }
    }
}

@Suite("Dot")
struct DotTests {
    @Test func batchDotShapesAndValues() throws {
        var rng = SeededRandom(seed: 70)
        let x = rng.tensor([2, 3, 4]), y = rng.tensor([2, 5, 4])
        let d = try Ops.dot(lhs: x, rhs: y, axes: (2, 2))
        #expect(d.shape == [2, 3, 5])
        for n in 0..<2 { for i in 0..<3 { for j in 0..<5 {
            var s: Float = 0
            for k in 0..<4 { s += x[[n, i, k]] * y[[n, j, k]] }
            #expect(abs(d[[n, i, j]] - s) <= 1e-5)
        } } }
        let v = rng.tensor([2, 4]), w = rng.tensor([2, 4])
        let vw = try Ops.dot(lhs: v, rhs: w, axes: (-1, -1))
        #expect(vw.shape == [2, 1])
        #expect(abs(vw.scalars[1] - (0..<4).map { v[[1, $0]] * w[[1, $0]] }.reduce(0, +)) <= 1e-6)
        #expect(try Ops.dot(lhs: x, rhs: rng.tensor([2, 3, 6]), axes: (1, 1)).shape == [2, 4, 6])
        #expect(try Ops.dot(lhs: x, rhs: rng.tensor([2, 4]), axes: (2, 1)).shape == [2, 3])
        #expect(throws: TensorError.self) { try Ops.dot(lhs: x, rhs: y, axes: (1, 2)) }
        #expect(throws: TensorError.self) { try Ops.dot(lhs: x, rhs: y, axes: (0, 0)) }
    }

    @Test func normalizedDotIsCosine() throws {
        let v = Tensor(shape: [1, 2], scalars: [3, 4]), w = Tensor(shape: [1, 2], scalars: [4, 3])
        let c = try Ops.dot(lhs: v, rhs: w, axes: (1, 1), normalize: true)
        #expect(abs(c.scalars[0] - 24.0 / 25.0) <= 1e-6)
        let zero = try Ops.l2Normalize(input: Tensor(shape: [1, 2], scalars: [0, 0]), axis: 1)
        #expect(zero.scalars == [0, 0])
    }
}
