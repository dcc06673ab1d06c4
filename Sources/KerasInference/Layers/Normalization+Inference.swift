import KerasGraph
import TensorModule

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Normalization: RunnableLayer {
    /// `(x − mean) / max(√variance, 1e-7)`, or with `invert` `mean + x · max(√variance, 1e-7)`, as Keras 2 and 3
    /// compute it, with mean and variance broadcast over the axes that are not kept.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        let input = try singleInput(inputShapes)
        let kept = try keptAxes(rank: input.count)
        let statShape = try statisticsShape(input)
        let count = statShape.reduce(1, *)
        var mean: [Float], variance: [Float]
        if let configMean, let configVariance {
            mean = configMean.floats
            variance = configVariance.floats
        } else {
            mean = try weightTensor(0, "mean").scalars
            variance = try weightTensor(1, "variance").scalars
        }
        if mean.count == 1 { mean = [Float](repeating: mean[0], count: count) }
        if variance.count == 1 { variance = [Float](repeating: variance[0], count: count) }
        guard mean.count == count, variance.count == count else {
            throw inferenceError("mean/variance hold \(mean.count)/\(variance.count) values, the kept axes \(statShape) need \(count)")
        }
        let denominators = variance.map { Swift.max(sqrtf($0), Normalization.epsilon) }
        if kept.isEmpty || kept == [input.count - 1] {
            // Statistics along the last axis (an image's channels) or one for all: one pass, the same values.
            let invert = self.invert, means = mean
            return UnaryClosureLayer { x in
                try Ops.normalize(input: x, mean: means, denominator: denominators, invert: invert)
            }
        }
        var broadcast = [Int](repeating: 1, count: input.count)
        for (a, n) in zip(kept, statShape) { broadcast[a] = n }
        let meanT = Tensor(shape: broadcast, scalars: mean)
        let denominator = Tensor(shape: broadcast, scalars: denominators)
        if invert {
            return UnaryClosureLayer { x in try Ops.add(lhs: meanT, rhs: try Ops.multiply(lhs: x, rhs: denominator)) }
        }
        return UnaryClosureLayer { x in try Ops.divide(lhs: try Ops.subtract(lhs: x, rhs: meanT), rhs: denominator) }
    }
}
