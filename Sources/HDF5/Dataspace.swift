internal import CHDF5

/// A validated dataspace: its shape and element count, checked before anything is allocated.
struct Dataspace {
    enum Kind { case scalar, simple, null }

    var kind: Kind
    /// `[]` for a scalar, the dimensions for a simple dataspace, `[0]` for a null dataspace.
    var shape: [Int]
    /// The product of `shape` (1 for a scalar, 0 for a null dataspace), checked for overflow.
    var elementCount: Int

    /// Reads and validates the dataspace `spaceID`: rank at most 32, every dimension representable
    /// as `Int`, and an element count that does not overflow. Call with the library lock held.
    ///
    /// The corresponding C functions are `H5Sget_simple_extent_type`, `H5Sget_simple_extent_ndims`
    /// and `H5Sget_simple_extent_dims`.
    init(spaceID: hid_t, _ context: ErrorContext) throws(HDF5Error) {
        let type = H5Sget_simple_extent_type(spaceID)
        switch type {
        case H5S_SCALAR:
            self.init(kind: .scalar, shape: [], elementCount: 1)
        case H5S_NULL:
            self.init(kind: .null, shape: [0], elementCount: 0)
        case H5S_SIMPLE:
            let rank = Int(try check(H5Sget_simple_extent_ndims(spaceID), "H5Sget_simple_extent_ndims", context))
            guard rank <= Int(chdf5_max_rank()) else {
                throw context.error(.invalidShape, "rank \(rank) is above the HDF5 limit of \(chdf5_max_rank())")
            }
            var dims = [hsize_t](repeating: 0, count: max(rank, 1))
            try check(H5Sget_simple_extent_dims(spaceID, &dims, nil), "H5Sget_simple_extent_dims", context)
            var shape: [Int] = []
            var count = 1
            for dim in dims.prefix(rank) {
                guard let value = Int(exactly: dim) else {
                    throw context.error(.invalidShape, "dimension \(dim) is too large")
                }
                shape.append(value)
                let (product, overflow) = count.multipliedReportingOverflow(by: value)
                guard !overflow else {
                    throw context.error(.invalidShape, "the element count of shape \(dims.prefix(rank).map { $0 }) overflows")
                }
                count = product
            }
            self.init(kind: .simple, shape: shape, elementCount: count)
        default:
            throw libraryError(function: "H5Sget_simple_extent_type", context: context)
        }
    }

    init(kind: Kind, shape: [Int], elementCount: Int) {
        self.kind = kind
        self.shape = shape
        self.elementCount = elementCount
    }

    /// Validates a shape given by a caller who wants to write `valueCount` values, and returns the
    /// dimensions as `hsize_t`. `[]` means a scalar (one value).
    static func dimensions(forWriting shape: [Int], valueCount: Int, _ context: ErrorContext) throws(HDF5Error) -> [hsize_t] {
        guard shape.count <= Int(chdf5_max_rank()) else {
            throw context.error(.invalidArgument, "rank \(shape.count) is above the HDF5 limit of \(chdf5_max_rank())")
        }
        var count = 1
        for dim in shape {
            guard dim >= 0 else { throw context.error(.invalidArgument, "shape \(shape) has a negative dimension") }
            let (product, overflow) = count.multipliedReportingOverflow(by: dim)
            guard !overflow else { throw context.error(.invalidArgument, "the element count of shape \(shape) overflows") }
            count = product
        }
        guard count == valueCount else {
            throw context.error(.invalidArgument, "shape \(shape) holds \(count) elements but \(valueCount) values were given")
        }
        return shape.map { hsize_t($0) }
    }

    /// Creates a dataspace for writing: scalar for `[]`, simple otherwise. The caller closes it.
    /// Call with the library lock held.
    ///
    /// The corresponding C functions are `H5Screate` and `H5Screate_simple`.
    static func create(_ dims: [hsize_t], _ context: ErrorContext) throws(HDF5Error) -> hid_t {
        if dims.isEmpty {
            return try check(H5Screate(H5S_SCALAR), "H5Screate", context)
        }
        return try check(H5Screate_simple(Int32(dims.count), dims, nil), "H5Screate_simple", context)
    }
}

/// Multiplies an element count by an element size, reporting overflow as an error.
func byteCount(elements: Int, size: Int, _ context: ErrorContext) throws(HDF5Error) -> Int {
    let (bytes, overflow) = elements.multipliedReportingOverflow(by: size)
    guard !overflow else {
        throw context.error(.tooLarge, "\(elements) elements of \(size) bytes overflow the address space")
    }
    return bytes
}
