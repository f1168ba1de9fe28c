#pragma once
// The thread pool that runs every kernel's parallel loops, JIT-compiled, disk-cached or AOT.
//
// Why not Halide's own pool: its workers sleep as soon as the queue is empty, so each parallel
// loop of a short kernel (many layers run in 10-50 us) first pays for waking them. These workers
// spin for a while after each loop, as OpenMP's do under oneDNN, so back-to-back kernels find
// them awake.
#include <cstdint>

namespace convgen::detail {

// Halide's task signature (halide_task_t): the task's status, 0 on success.
using ParallelTask = int (*)(void *user_context, int index, uint8_t *closure);

// Runs task(user_context, i, closure) for every i in [min, min + extent) on the pool's threads,
// the calling one among them, and returns the first non-zero status. A loop started while the
// pool is busy (nested in another loop, or from another caller thread) runs on its caller alone.
int run_parallel_loop(void *user_context, ParallelTask task, int min, int extent, uint8_t *closure);

// How many threads a parallel loop uses, the caller included; at least 1.
void set_parallel_loop_threads(int threads);

}  // namespace convgen::detail
