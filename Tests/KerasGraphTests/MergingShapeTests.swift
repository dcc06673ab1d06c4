import KerasGraph
import Testing

@Suite("Merging layer shapes")
struct MergingShapeTests {
    @Test func elementwiseBroadcasting() throws {
        let add = Add(common: layerCommon("add"))
        // L.Add() on (None, 4, 5) + (None, 4, 5) -> (None, 4, 5)
        #expect(try outputShape(add, [nil, 4, 5], [nil, 4, 5]) == [nil, 4, 5])
        // L.Add() on (None, 4, 5) + (None, 1, 5) -> (None, 4, 5)
        #expect(try outputShape(add, [nil, 4, 5], [nil, 1, 5]) == [nil, 4, 5])
        // L.Add() on (None, 4, 5) + (None, 5) -> (None, 4, 5)   (ranks differ: aligned from the right)
        #expect(try outputShape(add, [nil, 4, 5], [nil, 5]) == [nil, 4, 5])
        // L.Add() on (None, None, 5) + (None, 4, 5) -> (None, None, 5)
        #expect(try outputShape(add, [nil, nil, 5], [nil, 4, 5]) == [nil, nil, 5])
        // L.Subtract() on (None, 3) - (None, 3) -> (None, 3)
        #expect(try outputShape(Subtract(common: layerCommon("s")), [nil, 3], [nil, 3]) == [nil, 3])
        // L.Multiply() on (None, 4, 1), (None, 1, 6), (None, 4, 6) -> (None, 4, 6)
        #expect(try outputShape(Multiply(common: layerCommon("m")), [nil, 4, 1], [nil, 1, 6], [nil, 4, 6]) == [nil, 4, 6])
        // L.Average() on (2, 3), (None, 3) -> (2, 3): the known batch size wins
        #expect(try outputShape(Average(common: layerCommon("a")), [2, 3], [nil, 3]) == [2, 3])
        // L.Maximum() / L.Minimum() on (None, 3), (None, 3) -> (None, 3)
        #expect(try outputShape(Maximum(common: layerCommon("mx")), [nil, 3], [nil, 3]) == [nil, 3])
        #expect(try outputShape(Minimum(common: layerCommon("mn")), [nil, 3], [nil, 3]) == [nil, 3])
    }

    @Test func elementwiseErrors() {
        // L.Add() on (None, 4, 5) + (None, 3, 5): "Inputs have incompatible shapes"
        let shapes = graphErrorText { _ = try outputShape(Add(common: layerCommon("add3")), [nil, 4, 5], [nil, 3, 5]) }
        #expect(shapes?.hasPrefix("layer `add3` (Add): inputs have incompatible shapes") == true)
        // L.Add() on (2, 5) + (3, 5): "Cannot merge tensors with different batch sizes"
        let batch = graphErrorText { _ = try outputShape(Add(common: layerCommon("add3")), [2, 5], [3, 5]) }
        #expect(batch?.contains("different batch sizes") == true)
        // L.Subtract() on three inputs: "should be called on exactly 2 inputs"
        let three = graphErrorText { _ = try outputShape(Subtract(common: layerCommon("sub")), [nil, 5], [nil, 5], [nil, 5]) }
        #expect(three?.contains("layer `sub` (Subtract): expected exactly 2 inputs") == true)
    }

    @Test func concatenate() throws {
        // L.Concatenate() on (None, 4, 5), (None, 4, 3) -> (None, 4, 8)
        #expect(try outputShape(Concatenate(common: layerCommon("c")), [nil, 4, 5], [nil, 4, 3]) == [nil, 4, 8])
        // L.Concatenate(axis=1) on (None, 4, 5), (None, 2, 5), (None, 1, 5) -> (None, 7, 5)
        let axis1 = Concatenate(common: layerCommon("c"), axis: 1)
        #expect(try outputShape(axis1, [nil, 4, 5], [nil, 2, 5], [nil, 1, 5]) == [nil, 7, 5])
        // L.Concatenate(axis=1) on (None, None, 5), (None, 2, 5) -> (None, None, 5)
        #expect(try outputShape(axis1, [nil, nil, 5], [nil, 2, 5]) == [nil, nil, 5])
        // L.Concatenate() on (None, 4, 5), (None, 3, 5): "requires inputs with matching shapes except for the concatenation axis"
        let mismatch = graphErrorText { _ = try outputShape(Concatenate(common: layerCommon("cat")), [nil, 4, 5], [nil, 3, 5]) }
        #expect(mismatch?.hasPrefix("layer `cat` (Concatenate):") == true)
    }

    @Test func dot() throws {
        // L.Dot(axes=1) on (None, 5), (None, 5) -> (None, 1)
        #expect(try outputShape(Dot(common: layerCommon("d"), axes: [1]), [nil, 5], [nil, 5]) == [nil, 1])
        // L.Dot(axes=(1, 2)) on (None, 4, 6), (None, 3, 4) -> (None, 6, 3)
        #expect(try outputShape(Dot(common: layerCommon("d"), axes: [1, 2]), [nil, 4, 6], [nil, 3, 4]) == [nil, 6, 3])
        // L.Dot(axes=-1) on (None, 4, 6), (None, 3, 6) -> (None, 4, 3)
        #expect(try outputShape(Dot(common: layerCommon("d"), axes: [-1]), [nil, 4, 6], [nil, 3, 6]) == [nil, 4, 3])
        // L.Dot(axes=(2, 2), normalize=True) on (None, 4, 6), (None, 3, 6) -> (None, 4, 3)
        let norm = Dot(common: layerCommon("d"), axes: [2, 2], normalize: true)
        #expect(try outputShape(norm, [nil, 4, 6], [nil, 3, 6]) == [nil, 4, 3])
        // L.Dot(axes=1) on (None, 5), (None, 4): "Incompatible input shapes: axis values 5 (at axis 1) != 4"
        let bad = graphErrorText { _ = try outputShape(Dot(common: layerCommon("dot2"), axes: [1]), [nil, 5], [nil, 4]) }
        #expect(bad?.hasPrefix("layer `dot2` (Dot):") == true)
        let batchAxis = graphErrorText { _ = try outputShape(Dot(common: layerCommon("dot2"), axes: [0]), [nil, 5], [nil, 5]) }
        #expect(batchAxis?.contains("batch axis") == true)
    }
}
