// Process-level settings for TensorModule: processor count, cache geometry, allocator behaviour.
#define _GNU_SOURCE
#include "CKernels.h"

#include <limits.h>
#include <stdatomic.h>
#include <unistd.h>  // defines __GLIBC__ on glibc systems
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#if defined(__linux__)
#include <sched.h>
#endif

long kp_usable_cpu_count(void) {
#if defined(__linux__)
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
        int n = CPU_COUNT(&set);
        if (n > 0) return n;
    }
#endif
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? n : 1;
}

// sysconf(name), read once into *slot (−1 until then): the value reported when it lies in [lo, hi], else `fallback`.
static long cached_sysconf(_Atomic long *slot, int name, long lo, long hi, long fallback) {
    long v = atomic_load_explicit(slot, memory_order_relaxed);
    if (v >= 0) return v;
    const long reported = sysconf(name);
    v = reported >= lo && reported <= hi ? reported : fallback;
    atomic_store_explicit(slot, v, memory_order_relaxed);
    return v;
}

long kp_l1_ways(void) {
#if defined(_SC_LEVEL1_DCACHE_ASSOC)
    static _Atomic long slot = -1;
    return cached_sysconf(&slot, _SC_LEVEL1_DCACHE_ASSOC, 4, 32, 8);
#else
    return 8;
#endif
}

long kp_l2_bytes(void) {
#if defined(_SC_LEVEL2_CACHE_SIZE)
    static _Atomic long slot = -1;
    return cached_sysconf(&slot, _SC_LEVEL2_CACHE_SIZE, 64L << 10, 64L << 20, 1L << 20);
#else
    return 1L << 20;
#endif
}

long kp_l3_bytes(void) {
#if defined(_SC_LEVEL3_CACHE_SIZE)
    static _Atomic long slot = -1;
    return cached_sysconf(&slot, _SC_LEVEL3_CACHE_SIZE, 1, LONG_MAX, 0);
#else
    return 0;
#endif
}

int kp_keep_freed_memory(void) {
#if defined(__GLIBC__)
    // 32 MiB is glibc's largest mmap threshold: blocks up to it come from the heap, so a freed tensor's pages are
    // reused by the next one instead of being unmapped and faulted in again (a 16 MiB tensor is 4,096 page faults).
    // Free heap memory is returned to the system only beyond 512 MiB.
    int ok = mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
    ok &= mallopt(M_TRIM_THRESHOLD, 512 * 1024 * 1024);
    // Larger blocks too (glibc caps the threshold at 32 MiB, so mmap is switched off instead): a batch-8 activation
    // of MobileNetV2 (8 × 112 × 112 × 96 floats, 38 MiB) was otherwise mapped, faulted in page by page and unmapped
    // at every call (its 1×1 convolution took 2.5× as long as from reused heap memory).
    ok &= mallopt(M_MMAP_MAX, 0);
    return ok;
#else
    return 0;
#endif
}
