internal import CHDF5

#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// Refusal of everything in an HDF5 file that would make libhdf5 read another file or load code.
///
/// A model file is untrusted input. HDF5 lets a file point outside itself in three ways, each of which libhdf5
/// follows silently when the data is read:
/// - an **external link** (`H5L_TYPE_EXTERNAL`): a link naming an object in another HDF5 file;
/// - **external raw storage** (`H5Pset_external`): a dataset whose bytes live in other files, at given offsets;
/// - a **virtual dataset** (`H5D_VIRTUAL`): a dataset assembled from datasets of other HDF5 files.
/// A file crafted with any of them makes a reader copy the bytes of local files (keys, configuration, other users'
/// models) into the weights it reads, and a converter into the file it writes. And a dataset naming a filter
/// libhdf5 does not know makes libhdf5 search `HDF5_PLUGIN_PATH` for a shared library to load.
///
/// What this layer does:
/// - at library start, dynamic loading of filter plugins is turned off (`H5PLset_loading_state(0)`) and the
///   external-link class is replaced by one whose traversal always fails (`H5Lregister`), so libhdf5 itself can no longer
///   follow an external link or load a plugin, whatever a file or the environment (`HDF5_PLUGIN_PATH`,
///   `HDF5_EXT_PREFIX`) says;
/// - ``HDF5File/checkSelfContained()`` walks a file opened for reading and refuses it if any link is external,
///   any dataset has external storage or a virtual layout, wherever it sits;
/// - opening a group or dataset checks every link on the way, and a dataset's storage before libhdf5 opens it
///   (from the object header's bytes: an External Data Files message, or a layout message of class virtual) and
///   after (its creation property list, and that each filter of its pipeline is available).
///
/// Each refusal is one line naming the file, the object and what it points to; the target is named, never
/// opened. There is no option to allow any of it.
enum ExternalDataCheck {
    /// Library set-up: no plugins, no external-link traversal. Call once, with the lock held.
    static func lockDown() {
        _ = H5PLset_loading_state(0)
        // libhdf5's own external-link class is replaced by one that can be listed and queried (so errors can name
        // the target) but whose traversal always fails: no file is opened through an external link, ever.
        var refusing = H5L_class_t(
            version: H5L_LINK_CLASS_T_VERS, id: H5L_TYPE_EXTERNAL,
            comment: UnsafeRawPointer(("external link (refused by KerasPort)" as StaticString).utf8Start).assumingMemoryBound(to: CChar.self),
            create_func: nil, move_func: nil, copy_func: nil,
            trav_func: { _, _, _, _, _, _ in -1 },
            del_func: nil,
            query_func: { _, data, size, buffer, bufferSize in
                if let buffer, let data { buffer.copyMemory(from: data, byteCount: min(size, bufferSize)) }
                return size
            })
        if H5Lregister(&refusing) < 0 { _ = H5Lunregister(H5L_TYPE_EXTERNAL) }
        H5Eclear2(chdf5_e_default())
    }

    /// Whether libhdf5 would load a filter plugin (for tests).
    static func pluginLoadingIsOff() -> Bool {
        HDF5Library.withLock {
            var state: UInt32 = 1
            guard H5PLget_loading_state(&state) >= 0 else { return false }
            return state == 0
        }
    }

    /// The error for a refused object.
    static func refusal(_ context: ErrorContext, _ reason: String) -> HDF5Error {
        context.error(.refused, "\(reason); refused (data from outside the file is never read)")
    }

    // MARK: - Links

    /// Checks every link from `location` along `path` (relative or absolute) and refuses an external one, before
    /// anything along the path is opened. Stops quietly at the first component that does not exist (the caller's
    /// open then fails with its own error). Call with the lock held.
    ///
    /// The corresponding C functions are `H5Lexists`, `H5Lget_info`, `H5Lget_val` and `H5Lunpack_elink_val`.
    static func checkLinks(_ location: hid_t, _ path: String, base: String, _ context: ErrorContext) throws(HDF5Error) {
        let components = ObjectPath.components(path)
        var prefix = path.hasPrefix("/") ? "/" : ""
        var shown = path.hasPrefix("/") ? "" : (base == "/" ? "" : base)
        for component in components {
            prefix += (prefix.isEmpty || prefix == "/") ? component : "/" + component
            shown += "/" + component
            let exists = H5Lexists(location, prefix, chdf5_p_default())
            guard exists > 0 else {
                H5Eclear2(chdf5_e_default())
                return
            }
            var linkType = H5L_TYPE_ERROR
            var valueSize = 0
            guard chdf5_link_info(location, prefix, &linkType, &valueSize) >= 0 else {
                H5Eclear2(chdf5_e_default())
                return
            }
            if linkType == H5L_TYPE_EXTERNAL {
                var at = context
                at.object = shown
                throw refusal(at, "is an external link to \(externalTarget(location, prefix, size: valueSize))")
            }
            if linkType != H5L_TYPE_HARD && linkType != H5L_TYPE_SOFT {
                var at = context
                at.object = shown
                throw refusal(at, "is a user-defined link of type \(linkType.rawValue)")
            }
        }
    }

