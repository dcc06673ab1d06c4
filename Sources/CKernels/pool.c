// A small thread pool for TensorModule's parallel loops, whose workers spin briefly between loops.
//
// At batch 1 a layer is a few hundred microseconds and each parallel loop a few tens: waking a sleeping thread
// (futex, and on a virtual machine an interrupt to an idle virtual CPU) costs about as much, so Dispatch's
// concurrentPerform lost most of the second core's gain. Workers here poll for the next loop for a short while
// (KP_SPIN_NS) after each one before they sleep on a condition variable, as ONNX Runtime's pool does.
//
// Protocol: one loop at a time (a mutex; a caller that finds the pool busy, or that runs inside a loop, runs its
// loop alone). The caller publishes the loop (function, context, iteration count) with a new generation in `state`;
// a worker that sees it joins the loop (counted in `state`, by compare-and-swap) while the loop is open, takes
// iterations from a shared counter and reports when the counter is exhausted. Once the caller has run out of
// iterations itself it closes the loop (no more joins) and waits only for the workers that joined: a worker that
// the system has not scheduled yet (a new thread in a fresh process, or on a busy machine) never holds the caller
// up; it finds the loop closed and waits for the next one.
#define _GNU_SOURCE
#include "CKernels.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define KP_PAUSE() _mm_pause()
#else
#define KP_PAUSE() ((void)0)
#endif

#define KP_MAX_WORKERS 255
// How long an idle worker polls before sleeping: long enough to bridge the gaps between the loops of one
// prediction, short enough that an idle process stops using the cores almost at once.
#define KP_SPIN_NS 200000L
// A two-thread pool's split of a loop in two (kp_parallel_share): each loop moves the caller's share this fraction
// of the way to the share that would have evened that loop out, within [KP_SHARE_MIN, 1 − KP_SHARE_MIN].
#define KP_SHARE_STEP 0.01
#define KP_SHARE_MIN 0.3
// Loops split in two also keep an offset from that share per site (a slot that the caller's hash of the loop picks,
// kp_parallel_for_split's `site`): each such loop moves its site's offset this fraction of the way, within
// ±KP_OFFSET_MAX. The shared share follows what changes for every loop at once (the host slowing one virtual CPU);
// the offsets what differs from loop to loop and stays (MobileNetV2 at batch 1: the worker's part of the first
// blocks' loops slower than the caller's, the caller's part of the late blocks' slower than the worker's).
#define KP_SITE_STEP 0.05
#define KP_OFFSET_MAX 0.2
#define KP_SITES 256

static struct {
    pthread_mutex_t busy;
    pthread_mutex_t sleep_lock;
    pthread_cond_t wake;
    // generation << KP_GEN_SHIFT | KP_CLOSED (no more joins) | number of workers that joined the loop.
    atomic_long state;
    atomic_int sleepers;
    atomic_long next;
    atomic_int finished;   // joined workers that found the iterations exhausted
    kp_task_fn fn;
    void *ctx;
    long iterations;
    int workers;
    int started;
    atomic_int caller_cpu;   // the CPU the caller published the current loop from (-1: unknown)
    long worker_ns;          // the joined worker's time in the loop's iterations (one worker: two-thread pools)
} pool = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER};

#define KP_JOINED_MASK 0xFFFFL
#define KP_CLOSED (1L << 16)
#define KP_GEN_SHIFT 17

static _Thread_local int inside_loop;

static long generation_of(long state) { return state >> KP_GEN_SHIFT; }

static long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long)t.tv_sec * 1000000000L + t.tv_nsec;
}

// Runs iterations from the shared counter until none are left; returns how many it ran.
static long drain(void) {
    const long n = pool.iterations;
    for (long ran = 0;; ran++) {
        long i = atomic_fetch_add_explicit(&pool.next, 1, memory_order_relaxed);
        if (i >= n) return ran;
        pool.fn(pool.ctx, i);
    }
}

// The caller's share of a loop split in two (kp_parallel_share), adapted after each such loop that the caller and
// the one worker each ran half of (kp_parallel_share_update).
static _Atomic double caller_share = 0.5;
// Each site's offset from caller_share (kp_parallel_share_at). Only the thread holding the pool's `busy` lock
// writes them; relaxed atomics so that a reader outside it sees a whole value.
static _Atomic double site_offset[KP_SITES];

