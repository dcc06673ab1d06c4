// Converts every Keras model file in a folder (not recursive) to a Keras 3 `.keras` archive in another folder,
// going on past files that fail.
//
//   swift run convert-folder old_models/ keras3_models/
import Foundation
import KerasPort

let arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.count == 2 else {
    print("usage: convert-folder IN_DIR OUT_DIR")
    exit(64)
}
let input = URL(fileURLWithPath: arguments[0]), output = URL(fileURLWithPath: arguments[1])
let files = (try? FileManager.default.contentsOfDirectory(at: input, includingPropertiesForKeys: nil)) ?? []
try? FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
var failed = 0
for file in files.sorted(by: { $0.path < $1.path }) where ["h5", "hdf5", "keras"].contains(file.pathExtension) {
    let target = output.appendingPathComponent(file.deletingPathExtension().lastPathComponent + ".keras")
    do {
        try KerasModel(contentsOf: file).write(to: target, format: .keras)
        print("converted \(file.lastPathComponent) → \(target.lastPathComponent)")
    } catch {
        failed += 1
        print("skipped \(file.lastPathComponent): \(error.message)")
    }
}
exit(failed == 0 ? 0 : 1)
