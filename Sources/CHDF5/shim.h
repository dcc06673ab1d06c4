// CHDF5 shim: the libhdf5 C API for the Swift `HDF5` target (the only importer of this module).
//
// Why these shims exist: libhdf5 spells its predefined datatypes, property-list classes and file
// access flags as macros that expand to `(H5OPEN H5T_NATIVE_FLOAT_g)` and similar. Swift cannot
// import them ("macro unavailable: structure not supported"), and using the `*_g` globals directly is
// rejected in Swift 6 mode ("not concurrency-safe because it involves shared mutable state"). Each
// macro therefore gets one `static inline` function with the `chdf5_` prefix that evaluates it.
// `H5OPEN` inside the macros makes sure the library is initialised before the global is read.
//
// There is deliberately no logic here: every decision lives in Swift, behind one error chokepoint.

#ifndef CHDF5_SHIM_H
#define CHDF5_SHIM_H

#include <hdf5.h>

#define CHDF5_SHIM static inline __attribute__((__always_inline__))

// MARK: - Native (in-memory) datatypes: used as the memory type of H5Dread/H5Dwrite/H5Aread/H5Awrite.

/// The first `needle_length`-byte occurrence of `needle` in `length` bytes at `haystack`, or NULL: libc's `memmem`
/// (a GNU/BSD extension the Swift C-library modules do not show), for the global-heap check's signature scan.
CHDF5_SHIM const void *chdf5_find_bytes(const void *haystack, size_t length, const void *needle, size_t needle_length) {
    extern void *memmem(const void *, size_t, const void *, size_t);
    return memmem(haystack, length, needle, needle_length);
}

CHDF5_SHIM hid_t chdf5_native_float(void) { return H5T_NATIVE_FLOAT; }
CHDF5_SHIM hid_t chdf5_native_double(void) { return H5T_NATIVE_DOUBLE; }
CHDF5_SHIM hid_t chdf5_native_int8(void) { return H5T_NATIVE_INT8; }
CHDF5_SHIM hid_t chdf5_native_int16(void) { return H5T_NATIVE_INT16; }
CHDF5_SHIM hid_t chdf5_native_int32(void) { return H5T_NATIVE_INT32; }
CHDF5_SHIM hid_t chdf5_native_int64(void) { return H5T_NATIVE_INT64; }
CHDF5_SHIM hid_t chdf5_native_uint8(void) { return H5T_NATIVE_UINT8; }
CHDF5_SHIM hid_t chdf5_native_uint16(void) { return H5T_NATIVE_UINT16; }
CHDF5_SHIM hid_t chdf5_native_uint32(void) { return H5T_NATIVE_UINT32; }
CHDF5_SHIM hid_t chdf5_native_uint64(void) { return H5T_NATIVE_UINT64; }

// MARK: - File (on-disk) datatypes: little-endian IEEE floats and standard integers, as h5py writes them.
// (libhdf5 1.10 has no predefined IEEE half type; the Swift side derives float16 from F32LE.)

CHDF5_SHIM hid_t chdf5_ieee_f32le(void) { return H5T_IEEE_F32LE; }
CHDF5_SHIM hid_t chdf5_ieee_f64le(void) { return H5T_IEEE_F64LE; }
CHDF5_SHIM hid_t chdf5_std_i8le(void) { return H5T_STD_I8LE; }
CHDF5_SHIM hid_t chdf5_std_i16le(void) { return H5T_STD_I16LE; }
CHDF5_SHIM hid_t chdf5_std_i32le(void) { return H5T_STD_I32LE; }
CHDF5_SHIM hid_t chdf5_std_i64le(void) { return H5T_STD_I64LE; }
CHDF5_SHIM hid_t chdf5_std_u8le(void) { return H5T_STD_U8LE; }
CHDF5_SHIM hid_t chdf5_std_u16le(void) { return H5T_STD_U16LE; }
CHDF5_SHIM hid_t chdf5_std_u32le(void) { return H5T_STD_U32LE; }
CHDF5_SHIM hid_t chdf5_std_u64le(void) { return H5T_STD_U64LE; }

// MARK: - Strings

