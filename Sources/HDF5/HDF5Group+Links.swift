internal import CHDF5

/// One link found when listing or walking a group.
package struct HDF5Link: Sendable, Hashable, CustomStringConvertible {
    /// The link's own name (the last path component).
    package var name: String
    /// The path relative to the group that was listed or walked (equal to `name` for direct children).
    package var path: String
    /// What the link points to.
    package var kind: HDF5ObjectKind

    /// Creates a link description.
    package init(name: String, path: String, kind: HDF5ObjectKind) {
        self.name = name
        self.path = path
        self.kind = kind
    }

    /// `path (kind)`, such as `model_weights/d1 (group)`.
    package var description: String { "\(path) (\(kind))" }
}

/// The order in which links are listed.
package enum HDF5IterationOrder: Sendable, Hashable {
    /// By name, in byte order: `"0", "1", "10", "2"`. Always available.
    case name
    /// In the order the links were created. Only for groups created with creation-order tracking
    /// (h5py `track_order=True`); other groups throw `invalidArgument`.
    case creation
}

extension HDF5Group {
    /// The direct children of this group, in the given order, each with its kind.
    ///
    /// The corresponding C functions are `H5Literate` and `H5Oget_info_by_name2`.
    package func children(order: HDF5IterationOrder = .name) throws(HDF5Error) -> [HDF5Link] {
        let context = ErrorContext(action: "list group", file: filePath, object: path)
        return try HDF5Library.withLock { () throws(HDF5Error) -> [HDF5Link] in
            let id = try handle.id(context)
            let index = try Self.index(for: order, group: id, context)
            // Each link with its type as the listing reports it (what H5Lget_info would say of it).
            let (status, names) = Self.listedLinks { chdf5_iterate_links(id, index, $0, $1) }
            try check(status, "H5Literate", context)
            var links: [HDF5Link] = []
            links.reserveCapacity(names.count)
            let base = path == "/" ? "/" : path + "/"
            for (name, type) in names {
                let kind = Self.kindOfLink(id, name, type: type, at: verified == nil ? nil : base + name, verified: verified)
                links.append(HDF5Link(name: name, path: name, kind: kind))
            }
            return links
        }
    }

    /// Every link below this group, recursively, parents before their children; each object is
    /// visited once even when several hard links (or a cycle) reach it. Within a group, links come
    /// in the given order.
    ///
    /// The corresponding C functions are `H5Lvisit` and `H5Oget_info_by_name2`.
    package func descendants(order: HDF5IterationOrder = .name) throws(HDF5Error) -> [HDF5Link] {
        let context = ErrorContext(action: "walk group", file: filePath, object: path)
        return try HDF5Library.withLock { () throws(HDF5Error) -> [HDF5Link] in
            let id = try handle.id(context)
            let index = try Self.index(for: order, group: id, context)
            // Each link with its type as the walk reports it (what H5Lget_info would say of it). The root's in name
            // order is the list the self-containment walk made of this read-only file (the same H5Lvisit call).
            let paths: [(name: String, type: H5L_type_t)]
            if path == "/", index == H5_INDEX_NAME, let listed = verified?.rootLinks {
                paths = listed
            } else {
                let status: herr_t
                (status, paths) = Self.listedLinks { chdf5_visit_links(id, index, $0, $1) }
                try check(status, "H5Lvisit", context)
            }
            var links: [HDF5Link] = []
            links.reserveCapacity(paths.count)
            let base = self.path == "/" ? "/" : self.path + "/"
            for (path, type) in paths {
                let kind = Self.kindOfLink(id, path, type: type, at: verified == nil ? nil : base + path, verified: verified)
                links.append(HDF5Link(name: ObjectPath.lastComponent(path), path: path, kind: kind))
            }
            return links
        }
    }

    /// Each link a libhdf5 listing (`list`: `chdf5_iterate_links` or `chdf5_visit_links` with the callback and its
    /// data) reports, in its order: its name (a path below the group for a walk) and its type; with the listing's
    /// status.
    static func listedLinks(_ list: (chdf5_link_info_op, UnsafeMutableRawPointer) -> herr_t)
        -> (status: herr_t, links: [(name: String, type: H5L_type_t)]) {
        var links: [(name: String, type: H5L_type_t)] = []
        let status = withUnsafeMutablePointer(to: &links) { pointer in
            list({ name, type, _, data in
                guard let name, let data else { return -1 }
                data.assumingMemoryBound(to: [(name: String, type: H5L_type_t)].self).pointee.append((String(cString: name), type))
                return 0
            }, pointer)
        }
        return (status, links)
    }

    /// Whether this group records the creation order of its links.
    ///
    /// The corresponding C functions are `H5Gget_create_plist` and `H5Pget_link_creation_order`.
    package func tracksCreationOrder() throws(HDF5Error) -> Bool {
        let context = ErrorContext(action: "inspect group", file: filePath, object: path)
        return try HDF5Library.withLock { () throws(HDF5Error) -> Bool in
            try Self.tracksCreationOrder(try handle.id(context), context)
        }
    }

    // MARK: - Helpers

    /// The libhdf5 index for `order`, checking that creation order is tracked when asked for.
    static func index(for order: HDF5IterationOrder, group: hid_t, _ context: ErrorContext) throws(HDF5Error) -> H5_index_t {
        switch order {
        case .name:
            return H5_INDEX_NAME
        case .creation:
            guard try tracksCreationOrder(group, context) else {
                throw context.error(.invalidArgument, "the group does not track the creation order of its links")
            }
            return H5_INDEX_CRT_ORDER
        }
    }

    static func tracksCreationOrder(_ group: hid_t, _ context: ErrorContext) throws(HDF5Error) -> Bool {
        try withTemporary(H5Gget_create_plist(group), kind: .propertyList, "H5Gget_create_plist", context) {
            (gcpl) throws(HDF5Error) -> Bool in
            var flags: UInt32 = 0
            try check(H5Pget_link_creation_order(gcpl, &flags), "H5Pget_link_creation_order", context)
            return flags & UInt32(H5P_CRT_ORDER_TRACKED) != 0
        }
    }
}
