/// `keras.layers.Cropping1D`: removes steps from the start and end of `(batch, steps, features)`.
public struct Cropping1D: WeightlessLayer {
    public var className: String { "Cropping1D" }
    public var common: LayerCommon
    /// `[start, end]`, each ≥ 0 (an int in the config means both).
    public var cropping: [Int]

    public init(common: LayerCommon, cropping: [Int] = [1, 1]) {
        self.common = common
        self.cropping = cropping
    }

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        try requireCount(cropping, 2, "cropping")
        try requireAll(cropping, atLeast: 0, "cropping")
        let input = try singleInput(inputShapes, rank: 3)
        var steps = input[1]
        if let n = steps {
            let left = n - cropping[0] - cropping[1]
            guard left > 0 else {
                throw inputError("cropping \(cropping) leaves \(left) steps of input \(input.kerasDescription)")
            }
            steps = left
        }
        return [[input[0], steps, input[2]]]
    }
}
