internal import CHDF5

/// What ``HDF5File/checkSelfContained()`` found safe in a file opened for reading, so that opening those objects
/// afterwards does not repeat the checks (the file cannot change through a read-only libhdf5 handle).
///
/// - The absolute paths of the datasets the walk checked (header bytes, creation property list, filters) and found
///   self-contained, reached by hard links only, all of whose links it saw to be hard or soft: opening one of those
///   exact paths later skips the link, storage and property-list checks (any other spelling of a path, e.g. through
///   a soft link, is checked as before).
/// - The walk's open identifiers of those datasets, handed over to the first ``HDF5Group/dataset(at:)`` of the same
///   path instead of opening the dataset a second time (the rest are closed with the file).
/// - One descriptor on the file and its identity key, for the object-header and attribute checks, instead of one
///   `stat` + `open` + `close` per check.
///
/// Guarded by the library lock.
final class VerifiedObjects {
    /// Walk results kept open at most (beyond, datasets are opened again when asked for).
    static let maximumKeptOpen = 50_000

    /// Checked datasets: absolute path → storage layout (from the creation property list the check read).
    private var datasets: [String: H5D_layout_t] = [:]
    /// Object types of the hard links the walk followed (absolute path → type), each prefix of which is a hard link.
    private var types: [String: H5O_type_t] = [:]
    private var open: [String: hid_t] = [:]
    /// Every link below the root as the walk listed it (`H5Lvisit` in name order: each link's path relative to the
    /// root, as a walk names it, and its link type), handed to ``HDF5Group/descendants(order:)`` of the root instead
    /// of a second walk.
    private(set) var rootLinks: [(name: String, type: H5L_type_t)]?
    private var bytes: FileBytes?
    private var bytesTried = false

    /// Records a checked dataset, keeping `id` open for a later open of the same path when there is room (returns
    /// whether it kept it). Call with the lock held.
    func record(dataset path: String, id: hid_t, layout: H5D_layout_t) -> Bool {
        datasets[path] = layout
        guard id >= 0, open.count < Self.maximumKeptOpen, open[path] == nil else { return false }
        open[path] = id
        return true
    }

    /// Records the walk's list of every link below the root (only once the whole walk has passed). Call with the
    /// lock held.
    func record(rootLinks links: [(name: String, type: H5L_type_t)]) { rootLinks = links }

    /// Records the object type of a hard link the walk found (only once the whole walk has passed). Call with the
    /// lock held.
    func record(hardLink path: String, type: H5O_type_t) { types[path] = type }

    /// The object type of the hard link at this absolute path, when the walk saw it. Call with the lock held.
    func objectType(_ path: String) -> H5O_type_t? { types[path] }

    /// Whether the walk reached a group at this absolute path through hard links only (all of whose links it
    /// checked). Call with the lock held.
    func isVerified(group path: String) -> Bool { path == "/" || types[path] == H5O_TYPE_GROUP }

    /// Whether the walk checked the dataset at this absolute path. Call with the lock held.
    func isVerified(dataset path: String) -> Bool { datasets[path] != nil }

    /// The storage layout of a checked dataset. Call with the lock held.
    func layout(ofDataset path: String) -> H5D_layout_t? { datasets[path] }

    /// The walk's open identifier of the dataset at `path`, now owned by the caller, or nil. Call with the lock held.
    func takeOpenDataset(_ path: String) -> hid_t? { open.removeValue(forKey: path) }

    /// The file's bytes, opened once for this file (nil when they cannot be read directly: the checks then open them
    /// per call as before). Call with the lock held.
    func fileBytes(_ id: hid_t, _ context: ErrorContext) -> FileBytes? {
        if !bytesTried {
            bytesTried = true
            bytes = FileBytes.open(fileOf: id, context)
        }
        return bytes
    }

    /// Closes the kept identifiers and the descriptor. Call with the lock held.
    func release() {
        for id in open.values { H5Dclose(id) }
        open.removeAll()
        bytes?.close()
        bytes = nil
    }

    deinit {
        HDF5Library.withLock { release() }
    }
}
