// Process-level settings for TensorModule: processor count, allocator behaviour.
#define _GNU_SOURCE
#include "CKernels.h"

#include <unistd.h>  // defines __GLIBC__ on glibc systems
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#if defined(__linux__)
#include <sched.h>
#endif
#include <stdint.h>
#include <sys/mman.h>

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

#define KP_HUGE (2UL << 20)

static size_t huge_round(size_t bytes) { return (bytes + KP_HUGE - 1) & ~(KP_HUGE - 1); }

void *kp_alloc_pages(size_t bytes) {
    if (bytes == 0 || bytes > SIZE_MAX / 2) return NULL;
    size_t size = huge_round(bytes), span = size + KP_HUGE;
    char *p = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return NULL;
    // Keep the 2 MiB-aligned `size` bytes inside the mapping; return the rest.
    char *start = (char *)(((uintptr_t)p + KP_HUGE - 1) & ~(uintptr_t)(KP_HUGE - 1));
    if (start > p) munmap(p, (size_t)(start - p));
    char *end = p + span;
    if (end > start + size) munmap(start + size, (size_t)(end - (start + size)));
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    (void)madvise(start, size, MADV_HUGEPAGE);
#endif
    return start;
}

void kp_free_pages(void *p, size_t bytes) {
    if (p) munmap(p, huge_round(bytes));
}
