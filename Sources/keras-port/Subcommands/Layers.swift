import ArgumentParser
import KerasPort

extension KerasPortCommand {
    struct Layers: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the Keras layer classes and activations KerasPort runs, and the known classes it does not.",
            discussion: "--markdown prints README.md's generated section (between its supported-layers markers).")

        @Flag(name: .long, help: "Print the README section (Markdown tables) instead of plain lists.")
        var markdown = false

        func run() throws {
            if markdown {
                print(LayerRegistry.readmeBeginMarker)
                print(LayerRegistry.supportedLayersMarkdown(), terminator: "")
                print(LayerRegistry.readmeEndMarker)
                return
            }
            print("supported (\(LayerRegistry.supportedClassNames.count)):")
            for name in LayerRegistry.supportedClassNames { print("  \(name)") }
            print("activations (\(LayerRegistry.supportedActivationNames.count)):")
            for name in LayerRegistry.supportedActivationNames { print("  \(name)") }
            print("not supported (\(LayerRegistry.unsupportedClasses.count)):")
            for (name, reason) in LayerRegistry.unsupportedClasses { print("  \(name): \(reason)") }
        }
    }
}
