#include "aot_call.h"

#include <mutex>

#include "parallel_loops.h"
#include "scratch_memory.h"

namespace convgen::detail {
namespace {

thread_local std::string *current_error = nullptr;

void capture_error(void *, const char *message) {
    if (current_error) *current_error += message;
}

void *allocate_scratch(void *, size_t bytes) { return scratch_allocate(bytes); }
void release_scratch(void *, void *block) { scratch_release(block); }

// The shared runtime's hooks, set once: errors captured for the exception, scratch memory reused,
// parallel loops on convgen's pool.
void install_runtime_hooks() {
    static std::once_flag once;
    std::call_once(once, [] {
        halide_set_error_handler(capture_error);
        halide_set_custom_malloc(allocate_scratch);
        halide_set_custom_free(release_scratch);
        halide_set_custom_do_par_for(run_parallel_loop);
    });
}

}  // namespace

int call_aot_entry(AotEntryPoint entry, void **buffers, std::string &error) {
    install_runtime_hooks();
    current_error = &error;
    const int status = entry(buffers);
    current_error = nullptr;
    return status;
}

void set_shared_runtime_threads(int threads) {
    // Halide's pool keeps every worker it has started busy, so fewer threads needs a new pool.
    if (threads < halide_get_num_threads()) halide_shutdown_thread_pool();
    halide_set_num_threads(threads);
}

}  // namespace convgen::detail
