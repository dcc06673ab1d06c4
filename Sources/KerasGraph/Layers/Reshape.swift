/// `keras.layers.Reshape`: `(batch, …)` → `(batch, targetShape…)`, with at most one `-1` inferred.
///
/// When the input has an unknown non-batch axis, a `-1` becomes unknown (`nil`), as in Keras.
public struct Reshape: WeightlessLayer {
    public var className: String { "Reshape" }
    public var common: LayerCommon
    /// The shape without the batch axis; one entry may be `-1`.
    public var targetShape: [Int]

    public init(common: LayerCommon, targetShape: [Int]) {
        self.common = common
        self.targetShape = targetShape
    }

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        let input = try singleInput(inputShapes)
        guard let batch = input.first else { throw inputError("expected an input with a batch axis, got ()") }
        guard targetShape.allSatisfy({ $0 >= -1 }), targetShape.filter({ $0 == -1 }).count <= 1 else {
            throw configError("`target_shape` \(targetShape) must hold non-negative sizes and at most one -1")
        }
        guard let inSize = try knownProduct(input.dropFirst(), of: input) else {
            return [[batch] + targetShape.map { $0 == -1 ? nil : $0 }]
        }
        let known = try knownProduct(targetShape.filter { $0 != -1 }, of: input) ?? 0
        guard let unknownIndex = targetShape.firstIndex(of: -1) else {
            guard known == inSize else {
                throw inputError("cannot reshape \(input.kerasDescription) (\(inSize) values) to target_shape \(targetShape)")
            }
            return [[batch] + targetShape]
        }
        guard known != 0, inSize % known == 0 else {
            throw inputError("cannot reshape \(input.kerasDescription) (\(inSize) values) to target_shape \(targetShape)")
        }
        var out: Shape = targetShape
        out[unknownIndex] = inSize / known
        return [[batch] + out]
    }
}
