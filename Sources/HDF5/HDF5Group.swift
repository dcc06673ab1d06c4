internal import CHDF5

/// What an HDF5 link points to.
package enum HDF5ObjectKind: Sendable, Hashable, CustomStringConvertible {
    /// A group (a folder of links).
    case group
    /// A dataset (an array of elements).
    case dataset
    /// A named (committed) datatype.
    case namedDatatype
    /// A link into another file; not followed.
    case externalLink
    /// Anything else, including a soft link whose target does not exist.
    case other

    /// The kind in words, such as `group` or `external link`.
    package var description: String {
        switch self {
        case .group: "group"
        case .dataset: "dataset"
        case .namedDatatype: "named datatype"
        case .externalLink: "external link"
        case .other: "other object"
        }
    }
}

/// An open HDF5 group: a folder of links to groups and datasets, with attributes.
///
/// Paths given to the methods are relative to this group, or absolute when they start with `/`.
/// The group stays open while any copy of the value is alive, or until ``close()``.
///
/// Not `Sendable`; see ``HDF5Library`` for the threading rules.
package struct HDF5Group {
    let handle: ObjectHandle
    /// What the file's ``HDF5File/checkSelfContained()`` found safe (nil for groups not opened through an `HDF5File`).
    let verified: VerifiedObjects?
    /// The absolute path of the group inside its file, such as `/model_weights/conv`.
    package let path: String
    /// The path (or in-memory name) of the file, for messages.
    package let filePath: String

    init(handle: ObjectHandle, path: String, filePath: String, verified: VerifiedObjects? = nil) {
        self.handle = handle
        self.verified = verified
        self.path = path
        self.filePath = filePath
    }

    /// The last component of ``path`` (`/` for the root group).
    package var name: String { ObjectPath.lastComponent(path) }

    /// The attributes attached to this group.
    package var attributes: HDF5Attributes {
        HDF5Attributes(owner: handle, objectPath: path, filePath: filePath, verified: verified)
    }

    /// Opens the group at `path`.
    ///
    /// - Throws: `HDF5Error` with code `objectNotFound` when nothing is at `path`, or
    ///   `typeMismatch` when something other than a group is.
    ///
    /// The corresponding C function is `H5Gopen2`.
    package func group(at path: String) throws(HDF5Error) -> HDF5Group {
        let fullPath = ObjectPath.join(self.path, path)
        let context = ErrorContext(action: "open group", file: filePath, object: fullPath)
        try ObjectPath.validate(path, context)
        return try HDF5Library.withLock { () throws(HDF5Error) -> HDF5Group in
            let id = try handle.id(context)
            // A group the walk of checkSelfContained() reached through checked hard links needs no second check.
            if verified?.isVerified(group: fullPath) != true {
                try ExternalDataCheck.checkLinks(id, path, base: self.path, context)
            }
            let result = H5Gopen2(id, path, chdf5_p_default())
            if result < 0 {
                throw refine(libraryError(function: "H5Gopen2", context: context), path: path, expected: .group)
            }
            return HDF5Group(handle: try ObjectHandle(result, kind: .group, "H5Gopen2", context), path: fullPath, filePath: filePath,
                             verified: verified)
        }
    }

    /// Opens the dataset at `path` and reads its shape and element type (not its data).
    ///
    /// - Throws: `HDF5Error` with code `objectNotFound` when nothing is at `path`, `typeMismatch`
    ///   when something other than a dataset is, or `invalidShape` for an unusable dataspace.
    ///
    /// The corresponding C functions are `H5Dopen2`, `H5Dget_space` and `H5Dget_type`.
    package func dataset(at path: String) throws(HDF5Error) -> HDF5Dataset {
        let fullPath = ObjectPath.join(self.path, path)
        let context = ErrorContext(action: "open dataset", file: filePath, object: fullPath)
        try ObjectPath.validate(path, context)
        return try HDF5Library.withLock { () throws(HDF5Error) -> HDF5Dataset in
            let id = try handle.id(context)
            if let verified, verified.isVerified(dataset: fullPath) {
                // checkSelfContained() checked this very path (its links, the dataset's header bytes, creation
                // property list and filters): open it (or take the walk's open identifier) without checking again.
                let result = verified.takeOpenDataset(fullPath) ?? H5Dopen2(id, path, chdf5_p_default())
                if result < 0 {
                    throw refine(libraryError(function: "H5Dopen2", context: context), path: path, expected: .dataset)
                }
                let handle = try ObjectHandle(result, kind: .dataset, "H5Dopen2", context)
                return try HDF5Dataset(handle: handle, path: fullPath, filePath: filePath, context,
                                       layout: verified.layout(ofDataset: fullPath))
            }
            try ExternalDataCheck.checkLinks(id, path, base: self.path, context)
            try ExternalDataCheck.checkStorageBeforeOpen(id, path, context, bytes: verified?.fileBytes(id, context))
            let result = H5Dopen2(id, path, chdf5_p_default())
            if result < 0 {
                throw refine(libraryError(function: "H5Dopen2", context: context), path: path, expected: .dataset)
            }
            let handle = try ObjectHandle(result, kind: .dataset, "H5Dopen2", context)
            let layout = try ExternalDataCheck.checkOpenDataset(result, context)
            return try HDF5Dataset(handle: handle, path: fullPath, filePath: filePath, context, layout: layout)
        }
    }

    /// Whether something exists at `path`. Each component is checked in turn, so a missing or
    /// non-group parent gives `false` rather than an error.
    ///
    /// The corresponding C functions are `H5Lexists` and `H5Oget_info_by_name2`.
    package func exists(_ path: String) throws(HDF5Error) -> Bool {
        try objectKind(at: path) != nil
    }

    /// What `path` points to, or nil when nothing is there (checked component by component, like
    /// ``exists(_:)``). Soft links are followed.
    ///
    /// The corresponding C functions are `H5Lexists`, `H5Lget_info` and `H5Oget_info_by_name2`.
    package func objectKind(at path: String) throws(HDF5Error) -> HDF5ObjectKind? {
        let context = ErrorContext(action: "look up", file: filePath, object: ObjectPath.join(self.path, path))
        try ObjectPath.validate(path, context)
        return try HDF5Library.withLock { () throws(HDF5Error) -> HDF5ObjectKind? in
            let id = try handle.id(context)
            let components = ObjectPath.components(path)
            if components.isEmpty { return .group }  // "/" is the root group
            var prefix = path.hasPrefix("/") ? "/" : ""
            var kind: HDF5ObjectKind = .group
            for component in components {
                guard kind == .group else { return nil }  // a parent that is not a group has no children
                prefix += (prefix.isEmpty || prefix == "/") ? component : "/" + component
                guard try checkBool(H5Lexists(id, prefix, chdf5_p_default()), "H5Lexists", context) else { return nil }
                kind = try Self.kindOfLink(id, prefix, context)
            }
            return kind
        }
    }

    /// Creates a group at `path`, creating missing intermediate groups too.
    ///
    /// - Parameters:
    ///   - path: The new group's path.
    ///   - tracksCreationOrder: Whether the new group records the creation order of its links.
    /// - Throws: `HDF5Error` with code `alreadyExists` when something exists at `path`.
    ///
    /// The corresponding C functions are `H5Pset_create_intermediate_group` and `H5Gcreate2`.
    @discardableResult
    package func createGroup(at path: String, tracksCreationOrder: Bool = false) throws(HDF5Error) -> HDF5Group {
        let fullPath = ObjectPath.join(self.path, path)
        let context = ErrorContext(action: "create group", file: filePath, object: fullPath)
        try ObjectPath.validate(path, context)
        return try HDF5Library.withLock { () throws(HDF5Error) -> HDF5Group in
            let id = try handle.id(context)
            if try objectKind(at: path) != nil {
                throw context.error(.alreadyExists, "an object with that name already exists")
            }
            return try withLinkCreationList(context) { (lcpl) throws(HDF5Error) -> HDF5Group in
                try withGroupCreationList(tracksCreationOrder: tracksCreationOrder, context) { (gcpl) throws(HDF5Error) -> HDF5Group in
                    let handle = try ObjectHandle(
                        H5Gcreate2(id, path, lcpl, gcpl, chdf5_p_default()), kind: .group, "H5Gcreate2", context)
                    return HDF5Group(handle: handle, path: fullPath, filePath: filePath)
                }
            }
        }
    }

    /// Opens the group at `path`, creating it (and missing parents) when nothing is there
    /// (like h5py's `require_group`).
    ///
    /// The corresponding C functions are `H5Gopen2` and `H5Gcreate2`.
    package func groupCreatingIfNeeded(at path: String) throws(HDF5Error) -> HDF5Group {
        try HDF5Library.withLock { () throws(HDF5Error) -> HDF5Group in
            if try exists(path) { return try group(at: path) }
            return try createGroup(at: path)
        }
    }

    /// Whether ``close()`` has not been called on this group (or a copy of it).
    package var isOpen: Bool { handle.isOpen }

    /// Closes the group now instead of when the last copy is released. Later uses throw `closed`.
    ///
    /// The corresponding C function is `H5Gclose`.
    package func close() throws(HDF5Error) {
        try handle.close(ErrorContext(action: "close group", file: filePath, object: path))
    }

    // MARK: - Helpers

    /// Improves the error of a failed open: `objectNotFound` when nothing is at `path`,
    /// `typeMismatch` when the object has another kind. Call with the library lock held.
    func refine(_ error: HDF5Error, path: String, expected: HDF5ObjectKind) -> HDF5Error {
        var error = error
        guard let kind = try? objectKind(at: path) else {
            error.code = .objectNotFound
            return error
        }
        if kind != expected {
            error.code = .typeMismatch
            error.function = nil
            error.reason = "the object is a \(kind), not a \(expected)"
        }
        return error
    }

    /// What the existing link `name` (relative to `location`) points to. Call with the lock held.
    ///
    /// The corresponding C functions are `H5Lget_info` and `H5Oget_info_by_name2`.
    static func kindOfLink(_ location: hid_t, _ name: String, _ context: ErrorContext) throws(HDF5Error) -> HDF5ObjectKind {
        var link = H5L_TYPE_ERROR
        var valueSize = 0
        try check(chdf5_link_info(location, name, &link, &valueSize), "H5Lget_info", context)
        return kindOfLink(location, name, type: link, at: nil, verified: nil)
    }

    /// ``kindOfLink(_:_:_:)`` for a link whose type is known (from a listing); a hard link the walk of
    /// checkSelfContained() saw at the absolute path `at` takes its object type from there.
    static func kindOfLink(_ location: hid_t, _ name: String, type link: H5L_type_t, at path: String?,
                           verified: VerifiedObjects?) -> HDF5ObjectKind {
        if link == H5L_TYPE_EXTERNAL { return .externalLink }
        if link == H5L_TYPE_HARD, let path, let known = verified?.objectType(path) { return kind(of: known) }
        var type = H5O_TYPE_UNKNOWN
        // Fails for a soft link whose target is missing: report it as `other`.
        guard chdf5_object_type_by_name(location, name, &type) >= 0 else {
            return .other
        }
        return kind(of: type)
    }

    static func kind(of type: H5O_type_t) -> HDF5ObjectKind {
        switch type {
        case H5O_TYPE_GROUP: return .group
        case H5O_TYPE_DATASET: return .dataset
        case H5O_TYPE_NAMED_DATATYPE: return .namedDatatype
        default: return .other
        }
    }
}

