internal import CHDF5

/// Helpers for the `/`-separated object paths used in HDF5 files.
enum ObjectPath {
    /// `path` resolved against the absolute group path `base`: an absolute `path` is kept,
    /// a relative one is appended. Empty components (`a//b`, a trailing `/`) are dropped.
    static func join(_ base: String, _ path: String) -> String {
        let components = path.hasPrefix("/") ? self.components(path) : self.components(base) + self.components(path)
        return "/" + components.joined(separator: "/")
    }

    /// The non-empty components of `path`.
    static func components(_ path: String) -> [String] {
        path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
    }

    /// The last component of an absolute path (`"/"` for the root group).
    static func lastComponent(_ path: String) -> String {
        components(path).last ?? "/"
    }

    /// Rejects paths that libhdf5 would misread: empty names and embedded NUL characters.
    static func validate(_ path: String, _ context: ErrorContext) throws(HDF5Error) {
        if path.utf8.contains(0) {
            throw context.error(.invalidArgument, "the path contains a NUL character")
        }
        if components(path).isEmpty && !path.hasPrefix("/") {
            throw context.error(.invalidArgument, "the path is empty")
        }
    }
}