static double clamp(double x, double low, double high) { return x < low ? low : x > high ? high : x; }

double kp_parallel_share(void) { return atomic_load_explicit(&caller_share, memory_order_relaxed); }

double kp_parallel_share_at(long site) {
    const double offset = site < 0 ? 0 : atomic_load_explicit(&site_offset[site % KP_SITES], memory_order_relaxed);
    return clamp(kp_parallel_share() + offset, KP_SHARE_MIN, 1 - KP_SHARE_MIN);
}

// The share at which both threads would have taken the same time, each at the speed it had in a loop where the
// caller ran `used` of the work in caller_ns and the worker the rest in worker_ns; −1 when the loop says too little.
static double even_share(double used, long caller_ns, long worker_ns) {
    // Loops of under 20 µs in all say little (clock reads, a line from the other core).
    if (caller_ns <= 0 || worker_ns <= 0 || caller_ns + worker_ns < 20000 || used <= 0 || used >= 1) return -1;
    const double caller_speed = used / (double)caller_ns, worker_speed = (1 - used) / (double)worker_ns;
    return caller_speed / (caller_speed + worker_speed);
}

void kp_parallel_site_update(double *share, double *offset, double used, long caller_ns, long worker_ns) {
    const double even = even_share(used, caller_ns, worker_ns);
    if (even < 0) return;
    const double miss = even - clamp(*share + *offset, KP_SHARE_MIN, 1 - KP_SHARE_MIN);
    *share = clamp(*share + KP_SHARE_STEP * miss, KP_SHARE_MIN, 1 - KP_SHARE_MIN);
    *offset = clamp(*offset + KP_SITE_STEP * miss, -KP_OFFSET_MAX, KP_OFFSET_MAX);
}

// A loop of no site: the same rule with an offset of 0 that nothing keeps.
double kp_parallel_share_update(double share, double used, long caller_ns, long worker_ns) {
    double offset = 0;
    kp_parallel_site_update(&share, &offset, used, caller_ns, worker_ns);
    return share;
}

#if defined(__linux__)
// The CPUs this process may run on, read when the workers start (see start_workers).
static cpu_set_t allowed_cpus;
static int have_allowed_cpus;
// Whether workers stay off their creator's CPU (KERASPORT_POOL_AFFINITY, see start_workers).
static int keep_off_creator_cpu = 1;
#endif

#if defined(__linux__)
// Moves the calling worker off `cpu` (the caller's CPU) when it finds itself there: the caller is not pinned, and
// the system may move it onto a worker's CPU (or wake the worker next to it), where the two would share one core for
// as long as the process lives if the worker cannot leave.
static void leave_cpu_if_shared(int cpu) {
    if (!have_allowed_cpus || !keep_off_creator_cpu || cpu < 0 || cpu >= CPU_SETSIZE) return;
    if (sched_getcpu() != cpu || !CPU_ISSET(cpu, &allowed_cpus) || CPU_COUNT(&allowed_cpus) < 2) return;
    cpu_set_t elsewhere = allowed_cpus;
    CPU_CLR(cpu, &elsewhere);
    pthread_setaffinity_np(pthread_self(), sizeof elsewhere, &elsewhere);
}
#endif

