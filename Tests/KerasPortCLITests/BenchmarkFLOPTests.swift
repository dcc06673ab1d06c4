import KerasFormat
import KerasInference
import Testing
import _TestSupport
@testable import KerasPortTooling

/// `bench`'s GFLOP figure: 2 × multiply-adds, counted here by hand from the fixture's layers (tools/fixtures_k3.py's
/// conv2d_k3, input 8×8×4), not by the code under test.
@Suite("bench FLOP count")
struct BenchmarkFLOPTests {
    @Test("every convolution kind of conv2d_k3 counts its multiply-adds (depthwise and separable included)")
    func conv2dKinds() throws {
        let graph = try KerasFile.open(TestFixtures.path("models/conv2d_k3/model.keras")).loadGraph()
        let model = try CompiledModel(graph)
        // Per image: output elements × multiply-adds per output element (transposed: input elements × kernel).
        let macs = [
            6 * 6 * 3 * (3 * 3 * 4),                  // c_valid
            4 * 4 * 3 * (3 * 3 * 4),                  // c_same_s2
            4 * 4 * 2 * (3 * 3 * 4),                  // c_dil2
            8 * 8 * 4 * (3 * 3 * 2),                  // c_groups2: 2 input channels per group
            8 * 8 * 8 * (3 * 3 * 1),                  // c_groups_dw_dm2: one input channel per group
            4 * 4 * 4 * (5 * 5 * 1),                  // c_groups_dw_s2
            4 * 8 * 3 * (3 * 2 * 4),                  // c_rect_nobias
            8 * 8 * 8 * (3 * 3),                      // dw_dm2: depthwise, multiplier 2
            6 * 6 * 4 * (3 * 3) + 6 * 6 * 3 * 4,      // sep: depthwise 6×6×4, pointwise 4 → 3
            4 * 4 * 8 * (3 * 3) + 4 * 4 * 3 * 8,      // sep_s2_dm2: depthwise 4×4×8, pointwise 8 → 3
            8 * 8 * 4 * (3 * 3) + 8 * 8 * 5 * 4,      // sep_nobias: depthwise 8×8×4, pointwise 4 → 5
            8 * 8 * 4 * (3 * 3 * 3),                  // ct_same_s2: every input element over a 3×3×3 kernel
            8 * 8 * 4 * (3 * 3 * 2),                  // ct_valid_s2
        ].reduce(0, +)
        for batch in [1, 3] {
            #expect(Benchmark.flopCount(model, batch: batch) == Double(2 * macs * batch), "batch \(batch)")
        }
    }

    @Test("1-D and 3-D convolutions, transposed, depthwise and separable (conv_breadth_k3: seq 9×4, vol 5×6×4×4)")
    func oneAndThreeD() throws {
        let graph = try KerasFile.open(TestFixtures.path("models/conv_breadth_k3/model.keras")).loadGraph()
        let model = try CompiledModel(graph)
        let macs = [
            9 * 4 * (3 * 3), 9 * 4 * (4 * 3), 9 * 4 * (5 * 2), 9 * 4 * (2 * 2),   // Conv1DTranspose: input × kernel × filters
            5 * 8 * 3 + 5 * 5 * 8,                       // sep1d_same: depthwise 5×8 (multiplier 2), pointwise 8 → 5
            5 * 4 * 3 + 5 * 4 * 4,                       // sep1d_dilated
            4 * 8 * 3, 9 * 4 * 3,                        // dw1d_strided, dw1d_dilated
            3 * 3 * 2 * 4 * (27 * 4),                    // conv3d_same
            3 * 4 * 2 * 3 * (2 * 3 * 2 * 4),             // conv3d_dilated
            5 * 3 * 2 * 4 * (1 * 2 * 3 * 2),             // conv3d_groups: 2 input channels per group
            480 * (27 * 3), 480 * (2 * 3 * 2 * 2), 480 * (3 * 2 * 2 * 2),   // Conv3DTranspose: 5·6·4·4 inputs
        ].reduce(0, +)
        #expect(Benchmark.flopCount(model, batch: 2) == Double(2 * macs * 2))
    }

    @Test("a model without Dense or convolution layers has no FLOP figure")
    func none() throws {
        let graph = try KerasFile.open(TestFixtures.path("models/pool_k2/model.h5")).loadGraph()
        #expect(Benchmark.flopCount(try CompiledModel(graph), batch: 1) == nil)
    }
}
