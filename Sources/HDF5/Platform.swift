#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

// The C library under its platform's module name, and the `stat` fields that differ between Linux and Darwin
// (Glibc's `st_mtim` is Darwin's `st_mtimespec`). The only place in the module that names either.

func openDescriptor(_ path: String, _ flags: Int32) -> Int32 {
    #if canImport(Glibc)
    Glibc.open(path, flags)
    #else
    Darwin.open(path, flags)
    #endif
}

func closeDescriptor(_ fd: Int32) -> Int32 {
    #if canImport(Glibc)
    Glibc.close(fd)
    #else
    Darwin.close(fd)
    #endif
}

/// The modification time of a `stat` result as `seconds.nanoseconds`.
func modificationTime(_ info: stat) -> String {
    #if canImport(Glibc)
    "\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
    #else
    "\(info.st_mtimespec.tv_sec).\(info.st_mtimespec.tv_nsec)"
    #endif
}
