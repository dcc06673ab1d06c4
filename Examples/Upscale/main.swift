// Runs an image-to-image model (an SRGAN/ESPCN generator, any-size input) on an image-shaped .npy file
// ([H, W, 3] or [1, H, W, 3], float) and writes the result as .npy.
//
//   swift run upscale generator.keras low_res.npy high_res.npy
import Foundation
import KerasPort

let arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.count == 3 else {
    print("usage: upscale MODEL INPUT.npy OUTPUT.npy")
    exit(64)
}
do {
    let model = try KerasModel(contentsOf: URL(fileURLWithPath: arguments[0]))
    var image = try readNPY(contentsOf: URL(fileURLWithPath: arguments[1]))
    if image.rank == 3 { image = Tensor(shape: [1] + image.shape, scalars: image.scalars) }   // add the batch axis
    let started = Date()
    let output = try model.predict([image])[0]
    print("\(image.shape) → \(output.shape) in \(String(format: "%.1f", Date().timeIntervalSince(started) * 1000)) ms")
    try writeNPY(output, to: URL(fileURLWithPath: arguments[2]))
} catch let error as KerasPortError {
    FileHandle.standardError.write(Data("\(error.message)\n".utf8))
    exit(1)
} catch {
    FileHandle.standardError.write(Data("\(error)\n".utf8))
    exit(1)
}