    /// `'<object>' in file '<file>'` for the external link `name`, read without following it.
    static func externalTarget(_ location: hid_t, _ name: String, size: Int) -> String {
        guard size > 0, size <= 1 << 20 else { return "another file" }
        var buffer = [UInt8](repeating: 0, count: size)
        guard H5Lget_val(location, name, &buffer, size, chdf5_p_default()) >= 0 else {
            H5Eclear2(chdf5_e_default())
            return "another file"
        }
        var flags: UInt32 = 0
        var file: UnsafePointer<CChar>?
        var object: UnsafePointer<CChar>?
        let unpacked = buffer.withUnsafeBytes { raw in
            H5Lunpack_elink_val(raw.baseAddress, size, &flags, &file, &object)
        }
        guard unpacked >= 0, let file, let object else {
            H5Eclear2(chdf5_e_default())
            return "another file"
        }
        // The pointers point into `buffer`, which is still alive here.
        return "'\(quoted(String(cString: object)))' in file '\(quoted(String(cString: file)))'"
    }

    /// A name from the file, shortened and without control characters, for one-line messages.
    static func quoted(_ s: String) -> String {
        let cut = s.count > 300 ? String(s.prefix(300)) + "…" : s
        return String(String.UnicodeScalarView(cut.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : $0 }))
    }

    // MARK: - Datasets

    /// Refuses a dataset with external storage or a virtual layout from its object header's bytes, before libhdf5
    /// opens it (opening a virtual dataset with unlimited mappings opens its source files). Call with the lock held.
    ///
    /// The corresponding C function is `H5Oget_info_by_name2`.
    static func checkStorageBeforeOpen(_ location: hid_t, _ path: String, _ context: ErrorContext,
                                       bytes: FileBytes? = nil) throws(HDF5Error) {
        var type = H5O_TYPE_UNKNOWN
        var objectAddress: haddr_t = 0
        guard chdf5_object_info_by_name(location, path, &type, &objectAddress) >= 0 else {
            H5Eclear2(chdf5_e_default())
            return
        }
        guard type == H5O_TYPE_DATASET else { return }
        try checkStorage(address: UInt64(objectAddress), location, context, bytes: bytes)
    }

    /// ``checkStorageBeforeOpen(_:_:_:bytes:)`` for a dataset whose object header address is already known.
    static func checkStorage(address: UInt64, _ location: hid_t, _ context: ErrorContext,
                             bytes: FileBytes?) throws(HDF5Error) {
        guard let file = bytes ?? FileBytes.open(fileOf: location, context) else { return }
        defer { if bytes == nil { file.close() } }
        if checked[file.key]?.contains(address) == true { return }
        if let reason = storageProblem(address: address, file) { throw refusal(context, reason) }
        checked[file.key, default: []].insert(address)
    }

    /// Object headers found free of external storage and virtual layouts: file key → addresses. Guarded by the
    /// library lock. (A file's key includes its size and modification time; an image's internal name is never reused.)
    nonisolated(unsafe) private static var checked: [String: Set<UInt64>] = [:]

    /// What makes the dataset whose object header is at `address` read from other files, or nil.
    static func storageProblem(address: UInt64, _ file: FileBytes) -> String? {
        guard let (_, map, messages) = ObjectHeaderCheck.headerMessages(address: address, file) else { return nil }
        for m in messages {
            if m.type == 0x07 {  // External Data Files
                return "stores its data in external files\(externalFileName(m, map, file).map { " (first: '\(quoted($0))')" } ?? "")"
            }
            if m.type == 0x08, let b = file.source.read(m.at, min(m.size, 64)), b.count >= 2 {  // Data Layout
                let layoutClass = b[0] >= 3 ? b[1] : (b.count > 2 ? b[2] : 0)
                if b[0] >= 3 && layoutClass == 3 {
                    return "is a virtual dataset mapping \(virtualSource(b, map, file) ?? "datasets of other files")"
                }
            }
        }
        return nil
    }

    /// The first file name of an External Data Files message: a slot's name offset into the message's local heap.
    static func externalFileName(_ m: ObjectHeaderCheck.Message, _ map: GlobalHeapCheck.HeapMap, _ file: FileBytes) -> String? {
        let o = map.offsetSize, l = map.lengthSize
        guard m.size >= 8 + o + 3 * l, let b = file.source.read(m.at, 8 + o + l) else { return nil }
        let heap = Int(clamping: GlobalHeapCheck.littleEndian(b[8..<8 + o]))
        let nameOffset = Int(clamping: GlobalHeapCheck.littleEndian(b[8 + o..<8 + o + l]))
        let (heapAt, overflow) = heap.addingReportingOverflow(map.base)
        guard !overflow, let h = file.source.read(heapAt, 8 + 2 * l + o), h[0..<4].elementsEqual([0x48, 0x45, 0x41, 0x50]) else {
            return nil
        }
        let dataSize = Int(clamping: GlobalHeapCheck.littleEndian(h[8..<8 + l]))
        let data = Int(clamping: GlobalHeapCheck.littleEndian(h[8 + 2 * l..<8 + 2 * l + o]))
        guard nameOffset < dataSize, data < Int.max / 2, let bytes = file.source.read(data + map.base + nameOffset, min(dataSize - nameOffset, 1024))
        else { return nil }
        return String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }

    /// `'<dataset>' in file '<file>'` for the first mapping of a version-4 virtual layout message, read from the
    /// global heap object it points to; nil when that cannot be read.
    static func virtualSource(_ b: [UInt8], _ map: GlobalHeapCheck.HeapMap, _ file: FileBytes) -> String? {
        let o = map.offsetSize, l = map.lengthSize
        guard b.count >= 2 + o + 4 else { return nil }
        let collection = Int(clamping: GlobalHeapCheck.littleEndian(b[2..<2 + o]))
        let index = Int(GlobalHeapCheck.littleEndian(b[2 + o..<2 + o + 4]))
        let (at, overflow) = collection.addingReportingOverflow(map.base)
        guard !overflow, let head = file.source.read(at, 8 + l), head[0..<4].elementsEqual([0x47, 0x43, 0x4F, 0x4C]) else {
            return nil
        }
        let size = Int(clamping: GlobalHeapCheck.littleEndian(head[8..<8 + l]))
        guard size <= 1 << 24, let heap = file.source.read(at, size) else { return nil }
        var p = 8 + l
        while p + 8 + l <= heap.count {
            let objectIndex = Int(heap[p]) | Int(heap[p + 1]) << 8
            let objectSize = Int(clamping: GlobalHeapCheck.littleEndian(heap[p + 8..<p + 8 + l]))
            let start = p + 8 + l
            guard objectIndex != 0, objectSize <= heap.count - start else { return nil }
            if objectIndex == index {
                // version (1), entry count (length size), then the source file name and dataset name, NUL-terminated.
                var q = start + 1 + l
                let end = start + objectSize
                func string() -> String? {
                    guard q < end, let nul = heap[q..<end].firstIndex(of: 0) else { return nil }
                    defer { q = nul + 1 }
                    return String(decoding: heap[q..<nul], as: UTF8.self)
                }
                guard let fileName = string(), let dataset = string() else { return nil }
                return "'\(quoted(dataset))' in file '\(quoted(fileName))'"
            }
            p = start + GlobalHeapCheck.align8(objectSize)
        }
        return nil
    }

    /// Refuses an open dataset whose creation property list has external storage, a virtual layout, or a filter
    /// this libhdf5 cannot apply (no plugin is ever loaded). Call with the lock held.
    ///
    /// The corresponding C functions are `H5Dget_create_plist`, `H5Pget_layout`, `H5Pget_external_count`,
    /// `H5Pget_external`, `H5Pget_virtual_count`, `H5Pget_virtual_filename`, `H5Pget_virtual_dsetname`,
    /// `H5Pget_nfilters`, `H5Pget_filter2` and `H5Zfilter_avail`.
    /// Returns the dataset's storage layout (read from the same property list).
    @discardableResult
    static func checkOpenDataset(_ id: hid_t, _ context: ErrorContext) throws(HDF5Error) -> H5D_layout_t {
        try withTemporary(H5Dget_create_plist(id), kind: .propertyList, "H5Dget_create_plist", context) {
            (dcpl) throws(HDF5Error) -> H5D_layout_t in
            let layout = H5Pget_layout(dcpl)
            if layout == H5D_VIRTUAL {
                var count = 0
                var target = "datasets of other files"
                if H5Pget_virtual_count(dcpl, &count) >= 0, count > 0 {
                    let file = string { H5Pget_virtual_filename(dcpl, 0, $0, $1) }
                    let dataset = string { H5Pget_virtual_dsetname(dcpl, 0, $0, $1) }
                    if let file, let dataset { target = "'\(quoted(dataset))' in file '\(quoted(file))'" }
                }
                H5Eclear2(chdf5_e_default())
                throw refusal(context, "is a virtual dataset mapping \(target)")
            }
            let external = H5Pget_external_count(dcpl)
            if external != 0 {
                var name = [CChar](repeating: 0, count: 1025)
                var offset: off_t = 0
                var size: hsize_t = 0
                var first = ""
                if external > 0, H5Pget_external(dcpl, 0, name.count - 1, &name, &offset, &size) >= 0 {
                    first = " (first: '\(quoted(nulTerminated(name)))' at byte \(offset))"
                }
                H5Eclear2(chdf5_e_default())
                throw refusal(context, "stores its data in \(max(external, 1)) external file\(external == 1 ? "" : "s")\(first)")
            }
            let filters = H5Pget_nfilters(dcpl)
            guard filters > 0 else {
                H5Eclear2(chdf5_e_default())
                return layout
            }
            for k in 0..<UInt32(filters) {
                var flags: UInt32 = 0
                var values = [UInt32](repeating: 0, count: 16)
                var valueCount = values.count
                var name = [CChar](repeating: 0, count: 257)
                var config: UInt32 = 0
                let filter = H5Pget_filter2(dcpl, k, &flags, &valueCount, &values, name.count - 1, &name, &config)
                guard filter >= 0 else { throw libraryError(function: "H5Pget_filter2", context: context) }
                if H5Zfilter_avail(filter) <= 0 {
                    H5Eclear2(chdf5_e_default())
                    let label = nulTerminated(name)
                    throw context.error(.refused,
                        "the data needs HDF5 filter \(filter)\(label.isEmpty ? "" : " ('\(quoted(label))')"), which this libhdf5 does not provide; "
                        + "filter plugins are never loaded (HDF5_PLUGIN_PATH is ignored). Built in: \(builtinFilters)")
                }
            }
            return layout
        }
    }

    /// The filters this libhdf5 applies without plugins, such as `deflate, shuffle, fletcher32, szip, nbit, scaleoffset`.
    static var builtinFilters: String {
        let known: [(H5Z_filter_t, String)] = [
            (H5Z_filter_t(1), "deflate"), (H5Z_filter_t(2), "shuffle"), (H5Z_filter_t(3), "fletcher32"),
            (H5Z_filter_t(4), "szip"), (H5Z_filter_t(5), "nbit"), (H5Z_filter_t(6), "scaleoffset"),
        ]
        return HDF5Library.withLock {
            let names = known.filter { H5Zfilter_avail($0.0) > 0 }.map(\.1)
            H5Eclear2(chdf5_e_default())
            return names.joined(separator: ", ")
        }
    }

    /// Reads a string through a libhdf5 "call with nil for the size, then with a buffer" function.
    private static func string(_ get: (UnsafeMutablePointer<CChar>?, Int) -> Int) -> String? {
        let length = get(nil, 0)
        guard length >= 0, length < 1 << 16 else { return nil }
        var buffer = [CChar](repeating: 0, count: length + 1)
        guard get(&buffer, buffer.count) >= 0 else { return nil }
        return nulTerminated(buffer)
    }

    // MARK: - Whole file

    /// Walks every link of the file from the root and refuses the first external link, user-defined link, or
    /// dataset with external storage, a virtual layout or an unavailable filter. Call with the lock held.
    ///
    /// The corresponding C functions are `H5Lvisit`, `H5Oget_info_by_name2` and `H5Dopen2`.
    ///
    /// `verified` (a file opened for reading only) records each dataset found self-contained, with its open
    /// identifier, so that opening it again does not repeat the checks; nothing is recorded unless the whole walk
    /// passes.
    static func checkFile(root: hid_t, _ context: ErrorContext, verified: VerifiedObjects? = nil) throws(HDF5Error) {
        var links: [(path: String, type: H5L_type_t, size: Int)] = []
        let status = withUnsafeMutablePointer(to: &links) { pointer in
            chdf5_visit_links(root, H5_INDEX_NAME, { name, type, size, data in
                guard let name, let data else { return -1 }
                let list = data.assumingMemoryBound(to: [(path: String, type: H5L_type_t, size: Int)].self)
                list.pointee.append((String(cString: name), type, size))
                return list.pointee.count > 1_000_000 ? 1 : 0
            }, pointer)
        }
        try check(status, "H5Lvisit", context)
        // A walk stopped at the cap (status 1) listed only part of the file: not kept for later listings.
        let complete = status == 0
        let cached = verified?.fileBytes(root, context)
        let bytes = cached ?? FileBytes.open(fileOf: root, context)
        defer { if cached == nil { bytes?.close() } }
        // Datasets found self-contained, still open: recorded in `verified` only once the whole file has passed.
        var passed: [(path: String, id: hid_t, layout: H5D_layout_t)] = []
        var types: [(path: String, type: H5O_type_t)] = []
        defer { for d in passed where d.id >= 0 { H5Dclose(d.id) } }
        for link in links {
            var here = context
            here.object = "/" + link.path
            if link.type == H5L_TYPE_EXTERNAL {
                throw refusal(here, "is an external link to \(externalTarget(root, link.path, size: link.size))")
            }
            guard link.type == H5L_TYPE_HARD else {
                if link.type != H5L_TYPE_SOFT { throw refusal(here, "is a user-defined link of type \(link.type.rawValue)") }
                continue
            }
            // One object lookup per link: its type and header address together.
            var type = H5O_TYPE_UNKNOWN
            var objectAddress: haddr_t = 0
            guard chdf5_object_info_by_name(root, link.path, &type, &objectAddress) >= 0 else {
                H5Eclear2(chdf5_e_default())
                continue
            }
            if verified != nil { types.append(("/" + link.path, type)) }
            guard type == H5O_TYPE_DATASET else { continue }
            try checkStorage(address: UInt64(objectAddress), root, here, bytes: bytes)
            let dataset = H5Dopen2(root, link.path, chdf5_p_default())
            guard dataset >= 0 else {
                H5Eclear2(chdf5_e_default())
                continue
            }
            let layout: H5D_layout_t
            do {
                layout = try checkOpenDataset(dataset, here)
            } catch {
                H5Dclose(dataset)
                throw error
            }
            if verified != nil {
                passed.append(("/" + link.path, dataset, layout))
            } else {
                H5Dclose(dataset)
            }
        }
        if let verified {
            if complete { verified.record(rootLinks: links.map { ($0.path, $0.type) }) }
            for t in types { verified.record(hardLink: t.path, type: t.type) }
            for k in passed.indices where verified.record(dataset: passed[k].path, id: passed[k].id, layout: passed[k].layout) { passed[k].id = -1 }
        }
    }
}

