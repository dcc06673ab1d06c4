import KerasGraph
import TensorModule

extension Softmax: RunnableLayer {
    /// Softmax over one axis, or jointly over several: the axes are moved last and merged into one, the
    /// softmax runs over it, and the result is moved back.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        let input = try singleInput(inputShapes)
        let rank = input.count
        var axes: [Int] = []
        for a in axis {
            let n = a < 0 ? a + rank : a
            guard (0..<rank).contains(n) else {
                throw inferenceError("`axis` \(a) is out of range for input \(input.kerasDescription)")
            }
            guard !axes.contains(n) else { throw inferenceError("`axis` \(axis) repeats an axis") }
            axes.append(n)
        }
        if axes.count == 1 {
            let a = axes[0]
            return UnaryClosureLayer { x in try Ops.softmax(input: x, axis: a) }
        }
        axes.sort()
        let rest = (0..<rank).filter { !axes.contains($0) }
        let permutation = rest + axes
        var inverse = [Int](repeating: 0, count: rank)
        for (i, p) in permutation.enumerated() { inverse[p] = i }
        let (joined, back) = (axes, inverse)
        return UnaryClosureLayer { x in
            let moved = try Ops.transpose(input: x, permutation: permutation)
            let joint = joined.reduce(1) { $0 * x.shape[$1] }
            let merged = try Ops.reshape(input: moved, shape: rest.map { x.shape[$0] } + [joint])
            let y = try Ops.softmax(input: merged, axis: -1)
            return try Ops.transpose(input: try Ops.reshape(input: y, shape: moved.shape), permutation: back)
        }
    }
}
