import Testing
@testable import TensorModule

/// The einsum planner against a direct evaluation of the sum (every index combination), and the attention
/// softmax's mask forms on rows where they differ. Keras' own outputs for these ops are checked by the
/// einsum_*/mha_* fixtures; these tests pin the planner's letter bookkeeping on equations the fixtures lack.
@Suite("Attention kernels: einsum planner, masked softmax")
struct AttentionKernelTests {
    /// `einsum(equation, a, b)` by summing over every assignment of the letters (no `...`).
    static func reference(_ equation: String, _ a: Tensor, _ b: Tensor) -> Tensor {
        let sides = equation.split(separator: "-")
        let operands = sides[0].split(separator: ",").map { Array($0) }
        let out = Array(sides[1].dropFirst())
        var sizes: [Character: Int] = [:]
        for (c, d) in zip(operands[0], a.shape) { sizes[c] = d }
        for (c, d) in zip(operands[1], b.shape) { sizes[c] = d }
        let letters = Array(sizes.keys).sorted()
        let outShape = out.map { sizes[$0]! }
        var result = [Float](repeating: 0, count: outShape.reduce(1, *))
        func offset(_ term: [Character], _ shape: [Int], _ at: [Character: Int]) -> Int {
            var o = 0
            for (c, d) in zip(term, shape) { o = o * d + at[c]! }
            return o
        }
        var at: [Character: Int] = Dictionary(uniqueKeysWithValues: letters.map { ($0, 0) })
        func walk(_ i: Int) {
            if i == letters.count {
                result[offset(out, outShape, at)] += a.scalars[offset(operands[0], a.shape, at)] * b.scalars[offset(operands[1], b.shape, at)]
                return
            }
            for v in 0..<sizes[letters[i]]! { at[letters[i]] = v; walk(i + 1) }
        }
        walk(0)
        return Tensor(shape: outShape, scalars: result)
    }

    static func ramp(_ shape: [Int], _ seed: Float) -> Tensor {
        let n = shape.reduce(1, *)
        return Tensor(shape: shape, scalars: (0..<n).map { Float(($0 * 7 + Int(seed * 13)) % 11) / 5 - 1 })
    }

    @Test("einsum equals the direct sum", arguments: [
        ("ab,bc->ac", [2, 3], [3, 4]), ("abc,cd->abd", [2, 3, 4], [4, 5]), ("abc,cde->abde", [2, 3, 4], [4, 2, 3]),
        ("abcd,cde->abe", [2, 3, 4, 5], [4, 5, 2]), ("abc,bcd->ad", [2, 3, 4], [3, 4, 5]), ("abc,cb->ab", [2, 3, 4], [4, 3]),
        ("bij,bjk->bik", [2, 3, 4], [2, 4, 5]), ("abcd,aecd->acbe", [2, 3, 2, 4], [2, 5, 2, 4]),
    ])
    func einsum(_ equation: String, _ lhs: [Int], _ rhs: [Int]) throws {
        let a = Self.ramp(lhs, 1), b = Self.ramp(rhs, 2)
        let plan = try Ops.EinsumPlan(equation, lhsRank: lhs.count, rhsRank: rhs.count)
        let ours = try Ops.einsum(plan, a, b)
        let expected = Self.reference(equation, a, b)
        #expect(ours.shape == expected.shape)
        for (x, y) in zip(ours.scalars, expected.scalars) { #expect(abs(x - y) <= 1e-5 + 1e-5 * abs(y)) }
    }

    @Test("a leading `...` stands for the operand's extra leading axes")
    func ellipsis() throws {
        let a = Self.ramp([2, 3, 4], 1), b = Self.ramp([4, 5], 2)
        let ours = try Ops.einsum(try Ops.EinsumPlan("...b,bc->...c", lhsRank: 3, rhsRank: 2), a, b)
        #expect(ours == (try Ops.einsum(try Ops.EinsumPlan("xyb,bc->xyc", lhsRank: 3, rhsRank: 2), a, b)))
    }

    @Test("diagonals and letters summed out of one operand are refused by name")
    func refused() {
        #expect(throws: TensorError.self) { try Ops.EinsumPlan("aab,bc->ac", lhsRank: 3, rhsRank: 2) }
        #expect(throws: TensorError.self) { try Ops.EinsumPlan("abc,cd->ad", lhsRank: 3, rhsRank: 2) }
    }

    @Test("a fully masked row: uniform when replaced, zeros when zeroed, uniform when added")
    func fullyMaskedRow() throws {
        let scores = Tensor(shape: [1, 1, 2, 3], scalars: [0.5, -1, 2, 0.25, 0.75, -0.5])
        let mask = Tensor(shape: [1, 1, 2, 3], scalars: [1, 0, 1, 0, 0, 0])
        let replaced = try Ops.attentionSoftmax(scores: scores, mask: mask, form: .replace(zeroMasked: false))
        let zeroed = try Ops.attentionSoftmax(scores: scores, mask: mask, form: .replace(zeroMasked: true))
        let added = try Ops.attentionSoftmax(scores: scores, mask: mask, form: .additive)
        for t in [replaced, added] {
            for j in 3..<6 { #expect(abs(t.scalars[j] - 1.0 / 3) < 1e-6) }
            #expect(t.scalars[1] == 0)
        }
        #expect(Array(zeroed.scalars[3...]) == [0, 0, 0])
        #expect(abs(zeroed.scalars[0] + zeroed.scalars[2] - 1) < 1e-6)
    }
}