/// Runs `body` with a link-creation property list that creates missing intermediate groups.
/// Call with the library lock held.
///
/// The corresponding C functions are `H5Pcreate` and `H5Pset_create_intermediate_group`.
func withLinkCreationList<T>(_ context: ErrorContext, _ body: (hid_t) throws(HDF5Error) -> T) throws(HDF5Error) -> T {
    try withTemporary(H5Pcreate(chdf5_p_link_create()), kind: .propertyList, "H5Pcreate", context) {
        (lcpl) throws(HDF5Error) -> T in
        try check(H5Pset_create_intermediate_group(lcpl, 1), "H5Pset_create_intermediate_group", context)
        return try body(lcpl)
    }
}

/// Runs `body` with a group-creation property list (link creation order tracked or not).
/// Call with the library lock held.
///
/// The corresponding C functions are `H5Pcreate` and `H5Pset_link_creation_order`.
func withGroupCreationList<T>(
    tracksCreationOrder: Bool, _ context: ErrorContext, _ body: (hid_t) throws(HDF5Error) -> T
) throws(HDF5Error) -> T {
    guard tracksCreationOrder else { return try body(chdf5_p_default()) }
    return try withTemporary(H5Pcreate(chdf5_p_group_create()), kind: .propertyList, "H5Pcreate", context) {
        (gcpl) throws(HDF5Error) -> T in
        try check(
            H5Pset_link_creation_order(gcpl, chdf5_crt_order_tracked_indexed()), "H5Pset_link_creation_order", context)
        return try body(gcpl)
    }
}
