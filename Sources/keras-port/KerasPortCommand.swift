import ArgumentParser
import KerasPort
import KerasPortTooling

@main
struct KerasPortCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keras-port",
        abstract: "Read, inspect, run and write Keras model files.",
        discussion: """
            Reads Keras 1/2/3 legacy .h5 files, weights-only .h5 with an architecture JSON, Keras 3 \
            .weights.h5 (also sharded) and .keras archives, through libhdf5.
            """,
        version: KerasPortVersion.string,
        subcommands: [Inspect.self, Predict.self, Convert.self, Edit.self, Bench.self, Export.self, Plot.self, Layers.self])

    static func main() {
        CommandStartup.run()
        main(nil)
    }
}
