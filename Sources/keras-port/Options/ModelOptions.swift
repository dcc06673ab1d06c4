import ArgumentParser

/// The model file and its optional architecture JSON, shared by every subcommand.
struct ModelOptions: ParsableArguments {
    @Argument(help: "The Keras model or weights file (.h5, .hdf5, .weights.h5, .weights.json, .keras).")
    var model: String

    @Option(name: .long, help: "Architecture JSON (model.to_json()) for weights-only files.")
    var config: String?
}
