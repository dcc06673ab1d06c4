extension Ops {
    /// `input` with the order of `axis` reversed (`tf.reverse`).
    /// - Throws: ``TensorError`` for an axis out of range.
    package static func reverse(_ input: Tensor, axis: Int) throws(TensorError) -> Tensor {
        let a = try normalizeAxis(axis, rank: input.rank, operation: "reverse")
        let n = input.shape[a]
        let inner = input.shape[(a + 1)...].reduce(1, *)
        let outer = input.shape[..<a].reduce(1, *)
        var out = input.scalars
        for o in 0..<outer {
            for i in 0..<n {
                let src = (o * n + i) * inner, dst = (o * n + (n - 1 - i)) * inner
                for k in 0..<inner { out[dst + k] = input.scalars[src + k] }
            }
        }
        return Tensor(unchecked: input.shape, scalars: out)
    }
}
