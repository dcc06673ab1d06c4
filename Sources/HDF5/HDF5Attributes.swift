internal import CHDF5

/// The attributes of one group or dataset: look them up, read them, write them.
///
/// Get it from ``HDF5Group/attributes`` or ``HDF5Dataset/attributes``.
///
/// ```swift
/// let names = try group.attributes.strings(named: "layer_names")   // any string form
/// try group.attributes.write(string: "3.15.1", named: "keras_version")
/// try group.attributes.write(strings: ["kernel", "bias"], named: "weight_names", as: .fixedLength)
/// ```
///
/// Not `Sendable`; see ``HDF5Library`` for the threading rules.
package struct HDF5Attributes {
    let owner: ObjectHandle
    /// The absolute path of the object that carries the attributes.
    package let objectPath: String
    /// The path (or in-memory name) of the file, for messages.
    package let filePath: String
    /// The owner's file's checked state (its file bytes, opened once for the checks), when known.
    let verified: VerifiedObjects?

    init(owner: ObjectHandle, objectPath: String, filePath: String, verified: VerifiedObjects? = nil) {
        self.owner = owner
        self.verified = verified
        self.objectPath = objectPath
        self.filePath = filePath
    }

    /// Whether an attribute called `name` exists.
    ///
    /// The corresponding C function is `H5Aexists`.
    package func contains(_ name: String) throws(HDF5Error) -> Bool {
        let context = context("look up", name)
        try validate(name, context)
        return try HDF5Library.withLock { () throws(HDF5Error) -> Bool in
            let id = try owner.id(context)
            try ObjectHeaderCheck.checkAttributes(of: id, context, bytes: verified?.fileBytes(id, context))
            return try checkBool(H5Aexists(id, name), "H5Aexists", context)
        }
    }

    /// The names of all attributes, in name (byte) order.
    ///
    /// The corresponding C function is `H5Aiterate2`.
    package func names() throws(HDF5Error) -> [String] {
        let context = ErrorContext(action: "list attributes of", file: filePath, object: objectPath)
        return try HDF5Library.withLock { () throws(HDF5Error) -> [String] in
            let id = try owner.id(context)
            try ObjectHeaderCheck.checkAttributes(of: id, context, bytes: verified?.fileBytes(id, context))
            var names: [String] = []
            let status = withUnsafeMutablePointer(to: &names) { pointer in
                H5Aiterate2(id, H5_INDEX_NAME, H5_ITER_INC, nil, { _, name, _, data in
                    guard let name, let data else { return -1 }
                    data.assumingMemoryBound(to: [String].self).pointee.append(String(cString: name))
                    return 0
                }, pointer)
            }
            try check(status, "H5Aiterate2", context)
            return names
        }
    }

    /// Opens the attribute called `name` and reads its shape and element type.
    ///
    /// - Throws: `HDF5Error` with code `objectNotFound` when there is no such attribute.
    ///
    /// The corresponding C functions are `H5Aopen`, `H5Aget_space` and `H5Aget_type`.
    package func attribute(named name: String) throws(HDF5Error) -> HDF5Attribute {
        let context = context("open", name)
        try validate(name, context)
        return try HDF5Library.withLock { () throws(HDF5Error) -> HDF5Attribute in
            let id = try owner.id(context)
            try ObjectHeaderCheck.checkAttributes(of: id, context, bytes: verified?.fileBytes(id, context))
            guard try checkBool(H5Aexists(id, name), "H5Aexists", context) else {
                throw context.error(.objectNotFound, "no such attribute")
            }
            let handle = try ObjectHandle(H5Aopen(id, name, chdf5_p_default()), kind: .attribute, "H5Aopen", context)
            return try HDF5Attribute(handle: handle, name: name, objectPath: objectPath, filePath: filePath, context)
        }
    }

    /// Deletes the attribute called `name`.
    ///
    /// The corresponding C function is `H5Adelete`.
    package func delete(_ name: String) throws(HDF5Error) {
        let context = context("delete", name)
        try validate(name, context)
        try HDF5Library.withLock { () throws(HDF5Error) in
            let id = try owner.id(context)
            guard try checkBool(H5Aexists(id, name), "H5Aexists", context) else {
                throw context.error(.objectNotFound, "no such attribute")
            }
            try check(H5Adelete(id, name), "H5Adelete", context)
        }
    }

    // MARK: - Reading shortcuts

    /// Reads a string-list attribute in any form; see ``HDF5Attribute/readStrings()``.
    package func strings(named name: String) throws(HDF5Error) -> [String] {
        try attribute(named: name).readStrings()
    }

    /// Reads a single-string attribute in any form; see ``HDF5Attribute/readString()``.
    package func string(named name: String) throws(HDF5Error) -> String {
        try attribute(named: name).readString()
    }

    /// Reads a numeric attribute as `Double`s; see ``HDF5Attribute/readDoubles()``.
    package func doubles(named name: String) throws(HDF5Error) -> [Double] {
        try attribute(named: name).readDoubles()
    }

    /// Reads a numeric attribute as `Float`s; see ``HDF5Attribute/readFloats()``.
    package func floats(named name: String) throws(HDF5Error) -> [Float] {
        try attribute(named: name).readFloats()
    }

    /// Reads an integer attribute as `Int64`s; see ``HDF5Attribute/readInt64s()``.
    package func int64s(named name: String) throws(HDF5Error) -> [Int64] {
        try attribute(named: name).readInt64s()
    }

    /// Reads a string list stored either whole as `name`, or split into numbered chunks `name0`,
    /// `name1`, … (read in order until the next index is missing, then concatenated), the layout
    /// that writers use for lists too large for one attribute (64 KB object-header limit). Returns
    /// nil when neither `name` nor `name0` exists.
    package func chunkedStrings(named name: String) throws(HDF5Error) -> [String]? {
        if try contains(name) { return try strings(named: name) }
        var result: [String] = []
        var index = 0
        while try contains("\(name)\(index)") {
            result += try strings(named: "\(name)\(index)")
            index += 1
        }
        return index == 0 ? nil : result
    }

    // MARK: - Helpers

    func context(_ action: String, _ name: String) -> ErrorContext {
        ErrorContext(action: action, file: filePath, object: objectPath, attribute: name)
    }

    func validate(_ name: String, _ context: ErrorContext) throws(HDF5Error) {
        if name.isEmpty { throw context.error(.invalidArgument, "the attribute name is empty") }
        if name.utf8.contains(0) { throw context.error(.invalidArgument, "the attribute name contains a NUL character") }
    }
}