extension HDF5File {
    /// Refuses the file if anything in it would make libhdf5 read another file: an external link anywhere, or a
    /// dataset anywhere (model weights, optimizer state, any nested group) with external raw storage or a virtual
    /// layout; and if a dataset needs a filter this libhdf5 does not provide (plugins are never loaded). Targets
    /// are named in the error, never opened. Files opened for writing here are not checked.
    ///
    /// - Throws: `HDF5Error` with code `refused`, naming the file, the object and what it points to.
    ///
    /// The corresponding C functions are `H5Lvisit`, `H5Lget_val`, `H5Oget_info_by_name2`, `H5Dopen2`,
    /// `H5Dget_create_plist`, `H5Pget_external_count` and `H5Pget_layout`.
    package func checkSelfContained() throws(HDF5Error) {
        let context = ErrorContext(action: "read", file: path, object: "/")
        try HDF5Library.withLock { () throws(HDF5Error) in
            let root = H5Gopen2(try handle.id(context), "/", chdf5_p_default())
            let group = try ObjectHandle(root, kind: .group, "H5Gopen2", context)
            try ExternalDataCheck.checkFile(root: try group.id(context), context, verified: mode == .readOnly ? verified : nil)
        }
    }
}

/// The text of a NUL-terminated C buffer (up to its first NUL), decoded as UTF-8.
private func nulTerminated(_ buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
