import Foundation
import KerasPort
import Testing
import _TestSupport

/// `keras-port` stops OpenBLAS's idle worker threads before anything else (`CommandStartup`); the first GEMM large
/// enough for threads starts them again. A Dense layer whose kernel is too large to pack (more than 2^22 floats: it
/// runs on OpenBLAS's threaded `sgemm`) predicts through the command the same values, bit for bit, as in this test
/// process, whose OpenBLAS threads were never stopped.
@Suite("keras-port and OpenBLAS's threads")
struct BLASThreadsTests {
    @Test("a GEMM on OpenBLAS after its threads were stopped at startup gives the in-process values")
    func threadedGEMMAfterStartup() throws {
        let (inputs, units, batch) = (2048, 2304, 16)   // 4,718,592 kernel floats: not packed; m·n·k far above OpenBLAS's threading threshold
        func values(_ count: Int, _ seed: Int) -> [Float] {
            (0..<count).map { Float(($0 &* 7919 &+ seed) % 2003) / 1001.5 - 1 }
        }
        let dense = Dense(common: LayerCommon(name: "wide"), units: units,
                          weights: [Weight(name: "kernel", tensor: Tensor(shape: [inputs, units], scalars: values(inputs * units, 1))),
                                    Weight(name: "bias", tensor: Tensor(shape: [units], scalars: values(units, 2)))])
        let graph = ModelGraph(
            name: "m", kind: .functional,
            nodes: [LayerNode(layer: InputLayer(common: LayerCommon(name: "x"), batchShape: [nil, inputs]), calls: []),
                    LayerNode(layer: dense, calls: [LayerCall(inputs: [TensorRef(layer: "x")])])],
            inputs: [TensorRef(layer: "x")], outputs: [TensorRef(layer: "wide")])
        let dir = try TestFixtures.temporaryDirectory("cli-blas-threads")
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = dir.appendingPathComponent("wide.keras")
        try KerasFileWriter.write(graph, to: model, format: .keras)
        let x = Tensor(shape: [batch, inputs], scalars: values(batch * inputs, 3))
        let input = dir.appendingPathComponent("x.npy"), output = dir.appendingPathComponent("y.npy")
        try writeNPY(x, to: input)

        let r = try CLI.run(["predict", model.path, "--input", input.path, "--output", output.path])
        #expect(r.status == 0, "\(r.stderr)")
        let ours = try readNPY(contentsOf: output)
        let expected = try CompiledModel(try KerasFile.open(model).loadGraph()).predict([x])[0]
        #expect(ours.shape == [batch, units])
        #expect(ours.scalars.map(\.bitPattern) == expected.scalars.map(\.bitPattern))
    }
}
