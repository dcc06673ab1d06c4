import KerasGraph

extension KerasFile {
    /// Reads the graph of the file at `path` (``open(_:architecture:)``, then ``loadGraph()``) and hands it to
    /// `body` (typically compiling it), while the file is closed on another thread: closing a file of hundreds of
    /// datasets is libhdf5's work of about 10 ms (each dataset's property lists, then the metadata cache), which
    /// compiling does not wait for. The file is closed before this returns, whether `body` throws or not.
    package static func withGraph<R>(at path: String, architecture: String?,
                                     _ body: (consuming ModelGraph) throws -> R) throws -> R {
        try withGraph(of: try open(path, architecture: architecture), body)
    }

    /// ``withGraph(at:architecture:_:)`` for a file already open; `file` must hold the only reference to it (the
    /// caller's is handed over), so that it is closed on the other thread.
    package static func withGraph<R>(of file: consuming KerasFile, _ body: (consuming ModelGraph) throws -> R) throws -> R {
        let graph = try file.loadGraph()
        // The file's last reference goes to the other thread, so its deinit (closing every HDF5 object under the
        // library's lock) runs there.
        var held: KerasFile? = consume file
        let closing = BackgroundWork { _ = held.take() }
        defer { closing.wait() }
        // Handed over, not copied: a compiling body frees each kernel it packs as it goes.
        return try body(consume graph)
    }
}
