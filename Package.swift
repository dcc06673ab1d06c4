// swift-tools-version:6.0
import PackageDescription

let swiftSettings: [SwiftSetting] = [.enableUpcomingFeature("MemberImportVisibility")]

let package = Package(
    name: "KerasPort",
    products: [
        .library(name: "KerasPort", targets: ["KerasPort"]),
        .executable(name: "keras-port", targets: ["keras-port"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.19"),
        // Documentation only: `swift package generate-documentation` (tools/docs.sh); links nothing into the library.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
    ],
    targets: [
        // MARK: - C: system libraries and one kernel file
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5", providers: [.apt(["libhdf5-dev"]), .brew(["hdf5"])]),
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"]), .brew(["openblas"])]),
        // CKernels: the hand-vectorised GEMM micro-kernel (AVX2 + FMA, chosen at run time); only TensorModule uses it.
        .target(name: "CKernels"),

        // MARK: - Library
        // HDF5: Keras-agnostic Swift layer over libhdf5; the only importer of CHDF5.
        .target(name: "HDF5", dependencies: ["CHDF5"], swiftSettings: swiftSettings),
        // TensorModule: Tensor and the numeric kernels; the only importer of CBLAS.
        // BLAS is OpenBLAS (the CBLAS system library) on Linux and Accelerate on Darwin, behind one seam (BLAS.swift).
        .target(
            name: "TensorModule",
            dependencies: [.target(name: "CBLAS", condition: .when(platforms: [.linux])), "CKernels"],
            swiftSettings: swiftSettings,
            linkerSettings: [.linkedFramework("Accelerate", .when(platforms: [.macOS, .iOS]))]),
        // NumPyFormat: .npy read/write for tensors.
        .target(name: "NumPyFormat", dependencies: ["TensorModule"], swiftSettings: swiftSettings),
        // KerasGraph: the model graph (typed layers, topology, weights, shapes). Knows no file format.
        .target(name: "KerasGraph", dependencies: ["TensorModule"], swiftSettings: swiftSettings),
        // KerasFormat: codecs between Keras files and the graph.
        .target(
            name: "KerasFormat",
            dependencies: ["HDF5", "KerasGraph", "TensorModule", .product(name: "ZIPFoundation", package: "ZIPFoundation")],
            swiftSettings: swiftSettings),
        // KerasInference: runs a graph.
        .target(name: "KerasInference", dependencies: ["KerasGraph", "TensorModule"], swiftSettings: swiftSettings),
        // ONNXProto: the ONNX protobuf messages, generated once from onnx.proto (tools/generate_onnx_proto.sh).
        .target(
            name: "ONNXProto",
            dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf")],
            swiftSettings: swiftSettings),
        // KerasExport: graph → other frameworks' formats (ONNX, …). Knows no Keras file format.
        .target(
            name: "KerasExport",
            dependencies: ["KerasGraph", "TensorModule", "ONNXProto", .product(name: "SwiftProtobuf", package: "swift-protobuf")],
            swiftSettings: swiftSettings),
        // KerasPort: the public face; re-exports the pieces above.
        .target(
            name: "KerasPort",
            dependencies: ["HDF5", "KerasGraph", "KerasFormat", "KerasInference", "KerasExport", "NumPyFormat", "TensorModule"],
            swiftSettings: swiftSettings),

        // KerasPortTooling: what only the CLI uses (inspect reports, the benchmark driver, per-layer comparison, bulk
        // conversion plans). Not a product: apps that `import KerasPort` do not see it.
        .target(
            name: "KerasPortTooling",
            dependencies: ["KerasFormat", "KerasGraph", "KerasInference", "NumPyFormat", "TensorModule"],
            swiftSettings: swiftSettings),

        // KerasPlot: SVG and Graphviz DOT drawings of activations and model graphs (no dependencies, no file formats).
        .target(name: "KerasPlot", swiftSettings: swiftSettings),

        // MARK: - Tool
        .executableTarget(
            name: "keras-port",
            dependencies: ["KerasPort", "KerasPortTooling", "KerasPlot", "KerasExport", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: swiftSettings),

        // MARK: - Examples (built with the package; each uses only `import KerasPort`)
        .executableTarget(name: "inspect-alphas", dependencies: ["KerasPort"], path: "Examples/InspectAlphas",
                          swiftSettings: swiftSettings),
        .executableTarget(name: "upscale", dependencies: ["KerasPort"], path: "Examples/Upscale",
                          swiftSettings: swiftSettings),
        .executableTarget(name: "convert-folder", dependencies: ["KerasPort"], path: "Examples/ConvertFolder",
                          swiftSettings: swiftSettings),

        // MARK: - Tests
        .target(name: "_TestSupport", dependencies: ["TensorModule"], swiftSettings: swiftSettings),
        .testTarget(name: "HDF5Tests", dependencies: ["HDF5", "_TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "TensorModuleTests", dependencies: ["TensorModule", "CKernels", "NumPyFormat", "_TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "KerasGraphTests", dependencies: ["KerasGraph", "_TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "KerasFormatTests", dependencies: ["KerasFormat", "KerasGraph", "HDF5", "KerasPort", "KerasPortTooling", "_TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "KerasInferenceTests", dependencies: ["KerasInference", "KerasPort", "_TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "KerasExportTests", dependencies: ["KerasExport", "ONNXProto", "KerasPort", "_TestSupport", .product(name: "SwiftProtobuf", package: "swift-protobuf")], swiftSettings: swiftSettings),
        .testTarget(name: "KerasPortCLITests", dependencies: ["keras-port", "KerasPort", "KerasPortTooling", "KerasPlot", "_TestSupport", .product(name: "ArgumentParser", package: "swift-argument-parser")], swiftSettings: swiftSettings),
    ],
    swiftLanguageModes: [.v6]
)
