// swift-tools-version:6.0
// libFuzzer targets for KerasPort, kept out of the main package so `swift test` never builds them.
// Build and run with tools/fuzz_libfuzzer.sh (it links `.deps/KerasPort` to the repository root first).
import PackageDescription

let settings: [SwiftSetting] = [.enableUpcomingFeature("MemberImportVisibility")]

let package = Package(
    name: "KerasPortFuzz",
    dependencies: [.package(path: ".deps/KerasPort")],
    targets: [
        // Structured mutation of Keras model configs (a libFuzzer custom mutator over parsed JSON).
        .target(name: "FuzzSupport", dependencies: [.product(name: "KerasPort", package: "KerasPort")],
                swiftSettings: settings),
        // Model config JSON → ModelConfigParser → GraphAnalysis → ModelConfigEncoder.
        .executableTarget(name: "FuzzModelConfig", dependencies: ["FuzzSupport", .product(name: "KerasPort", package: "KerasPort")],
                          swiftSettings: settings),
        // .npy bytes → readNPY(data:).
        .executableTarget(name: "FuzzNPY", dependencies: [.product(name: "KerasPort", package: "KerasPort")],
                          swiftSettings: settings),
    ],
    swiftLanguageModes: [.v6]
)
