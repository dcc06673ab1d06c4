import ArgumentParser
import KerasPort

@main
struct KerasPortCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keras-port",
        abstract: "Read, inspect, run and write Keras model files.",
        version: "0.1.0",
        subcommands: [])
}