/// The C string type (`H5T_C_S1`): the base that string memory/file types are copied from.
CHDF5_SHIM hid_t chdf5_c_s1(void) { return H5T_C_S1; }
/// `H5T_VARIABLE` is `((size_t)(-1))`, a cast macro Swift does not import.
CHDF5_SHIM size_t chdf5_variable_size(void) { return H5T_VARIABLE; }

// MARK: - Property-list classes (arguments of H5Pcreate)

CHDF5_SHIM hid_t chdf5_p_file_access(void) { return H5P_FILE_ACCESS; }
CHDF5_SHIM hid_t chdf5_p_file_create(void) { return H5P_FILE_CREATE; }
CHDF5_SHIM hid_t chdf5_p_group_create(void) { return H5P_GROUP_CREATE; }
CHDF5_SHIM hid_t chdf5_p_dataset_create(void) { return H5P_DATASET_CREATE; }
CHDF5_SHIM hid_t chdf5_p_link_create(void) { return H5P_LINK_CREATE; }

// MARK: - File access flags (H5Fopen/H5Fcreate); the macros include H5CHECK/H5OPEN.

CHDF5_SHIM unsigned chdf5_acc_rdonly(void) { return H5F_ACC_RDONLY; }
CHDF5_SHIM unsigned chdf5_acc_rdwr(void) { return H5F_ACC_RDWR; }
CHDF5_SHIM unsigned chdf5_acc_trunc(void) { return H5F_ACC_TRUNC; }
CHDF5_SHIM unsigned chdf5_acc_excl(void) { return H5F_ACC_EXCL; }

// MARK: - Open-object counting (H5Fget_obj_count/H5Fget_obj_ids); OR-ed macro kept in C for exactness.

CHDF5_SHIM unsigned chdf5_obj_all(void) { return H5F_OBJ_ALL; }
CHDF5_SHIM unsigned chdf5_obj_file(void) { return H5F_OBJ_FILE; }

// MARK: - Plain constants whose C spelling is a cast or an untyped literal.

CHDF5_SHIM hid_t chdf5_p_default(void) { return H5P_DEFAULT; }
CHDF5_SHIM hid_t chdf5_e_default(void) { return H5E_DEFAULT; }
CHDF5_SHIM hid_t chdf5_s_all(void) { return H5S_ALL; }
CHDF5_SHIM hid_t chdf5_invalid_hid(void) { return H5I_INVALID_HID; }
CHDF5_SHIM unsigned chdf5_o_info_basic(void) { return H5O_INFO_BASIC; }
CHDF5_SHIM unsigned chdf5_crt_order_tracked_indexed(void) { return H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED; }
CHDF5_SHIM int chdf5_max_rank(void) { return H5S_MAX_RANK; }
CHDF5_SHIM haddr_t chdf5_haddr_undef(void) { return HADDR_UNDEF; }

// MARK: - Version-dependent API (HDF5 1.10, 1.12, 1.14)
//
// libhdf5 1.12 replaced object addresses by tokens and versioned several calls through macros
// (`H5Literate` → `H5Literate2`, `H5O_info_t` → `H5O_info2_t`, …) that Swift cannot import. These shims give the
// Swift layer one spelling for every version: link and object kinds, an object's header address, iteration over
// link names, and freeing variable-length strings.

#if defined(H5_VERSION_GE) && H5_VERSION_GE(1, 12, 0)
#define CHDF5_TOKENS 1
#else
#define CHDF5_TOKENS 0
#endif

/// The type of the object the link `name` points to (fails for a dangling soft link).
CHDF5_SHIM herr_t chdf5_object_type_by_name(hid_t location, const char *name, H5O_type_t *type) {
#if CHDF5_TOKENS
    H5O_info2_t info;
    herr_t status = H5Oget_info_by_name3(location, name, &info, H5O_INFO_BASIC, H5P_DEFAULT);
#else
    H5O_info_t info;
    herr_t status = H5Oget_info_by_name2(location, name, &info, H5O_INFO_BASIC, H5P_DEFAULT);
#endif
    if (status >= 0) *type = info.type;
    return status;
}

/// The file address of the open object's header.
CHDF5_SHIM herr_t chdf5_object_address(hid_t object, haddr_t *address) {
#if CHDF5_TOKENS
    H5O_info2_t info;
    herr_t status = H5Oget_info3(object, &info, H5O_INFO_BASIC);
    if (status < 0) return status;
    return H5VLnative_token_to_addr(object, info.token, address);
#else
    H5O_info_t info;
    herr_t status = H5Oget_info2(object, &info, H5O_INFO_BASIC);
    if (status >= 0) *address = info.addr;
    return status;
#endif
}

