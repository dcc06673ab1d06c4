import Testing
import TensorModule
import _TestSupport

/// `Ops.concatenate` copies each input's rows into their columns of the output with wide moves (`kp_copy_rows`),
/// split across the cores for large outputs (by rows, or each row in pieces when there are few rows). A copy is
/// exact: the result must equal, bit for bit, the element-by-element concatenation written out below (the
/// previous implementation's loop), over axes, input counts, batch sizes, odd widths (vector tails) and sizes on
/// both sides of the parallel threshold (65,536 elements).
@Suite("Concatenate kernel")
struct ConcatenateTests {
    /// The reference: for each index of the axes before `axis`, each input's slice in turn.
    private func reference(_ inputs: [Tensor], axis: Int) -> Tensor {
        let a = axis < 0 ? axis + inputs[0].rank : axis
        var shape = inputs[0].shape
        shape[a] = inputs.map { $0.shape[a] }.reduce(0, +)
        let outer = inputs[0].shape[..<a].reduce(1, *), inner = inputs[0].shape[(a + 1)...].reduce(1, *)
        var scalars: [Float] = []
        for o in 0..<outer {
            for t in inputs {
                let run = t.shape[a] * inner
                for i in 0..<run { scalars.append(t.scalars[o * run + i]) }
            }
        }
        return Tensor(shape: shape, scalars: scalars)
    }

    /// Values of every kind a copy must keep: signs, signed zeros, NaN, infinities, denormals.
    private func tensor(_ shape: [Int], seed: UInt64) -> Tensor {
        var rng = SeededRandom(seed: seed)
        let special: [Float] = [-0.0, .nan, .infinity, -.infinity, 1e-40, -1e-40, .leastNonzeroMagnitude]
        let n = shape.reduce(1, *)
        return Tensor(shape: shape, scalars: (0..<n).map { i in
            i % 97 == 5 ? special[(i / 97) % special.count] : rng.uniform(-2, 2)
        })
    }

    private func flushed(_ t: Tensor) -> Tensor {
        Tensor(shape: t.shape, scalars: t.scalars.map { v in v.isSubnormal ? (v.sign == .minus ? -0.0 : 0) : v })
    }

    /// (input shapes, axis): channel axis (DenseNet's growing block tensor: 56×56 and 14×14 pixels, batch 1 and 3,
    /// 2–4 inputs, odd channel counts), other axes, few long rows (axis 0 / 1 with large slices).
    static let cases: [([[Int]], Int)] = [
        ([[1, 56, 56, 64], [1, 56, 56, 32]], -1),
        ([[3, 14, 14, 255], [3, 14, 14, 33]], 3),
        ([[1, 7, 7, 13], [1, 7, 7, 1], [1, 7, 7, 7]], -1),
        ([[3, 9, 11, 5], [3, 9, 11, 3], [3, 9, 11, 1], [3, 9, 11, 41]], -1),
        ([[2, 5, 3], [2, 5, 4]], 2),
        ([[3, 4, 6, 7], [3, 2, 6, 7]], 1),
        ([[1, 33, 40, 9], [1, 33, 40, 9]], -2),
        ([[2, 3], [5, 3], [1, 3]], 0),
        ([[1, 300, 301], [2, 300, 301]], 0),
        ([[1, 250, 300], [1, 7, 300]], 1),
        ([[2, 0, 3], [2, 4, 3]], 1),
        ([[4, 5], [4, 0]], -1),
    ]

    @Test("identical to the element-by-element concatenation", arguments: ConcatenateTests.cases.indices)
    func matchesReference(_ i: Int) throws {
        let (shapes, axis) = ConcatenateTests.cases[i]
        let inputs = shapes.enumerated().map { tensor($0.element, seed: UInt64(31 * i + $0.offset)) }
        let expected = reference(inputs, axis: axis)
        let plain = try Ops.concatenate(inputs: inputs, axis: axis)
        #expect(plain.shape == expected.shape)
        #expect(bitwiseEqual(plain, expected), "\(shapes) axis \(axis): \(firstBitwiseDifference(plain, expected))")
        // Flushing in the copy equals the copy followed by the plan's flush (denormals to zeros of their sign).
        let flushing = try Ops.concatenate(inputs: inputs, axis: axis, flushingDenormals: true)
        let want = flushed(expected)
        #expect(bitwiseEqual(flushing, want), "\(shapes) axis \(axis): \(firstBitwiseDifference(flushing, want))")
        if expected.scalars.contains(where: \.isSubnormal) {
            let left = flushing.scalars.filter { $0.isSubnormal }.count
            #expect(left == 0)
        }
    }

    @Test("shape errors")
    func errors() {
        let a = Tensor(shape: [2, 2], scalars: [1, 2, 3, 4]), b = Tensor(shape: [2, 1], scalars: [5, 6])
        #expect(throws: TensorError.self) { try Ops.concatenate(inputs: [a, b], axis: 0) }
        #expect(throws: TensorError.self) { try Ops.concatenate(inputs: [a, b], axis: 2) }
        #expect(throws: TensorError.self) { try Ops.concatenate(inputs: [], axis: 0) }
        let vector = Tensor(shape: [4], scalars: [1, 2, 3, 4])
        #expect(throws: TensorError.self) { try Ops.concatenate(inputs: [a, vector]) }
    }
}
