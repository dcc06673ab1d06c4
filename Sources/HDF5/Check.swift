internal import CHDF5

/// The error chokepoint: the only place that tests a libhdf5 return value for failure.
///
/// libhdf5 signals failure with a negative `herr_t`, `htri_t`, `hid_t` or `ssize_t`. On failure this
/// captures libhdf5's error stack (which is per thread in thread-safe builds, and is read before
/// any other libhdf5 call can clear it) and throws an ``HDF5Error`` naming `function` and the
/// context's file and object. Call it with the library lock held.
@discardableResult
func check<T: SignedInteger>(_ result: T, _ function: String, _ context: ErrorContext) throws(HDF5Error) -> T {
    guard result < 0 else { return result }
    throw libraryError(function: function, context: context)
}

/// Like ``check(_:_:_:)`` for `htri_t` results, returning the tri-state's truth value.
func checkBool(_ result: htri_t, _ function: String, _ context: ErrorContext) throws(HDF5Error) -> Bool {
    try check(result, function, context) > 0
}

/// Builds the error for a failed libhdf5 call from the current error stack.
func libraryError(function: String, context: ErrorContext) -> HDF5Error {
    let stack = currentErrorStack()
    // The deepest frame with a message is the most specific ("object 'x' doesn't exist").
    let reason = stack.last(where: { !$0.message.isEmpty })?.message ?? "failed"
    let code: HDF5Error.Code
    let minors = Set(stack.map(\.minor))
    if minors.contains("Object not found") {
        code = .objectNotFound
    } else if minors.contains("Object already exists") || minors.contains("File already exists") {
        code = .alreadyExists
    } else {
        code = .library
    }
    return HDF5Error(
        code: code, action: context.action, filePath: context.file, objectPath: context.object,
        attributeName: context.attribute, function: function, reason: reason, stack: stack)
}

/// Copies and clears the calling thread's libhdf5 error stack, outermost frame first.
///
/// The corresponding C functions are `H5Eget_current_stack`, `H5Ewalk2`, `H5Eget_msg` and
/// `H5Eclose_stack`.
func currentErrorStack() -> [HDF5Error.Frame] {
    let stackID = H5Eget_current_stack()
    guard stackID >= 0 else { return [] }
    defer { _ = H5Eclose_stack(stackID) }
    var raw: [(function: String, message: String, major: hid_t, minor: hid_t)] = []
    _ = withUnsafeMutablePointer(to: &raw) { pointer in
        H5Ewalk2(stackID, H5E_WALK_DOWNWARD, { _, entry, clientData in
            guard let entry, let clientData else { return 0 }
            let frames = clientData.assumingMemoryBound(
                to: [(function: String, message: String, major: hid_t, minor: hid_t)].self)
            let error = entry.pointee
            frames.pointee.append((
                function: error.func_name.map { String(cString: $0) } ?? "",
                message: error.desc.map { String(cString: $0) } ?? "",
                major: error.maj_num, minor: error.min_num))
            return 0
        }, pointer)
    }
    return raw.map { frame in
        HDF5Error.Frame(
            function: frame.function, message: frame.message,
            major: errorMessage(frame.major), minor: errorMessage(frame.minor))
    }
}

/// The text of a libhdf5 major or minor error number.
///
/// The corresponding C function is `H5Eget_msg`.
private func errorMessage(_ id: hid_t) -> String {
    let length = H5Eget_msg(id, nil, nil, 0)
    guard length > 0 else { return "" }
    var buffer = [CChar](repeating: 0, count: Int(length) + 1)
    guard H5Eget_msg(id, nil, &buffer, buffer.count) > 0 else { return "" }
    return String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// Calls `body` with the bytes of `array`, keeping the typed error (`Array.withUnsafeBytes` is
/// `rethrows`, which loses it).
func withBytes<Element, Result>(
    of array: [Element], _ body: (UnsafeRawBufferPointer) throws(HDF5Error) -> Result
) throws(HDF5Error) -> Result {
    let outcome: Swift.Result<Result, HDF5Error> = array.withUnsafeBytes { buffer in
        do throws(HDF5Error) { return .success(try body(buffer)) } catch { return .failure(error) }
    }
    return try outcome.get()
}