/// Frees the variable-length data libhdf5 allocated in `buffer` (`H5Treclaim` from 1.12 on).
CHDF5_SHIM herr_t chdf5_reclaim(hid_t type, hid_t space, void *buffer) {
#if CHDF5_TOKENS
    return H5Treclaim(type, space, H5P_DEFAULT, buffer);
#else
    return H5Dvlen_reclaim(type, space, H5P_DEFAULT, buffer);
#endif
}

/// The type of the link `name` and, for a soft, external or user-defined link, the size of its value.
CHDF5_SHIM herr_t chdf5_link_info(hid_t location, const char *name, H5L_type_t *type, size_t *value_size) {
#if CHDF5_TOKENS
    H5L_info2_t info;
    herr_t status = H5Lget_info2(location, name, &info, H5P_DEFAULT);
#else
    H5L_info_t info;
    herr_t status = H5Lget_info(location, name, &info, H5P_DEFAULT);
#endif
    if (status >= 0) {
        *type = info.type;
        *value_size = info.type == H5L_TYPE_HARD ? 0 : info.u.val_size;
    }
    return status;
}

/// The type and header address of the object the link `name` points to.
CHDF5_SHIM herr_t chdf5_object_info_by_name(hid_t location, const char *name, H5O_type_t *type, haddr_t *address) {
#if CHDF5_TOKENS
    H5O_info2_t info;
    herr_t status = H5Oget_info_by_name3(location, name, &info, H5O_INFO_BASIC, H5P_DEFAULT);
    if (status < 0) return status;
    *type = info.type;
    return H5VLnative_token_to_addr(location, info.token, address);
#else
    H5O_info_t info;
    herr_t status = H5Oget_info_by_name2(location, name, &info, H5O_INFO_BASIC, H5P_DEFAULT);
    if (status >= 0) { *type = info.type; *address = info.addr; }
    return status;
#endif
}

/// The one link-walk callback (both walks below use it through one trampoline): a link's name or path, its type and,
/// for a soft, external or user-defined link, the size of its value. Return 0 to go on, positive to stop, negative to fail.
typedef herr_t (*chdf5_link_info_op)(const char *name, H5L_type_t type, size_t value_size, void *data);

struct chdf5_link_info_visit { chdf5_link_info_op op; void *data; };

#if CHDF5_TOKENS
static herr_t chdf5_link_info_trampoline(hid_t group, const char *name, const H5L_info2_t *info, void *data) {
#else
static herr_t chdf5_link_info_trampoline(hid_t group, const char *name, const H5L_info_t *info, void *data) {
#endif
    (void)group;
    struct chdf5_link_info_visit *visit = (struct chdf5_link_info_visit *)data;
    return visit->op(name, info->type, info->type == H5L_TYPE_HARD ? 0 : info->u.val_size, visit->data);
}

/// `H5Literate` over the direct children of `group`, each with its type and value size.
CHDF5_SHIM herr_t chdf5_iterate_links(hid_t group, H5_index_t index, chdf5_link_info_op op, void *data) {
    struct chdf5_link_info_visit visit = { op, data };
#if CHDF5_TOKENS
    return H5Literate2(group, index, H5_ITER_INC, NULL, chdf5_link_info_trampoline, &visit);
#else
    return H5Literate(group, index, H5_ITER_INC, NULL, chdf5_link_info_trampoline, &visit);
#endif
}

/// `H5Lvisit` over every link below `group` (paths relative to it), each with its type and value size.
CHDF5_SHIM herr_t chdf5_visit_links(hid_t group, H5_index_t index, chdf5_link_info_op op, void *data) {
    struct chdf5_link_info_visit visit = { op, data };
#if CHDF5_TOKENS
    return H5Lvisit2(group, index, H5_ITER_INC, chdf5_link_info_trampoline, &visit);
#else
    return H5Lvisit(group, index, H5_ITER_INC, chdf5_link_info_trampoline, &visit);
#endif
}

#endif // CHDF5_SHIM_H
