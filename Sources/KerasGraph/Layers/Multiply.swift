/// `keras.layers.Multiply`: the element-wise product of its inputs, broadcasting as Keras does.
///
/// Non-batch axes are aligned from the right; a size-1 axis broadcasts. The output's batch size is the known
/// batch size of the inputs, if any.
public struct Multiply: MergingLayer {
    public var className: String { "Multiply" }
    public var common: LayerCommon

    public init(common: LayerCommon) {
        self.common = common
    }

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        [try elementwiseMergeShape(inputShapes)]
    }
}