static void *worker_main(void *arg) {
#if defined(__linux__)
    // Started away from the caller's CPU (start_workers). With KERASPORT_POOL_AFFINITY=start it may then go anywhere
    // allowed (the policy before); by default it stays off that CPU.
    if (have_allowed_cpus && !keep_off_creator_cpu)
        pthread_setaffinity_np(pthread_self(), sizeof allowed_cpus, &allowed_cpus);
#endif
    inside_loop = 1;   // a loop body that starts a loop runs it alone
    // The generation before the first loop (read when the worker was created: the caller publishes that loop
    // possibly before this thread first runs).
    long seen = (long)(intptr_t)arg;
    for (;;) {
        long deadline = now_ns() + KP_SPIN_NS;
        int spins = 0;
        while (generation_of(atomic_load_explicit(&pool.state, memory_order_acquire)) == seen) {
            KP_PAUSE();
            if (++spins % 256 != 0) continue;
#if defined(__linux__)
            // Polling on the caller's CPU takes the caller's time, and the caller, never waiting for a worker that
            // has not joined, leaves it no loop to join where the check below would move it.
            leave_cpu_if_shared(atomic_load_explicit(&pool.caller_cpu, memory_order_relaxed));
#endif
            if (now_ns() > deadline) {
                pthread_mutex_lock(&pool.sleep_lock);
                atomic_fetch_add(&pool.sleepers, 1);
                while (generation_of(atomic_load(&pool.state)) == seen) pthread_cond_wait(&pool.wake, &pool.sleep_lock);
                atomic_fetch_sub(&pool.sleepers, 1);
                pthread_mutex_unlock(&pool.sleep_lock);
                break;
            }
        }
        long s = atomic_load(&pool.state);
        seen = generation_of(s);
        // Join the loop while it is open; a closed loop is finished (or about to be) without this worker.
        while (!(s & KP_CLOSED) && generation_of(s) == seen) {
            if (atomic_compare_exchange_weak(&pool.state, &s, s + 1)) {
#if defined(__linux__)
                leave_cpu_if_shared(atomic_load_explicit(&pool.caller_cpu, memory_order_relaxed));
#endif
                const long t0 = now_ns();
                drain();
                pool.worker_ns = now_ns() - t0;
                atomic_fetch_add_explicit(&pool.finished, 1, memory_order_release);
                break;
            }
        }
    }
    return NULL;
}

// In a child made by fork() the workers do not exist: forget them (the next loop starts new ones).
static void forget_workers_after_fork(void) {
    pthread_mutex_init(&pool.busy, NULL);
    pthread_mutex_init(&pool.sleep_lock, NULL);
    pthread_cond_init(&pool.wake, NULL);
    atomic_store(&pool.sleepers, 0);
    pool.workers = 0;
    pool.started = 0;
    inside_loop = 0;
}

static pthread_once_t fork_handler_once = PTHREAD_ONCE_INIT;
static void install_fork_handler(void) { pthread_atfork(NULL, NULL, forget_workers_after_fork); }

// Starts the workers once (called with `busy` held).
static void start_workers(long threads) {
    pthread_once(&fork_handler_once, install_fork_handler);
    pool.started = 1;
    long wanted = threads - 1;
    if (wanted > KP_MAX_WORKERS) wanted = KP_MAX_WORKERS;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
#if defined(__linux__)
    // A new thread may be placed on its creator's CPU, where it polls for loops while the caller computes them:
    // the two share one core until the system's load balancing moves one of them, tens of milliseconds later
    // (measured: the first predictions of a fresh process 4–7× slower than the steady state, and slower than one
    // thread). Each worker therefore starts on one of the other allowed CPUs. Widening its mask again at once (the
    // policy before) was not enough: the first loop of a prediction wakes the worker, asleep since the model was
    // compiled, and the scheduler places a woken thread next to its waker (wake-affine), so in a fresh process the
    // worker shared the caller's CPU, and the predictions ran at one thread's speed or slower, until a load-balancing
    // pass separated them (seen in `bench --json` times_s: a plateau at the one-thread time, then half of it after
    // the first preemption). So the workers stay off the creator's CPU: they still move among the other allowed
    // CPUs, and the caller (not pinned) moves away should it land on theirs. KERASPORT_POOL_AFFINITY=start restores
    // the widening, =none starts the workers anywhere.
    const char *policy = getenv("KERASPORT_POOL_AFFINITY");
    keep_off_creator_cpu = !(policy && (strcmp(policy, "start") == 0 || strcmp(policy, "none") == 0));
    have_allowed_cpus = !(policy && strcmp(policy, "none") == 0) &&
                        sched_getaffinity(0, sizeof allowed_cpus, &allowed_cpus) == 0;
    int here = sched_getcpu();
    if (have_allowed_cpus && here >= 0 && here < CPU_SETSIZE && CPU_ISSET(here, &allowed_cpus) &&
        CPU_COUNT(&allowed_cpus) > 1) {
        cpu_set_t elsewhere = allowed_cpus;
        CPU_CLR(here, &elsewhere);
        pthread_attr_setaffinity_np(&attr, sizeof elsewhere, &elsewhere);
    }
#endif
    for (long i = 0; i < wanted; i++) {
        pthread_t t;
        void *generation = (void *)(intptr_t)generation_of(atomic_load(&pool.state));
        if (pthread_create(&t, &attr, worker_main, generation) != 0) break;
        pool.workers++;
    }
    pthread_attr_destroy(&attr);
}

