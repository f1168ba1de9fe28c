#include "aot_call.h"

#include <mutex>

namespace convgen::detail {
namespace {

thread_local std::string *current_error = nullptr;

void capture_error(void *, const char *message) {
    if (current_error) *current_error += message;
}

void install_error_handler() {
    static std::once_flag once;
    std::call_once(once, [] { halide_set_error_handler(capture_error); });
}

}  // namespace

int call_aot_entry(AotEntryPoint entry, const std::vector<halide_buffer_t *> &buffers, std::string &error) {
    install_error_handler();
    std::vector<void *> arguments(buffers.begin(), buffers.end());
    current_error = &error;
    const int status = entry(arguments.data());
    current_error = nullptr;
    return status;
}

void set_shared_runtime_threads(int threads) {
    // Halide's pool keeps every worker it has started busy, so fewer threads needs a new pool.
    if (threads < halide_get_num_threads()) halide_shutdown_thread_pool();
    halide_set_num_threads(threads);
}

}  // namespace convgen::detail
