// Lists every LeakyReLU and PReLU of a Keras model with its alphas.
//
//   swift run inspect-alphas Fixtures/models/example/model.h5
import Foundation
import KerasPort

let arguments = CommandLine.arguments.dropFirst()
guard let path = arguments.first else {
    print("usage: inspect-alphas MODEL [ARCHITECTURE.json]")
    exit(64)
}
do {
    let model = try KerasModel(contentsOf: URL(fileURLWithPath: path),
                               architecture: arguments.dropFirst().first.map { URL(fileURLWithPath: $0) })
    for a in model.activations {
        switch a.kind {
        case .leakyReLU:
            print("\(a.layer): LeakyReLU, slope \(a.slope ?? .nan)")
        case .pReLU:
            let lo = a.alphas.min() ?? .nan, hi = a.alphas.max() ?? .nan
            print("\(a.layer): PReLU, shared_axes \(a.sharedAxes ?? []), alpha shape \(a.alphaShape), range \(lo)…\(hi)")
        }
        if a.differsFromMaxForm { print("  some alpha > 1: max(x, αx) would give other results than this layer") }
    }
} catch {
    FileHandle.standardError.write(Data("\(error.message)\n".utf8))
    exit(1)
}
