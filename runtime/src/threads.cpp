#include "convgen/threads.h"

#include <atomic>
#include <thread>

#include "aot_call.h"
#include "parallel_loops.h"

namespace convgen {
namespace {
// What the caller asked for; 0 means one per CPU.
std::atomic<int> requested_threads{0};
}  // namespace

void set_num_threads(int threads) {
    requested_threads = threads < 0 ? 0 : threads;
    // Every kernel, AOT, disk-cached or JIT-compiled, runs its parallel loops on this pool; Halide's
    // own pool, which the shared runtime keeps for any other kind of task, follows it.
    detail::set_parallel_loop_threads(num_threads());
    detail::set_shared_runtime_threads(num_threads());
}

int num_threads() {
    const int requested = requested_threads;
    return requested > 0 ? requested : int(std::max(1u, std::thread::hardware_concurrency()));
}

}  // namespace convgen
