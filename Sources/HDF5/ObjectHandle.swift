internal import CHDF5

/// Owns one libhdf5 identifier and closes it exactly once: in ``close(_:)`` or in `deinit`.
///
/// An invalid identifier is never wrapped: ``init(_:kind:_:_:)`` runs the return value through the
/// error chokepoint first, so a failed open throws instead of producing a handle. Closing is
/// reference-counted by libhdf5, so a group or dataset may outlive the `HDF5File` it came from.
final class ObjectHandle {
    /// Which close function the identifier needs.
    enum Kind {
        case file, group, dataset, attribute, datatype, dataspace, propertyList

        var closeFunctionName: String {
            switch self {
            case .file: "H5Fclose"
            case .group: "H5Gclose"
            case .dataset: "H5Dclose"
            case .attribute: "H5Aclose"
            case .datatype: "H5Tclose"
            case .dataspace: "H5Sclose"
            case .propertyList: "H5Pclose"
            }
        }
    }

    /// The identifier, or -1 after closing. Read and written only with the library lock held.
    private var rawID: hid_t
    let kind: Kind

    /// Wraps the result of an open/create call, throwing if it is an error.
    /// Call with the library lock held.
    init(_ result: hid_t, kind: Kind, _ function: String, _ context: ErrorContext) throws(HDF5Error) {
        rawID = try check(result, function, context)
        self.kind = kind
    }

    /// The identifier; throws `closed` when ``close(_:)`` already ran. Call with the lock held.
    func id(_ context: ErrorContext) throws(HDF5Error) -> hid_t {
        guard rawID >= 0 else { throw context.error(.closed, "the object was already closed") }
        return rawID
    }

    /// Whether the identifier is still open.
    var isOpen: Bool { HDF5Library.withLock { rawID >= 0 } }

    /// Closes the identifier now; later uses throw `closed`. Closing twice is allowed.
    func close(_ context: ErrorContext) throws(HDF5Error) {
        try HDF5Library.withLock { () throws(HDF5Error) in
            guard rawID >= 0 else { return }
            let id = rawID
            rawID = -1
            try check(Self.close(id, kind), kind.closeFunctionName, context)
        }
    }

    deinit {
        HDF5Library.withLock {
            guard rawID >= 0 else { return }
            _ = Self.close(rawID, kind)
            rawID = -1
        }
    }

    /// The corresponding C functions are `H5Fclose`, `H5Gclose`, `H5Dclose`, `H5Aclose`,
    /// `H5Tclose`, `H5Sclose` and `H5Pclose`.
    private static func close(_ id: hid_t, _ kind: Kind) -> herr_t {
        switch kind {
        case .file: H5Fclose(id)
        case .group: H5Gclose(id)
        case .dataset: H5Dclose(id)
        case .attribute: H5Aclose(id)
        case .datatype: H5Tclose(id)
        case .dataspace: H5Sclose(id)
        case .propertyList: H5Pclose(id)
        }
    }
}

/// Runs `body` with a temporary identifier (a datatype, dataspace or property list) and closes it
/// afterwards, whether `body` throws or not. Call with the library lock held.
func withTemporary<T>(
    _ result: hid_t, kind: ObjectHandle.Kind, _ function: String, _ context: ErrorContext,
    _ body: (hid_t) throws(HDF5Error) -> T
) throws(HDF5Error) -> T {
    let handle = try ObjectHandle(result, kind: kind, function, context)
    return try withExtendedLifetime(handle) { () throws(HDF5Error) -> T in
        try body(handle.id(context))
    }
}
