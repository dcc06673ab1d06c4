// Per-thread scratch buffers for band-fused operations (TensorModule's separable convolution): each thread keeps one
// buffer, grown when a caller needs more and reused by every later call, so a band's intermediate goes to pages that
// are already mapped (and warm in that core's cache) instead of a fresh allocation per band (glibc serves blocks over
// its mmap threshold from new pages). Freed when the thread exits.
#include "CKernels.h"

#include <pthread.h>
#include <stdlib.h>

static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;
static _Thread_local float *scratch;
static _Thread_local size_t scratch_floats;

static void release_scratch(void *p) { free(p); }
static void make_scratch_key(void) { pthread_key_create(&scratch_key, release_scratch); }

float *kp_thread_scratch(size_t floats) {
    if (floats == 0) floats = 1;
    if (floats <= scratch_floats) return scratch;
    pthread_once(&scratch_once, make_scratch_key);
    free(scratch);
    size_t bytes = (floats * sizeof(float) + 63) & ~(size_t)63;
    scratch = aligned_alloc(64, bytes);
    scratch_floats = scratch ? floats : 0;
    pthread_setspecific(scratch_key, scratch);
    return scratch;
}