void kp_parallel_for(long iterations, long threads, kp_task_fn fn, void *ctx) {
    kp_parallel_for_split(iterations, threads, fn, ctx, 0, -1);
}

void kp_parallel_for_split(long iterations, long threads, kp_task_fn fn, void *ctx, double used_share, long site) {
    if (iterations <= 0) return;
    if (iterations == 1 || threads <= 1 || inside_loop || pthread_mutex_trylock(&pool.busy) != 0) {
        for (long i = 0; i < iterations; i++) fn(ctx, i);
        return;
    }
    if (!pool.started) start_workers(threads);
    if (pool.workers == 0) {
        pthread_mutex_unlock(&pool.busy);
        for (long i = 0; i < iterations; i++) fn(ctx, i);
        return;
    }
    pool.fn = fn;
    pool.ctx = ctx;
    pool.iterations = iterations;
    // Iteration 0 is the caller's (below): the first chunk of a loop split one per core stays with the thread that
    // ran the first chunk of the loop before (its rows in this core's cache), and a two-way split's share is its.
    atomic_store_explicit(&pool.next, 1, memory_order_relaxed);
    atomic_store_explicit(&pool.finished, 0, memory_order_relaxed);
#if defined(__linux__)
    atomic_store_explicit(&pool.caller_cpu, sched_getcpu(), memory_order_relaxed);
#endif
    // Sequentially consistent: the loop's fields before it, and it before the sleepers check.
    atomic_store(&pool.state, (generation_of(atomic_load(&pool.state)) + 1) << KP_GEN_SHIFT);
    if (atomic_load(&pool.sleepers) > 0) {
        pthread_mutex_lock(&pool.sleep_lock);
        pthread_cond_broadcast(&pool.wake);
        pthread_mutex_unlock(&pool.sleep_lock);
    }
    inside_loop = 1;
    const long t0 = now_ns();
    fn(ctx, 0);
    const long caller_ran = 1 + drain(), caller_ns = now_ns() - t0;
    inside_loop = 0;
    long joined = atomic_fetch_or(&pool.state, KP_CLOSED) & KP_JOINED_MASK;
    int spins = 0;
    while (atomic_load_explicit(&pool.finished, memory_order_acquire) < joined) {
        KP_PAUSE();
        if (++spins % 4096 == 0) sched_yield();   // a worker descheduled by the system: let it run
    }
    // A loop in two halves (Parallel's one chunk per core on two cores) that each thread ran one of (the caller one,
    // so the worker that joined the other): how long each took moves the next split (kp_parallel_share_at), the
    // shared share and the site's offset.
    if (used_share > 0 && iterations == 2 && pool.workers == 1 && joined == 1 && caller_ran == 1) {
        double share = atomic_load_explicit(&caller_share, memory_order_relaxed);
        double offset = site < 0 ? 0 : atomic_load_explicit(&site_offset[site % KP_SITES], memory_order_relaxed);
        kp_parallel_site_update(&share, &offset, used_share, caller_ns, pool.worker_ns);
        atomic_store_explicit(&caller_share, share, memory_order_relaxed);
        if (site >= 0) atomic_store_explicit(&site_offset[site % KP_SITES], offset, memory_order_relaxed);
    }
    pthread_mutex_unlock(&pool.busy);
}

void kp_flag_set(int *flag) { __atomic_store_n(flag, 1, __ATOMIC_RELEASE); }

int kp_flag_wait(const int *ready, const int *started) {
    if (__atomic_load_n(ready, __ATOMIC_ACQUIRE)) return 1;
    if (!__atomic_load_n(started, __ATOMIC_ACQUIRE)) return 0;
    int spins = 0;
    while (!__atomic_load_n(ready, __ATOMIC_ACQUIRE)) {
        KP_PAUSE();
        if (++spins % 4096 == 0) sched_yield();   // the other chunk's thread descheduled: let it run
    }
    return 1;
}
