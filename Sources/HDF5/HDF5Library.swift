internal import CHDF5

#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// Process-wide facts about libhdf5 and the lock that serialises every call into it.
///
/// ## Thread safety
/// Every call this module makes into libhdf5 runs while holding one process-wide *recursive* lock
/// (the same design as hdf5-rust's `sync.rs`). Two threads may therefore use this module at the same
/// time, each with its own files, groups, datasets and attributes, whether or not the linked libhdf5
/// was built thread-safe; their libhdf5 calls simply take turns. What is *not* promised: that one
/// wrapper value (an `HDF5File`, `HDF5Group`, …) may be shared between threads. The wrapper types
/// are deliberately not `Sendable`, so Swift 6 rejects passing them across concurrency domains; open
/// a file separately in each thread instead. Values that come out of a read (`[Float]`, `[String]`,
/// `ElementType`, `HDF5Error`, …) are plain `Sendable` values.
///
/// Library set-up happens once, on first use: `H5open`, then automatic printing of libhdf5's error
/// stack is turned off (`H5Eset_auto2(H5E_DEFAULT, nil, nil)`), because errors are reported as thrown
/// `HDF5Error` values instead. In thread-safe builds libhdf5 keeps that setting per thread, so it is
/// also applied the first time each thread enters the lock.
///
/// ## Damaged files
/// This layer validates what it can before calling libhdf5 (file existence and signature, rank,
/// element counts and byte sizes before allocating, types before converting) and turns every
/// reported failure into an `HDF5Error`. It cannot make libhdf5 itself memory-safe: libhdf5 1.10.8
/// can crash or loop on some deliberately or randomly corrupted files (seen while fuzzing: the
/// global heap behind variable-length strings in `H5Aread`, and the attribute table in
/// `H5Aiterate2`). Files written by h5py/Keras, and truncated files, are handled; for untrusted
/// input, parse in a separate process.
package enum HDF5Library {
    /// The libhdf5 version this process is linked against, such as `"1.10.8"`.
    ///
    /// The corresponding C function is `H5get_libversion`.
    package static var version: String {
        withLock {
            var major: UInt32 = 0, minor: UInt32 = 0, release: UInt32 = 0
            guard H5get_libversion(&major, &minor, &release) >= 0 else { return "unknown" }
            return "\(major).\(minor).\(release)"
        }
    }

    /// Whether the linked libhdf5 was built thread-safe (Debian's is). This module serialises all
    /// calls either way; the answer is informational.
    ///
    /// The corresponding C function is `H5is_library_threadsafe`.
    package static var isThreadSafe: Bool {
        withLock {
            var safe = false
            guard H5is_library_threadsafe(&safe) >= 0 else { return false }
            return safe
        }
    }

    /// The number of libhdf5 identifiers (files, groups, datasets, named datatypes, attributes) that
    /// are open right now, over all files in the process. Meant for tests and leak hunting.
    ///
    /// Other threads opening files at the same time change this number; to check one file, use
    /// ``openObjectCount(inFileNamed:)``.
    ///
    /// The corresponding C function is `H5Fget_obj_count`.
    package static func openObjectCount() throws(HDF5Error) -> Int {
        try withLock { () throws(HDF5Error) -> Int in
            let count = try check(
                H5Fget_obj_count(hid_t(chdf5_obj_all()), chdf5_obj_all()), "H5Fget_obj_count",
                ErrorContext(action: "count open objects"))
            return Int(count)
        }
    }

    /// The number of libhdf5 identifiers still open in the file whose name (the path it was opened
    /// or created with) is `name`, including the file identifiers themselves; 0 when no such file is
    /// open.
    ///
    /// The corresponding C functions are `H5Fget_obj_ids`, `H5Fget_name` and `H5Fget_obj_count`.
    package static func openObjectCount(inFileNamed name: String) throws(HDF5Error) -> Int {
        try withLock { () throws(HDF5Error) -> Int in
            let context = ErrorContext(action: "count open objects", file: name)
            let all = hid_t(chdf5_obj_all())
            let fileCount = Int(try check(H5Fget_obj_count(all, chdf5_obj_file()), "H5Fget_obj_count", context))
            guard fileCount > 0 else { return 0 }
            var ids = [hid_t](repeating: -1, count: fileCount)
            let found = Int(try check(H5Fget_obj_ids(all, chdf5_obj_file(), fileCount, &ids), "H5Fget_obj_ids", context))
            for fileID in ids.prefix(found) where try fileName(of: fileID, context: context) == name {
                // Without H5F_OBJ_LOCAL this counts every identifier of the underlying file,
                // through any of its file identifiers.
                return Int(try check(H5Fget_obj_count(fileID, chdf5_obj_all()), "H5Fget_obj_count", context))
            }
            return 0
        }
    }

    // MARK: - Internal

    /// Runs `body` while holding the process-wide libhdf5 lock, after making sure the library is
    /// initialised and error printing is off for this thread. Re-entrant.
    static func withLock<T>(_ body: () throws(HDF5Error) -> T) throws(HDF5Error) -> T {
        _ = initialized
        lock.lock()
        defer { lock.unlock() }
        silenceErrorsOnThisThread()
        return try body()
    }

    /// A non-throwing variant of ``withLock(_:)`` for callers that cannot fail.
    static func withLock<T>(_ body: () -> T) -> T {
        _ = initialized
        lock.lock()
        defer { lock.unlock() }
        silenceErrorsOnThisThread()
        return body()
    }

    /// The one lock around all of libhdf5.
    private static let lock = RecursiveLock()

    /// Library set-up, run once (Swift runs static initialisers exactly once, thread-safely).
    private static let initialized: Bool = {
        lock.lock()
        defer { lock.unlock() }
        // No libhdf5 clean-up at process exit: after a write failed (a full disk), libhdf5 1.10.8 keeps a file
        // identifier in a state that makes its exit handler crash (H5F__close_cb). Files are closed explicitly.
        _ = H5dont_atexit()
        // No advisory file locks (HDF5 ≥ 1.10.7 takes flock() on every open). Writers here build a file under a
        // temporary name and rename it into place, so locks protect nothing, while a lock still held by a file
        // whose last object is released late makes the next open of the renamed file fail with EAGAIN. An
        // explicit HDF5_USE_FILE_LOCKING from the environment wins.
        setenv("HDF5_USE_FILE_LOCKING", "FALSE", 0)
        let opened = H5open() >= 0
        silenceErrorsOnThisThread()
        // Model files are untrusted: libhdf5 never loads a filter plugin and never follows an external link
        // (see ExternalDataCheck).
        ExternalDataCheck.lockDown()
        return opened
    }()

    /// Per-thread marker: set once `H5Eset_auto2` has run on the current thread.
    private static let silencedKey: pthread_key_t = {
        var key = pthread_key_t()
        _ = pthread_key_create(&key, nil)
        return key
    }()

    /// Turns off libhdf5's automatic error-stack printing for the calling thread, once per thread.
    /// Must be called with the lock held.
    ///
    /// The corresponding C function is `H5Eset_auto2`.
    private static func silenceErrorsOnThisThread() {
        guard pthread_getspecific(silencedKey) == nil else { return }
        _ = H5Eset_auto2(chdf5_e_default(), nil, nil)
        _ = pthread_setspecific(silencedKey, UnsafeRawPointer(bitPattern: 1))
    }

    /// Whether libhdf5's automatic error-stack printing is off for the calling thread (it is
    /// turned off the first time each thread enters the lock). For tests.
    ///
    /// The corresponding C function is `H5Eget_auto2`.
    static func automaticErrorPrintingIsOff() -> Bool {
        withLock {
            var function: H5E_auto2_t? = nil
            var data: UnsafeMutableRawPointer? = nil
            guard H5Eget_auto2(chdf5_e_default(), &function, &data) >= 0 else { return false }
            return function == nil
        }
    }

    /// Counter that makes the internal names of in-memory files unique. Guarded by `lock`.
    nonisolated(unsafe) private static var imageCounter = 0

    /// A fresh internal name for an in-memory file. Must be called with the lock held.
    ///
    /// The core driver refuses to open a file image under a name that exists on disk, and libhdf5
    /// recognises an already-open file by name, so the name must be unique and must never exist:
    /// a path below `/dev/null` (which is not a directory) can never be created.
    static func nextImageName() -> String {
        imageCounter += 1
        return "/dev/null/hdf5-swift-image-\(getpid())-\(imageCounter)"
    }
}

/// Reads the name a file identifier was opened with.
///
/// The corresponding C function is `H5Fget_name`.
func fileName(of fileID: hid_t, context: ErrorContext) throws(HDF5Error) -> String {
    let length = try check(H5Fget_name(fileID, nil, 0), "H5Fget_name", context)
    var buffer = [CChar](repeating: 0, count: Int(length) + 1)
    try check(H5Fget_name(fileID, &buffer, buffer.count), "H5Fget_name", context)
    return String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// A recursive pthread mutex. Recursive because a wrapper's `deinit` (which closes its libhdf5
/// identifier under the lock) can run while the same thread already holds the lock.
final class RecursiveLock: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    init() {
        mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        var attributes = pthread_mutexattr_t()
        _ = pthread_mutexattr_init(&attributes)
        _ = pthread_mutexattr_settype(&attributes, Int32(PTHREAD_MUTEX_RECURSIVE))
        _ = pthread_mutex_init(mutex, &attributes)
        _ = pthread_mutexattr_destroy(&attributes)
    }

    deinit {
        _ = pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    func lock() { _ = pthread_mutex_lock(mutex) }
    func unlock() { _ = pthread_mutex_unlock(mutex) }
}
