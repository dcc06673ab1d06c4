import KerasGraph
import Testing

@Suite("Activation layer shapes and PReLU alphas")
struct ActivationLayerShapeTests {
    @Test func elementwiseActivationsKeepTheShape() throws {
        // L.ReLU(max_value=6.0), L.ELU(), L.LeakyReLU() on (None, 4) -> (None, 4); L.Softmax() on (None, 4, 3) -> same
        #expect(try outputShape(ReLU(common: layerCommon("r"), maxValue: 6), [nil, 4]) == [nil, 4])
        #expect(try outputShape(ELU(common: layerCommon("e")), [nil, 4]) == [nil, 4])
        #expect(try outputShape(LeakyReLU(common: layerCommon("l")), [nil, 4]) == [nil, 4])
        #expect(try outputShape(ThresholdedReLU(common: layerCommon("t")), [nil, 4]) == [nil, 4])
        #expect(try outputShape(Softmax(common: layerCommon("s")), [nil, 4, 3]) == [nil, 4, 3])
        let badAxis = graphErrorText { _ = try outputShape(Softmax(common: layerCommon("sm"), axis: [3]), [nil, 4, 3]) }
        #expect(badAxis?.contains("layer `sm` (Softmax)") == true)
    }

    // PReLU alpha shapes, Keras 3.15.1: L.PReLU(shared_axes=...) built on keras.Input(batch_shape=...).
    @Test(arguments: [
        // shared_axes=None on (None, 8, 8, 3) -> alpha (8, 8, 3)
        ([nil, 8, 8, 3] as Shape, nil as [Int]?, [8, 8, 3]),
        // shared_axes=[1] -> alpha (1, 8, 3)
        ([nil, 8, 8, 3], [1], [1, 8, 3]),
        // shared_axes=[1, 2] -> alpha (1, 1, 3)
        ([nil, 8, 8, 3], [1, 2], [1, 1, 3]),
        // shared_axes=[1, 2, 3] -> alpha (1, 1, 1)
        ([nil, 8, 8, 3], [1, 2, 3], [1, 1, 1]),
        // shared_axes=None on (None, 5) -> alpha (5,)
        ([nil, 5], nil, [5]),
    ])
    func preluAlphaShape(input: Shape, sharedAxes: [Int]?, alpha: [Int]) throws {
        let p = PReLU(common: layerCommon("prelu"), sharedAxes: sharedAxes)
        #expect(try p.weightSpecs(inputShapes: [input]) == [WeightSpec(name: "alpha", shape: alpha)])
        #expect(try outputShape(p, input) == input)
    }

    @Test func preluErrorsNameTheLayer() {
        // An unknown axis that is not shared cannot size alpha.
        let unknown = graphErrorText { _ = try specs(PReLU(common: layerCommon("prelu2")), [nil, nil, 3]) }
        #expect(unknown?.hasPrefix("layer `prelu2` (PReLU):") == true)
        let range = graphErrorText { _ = try specs(PReLU(common: layerCommon("prelu2"), sharedAxes: [4]), [nil, 8, 8, 3]) }
        #expect(range?.contains("shared_axes [4]") == true)
    }
}
