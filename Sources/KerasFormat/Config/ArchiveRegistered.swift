import KerasGraph

/// A layer class that a `.keras` archive names by a module other than `keras.layers` (the classes keras.applications
/// defines for itself, such as ConvNeXt's `LayerScale`), with `registered_name` set to the class name, as Keras 3
/// writes them.
package protocol ArchiveRegistered {
    /// The `module` of the archive entry (`keras.src.applications.convnext`); `keras.layers` for built-ins.
    var archiveModule: String { get }
}
