#include "convgen/threads.h"

#include <atomic>
#include <thread>

#include <Halide.h>

#include "aot_call.h"
#include "threads_internal.h"

namespace convgen {
namespace {
// What the caller asked for; 0 means one per CPU. Kept because Halide's shared JIT runtime (and
// its thread pool) only exists once a first kernel is compiled.
std::atomic<int> requested_threads{0};
}  // namespace

void set_num_threads(int threads) {
    requested_threads = threads < 0 ? 0 : threads;
    detail::apply_thread_setting();
}

int num_threads() {
    const int requested = requested_threads;
    return requested > 0 ? requested : int(std::max(1u, std::thread::hardware_concurrency()));
}

namespace detail {
void apply_thread_setting() {
    Halide::Internal::JITSharedRuntime::set_num_threads(num_threads());  // JIT-compiled kernels
    set_shared_runtime_threads(num_threads());                         // AOT and disk-cached kernels
}
}  // namespace detail

}  // namespace convgen
