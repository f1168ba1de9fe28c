#include "kernel_call.h"

#include <memory>
#include <stdexcept>

#include <Halide.h>

#include "aot_call.h"
#include "compiled_kernel.h"
#include "convgen/errors.h"
#include "kernel_buffer.h"
#include "parallel_loops.h"
#include "scratch_memory.h"

namespace convgen::detail {
namespace {

// What a JIT kernel call sees of the process: its error text collected for the exception instead
// of printed; scratch memory from the reusing pool; and its parallel loops run on the shared
// runtime's thread pool, the one AOT and disk-cached kernels use, so every kernel obeys
// set_num_threads (Halide's JIT pool cannot be shrunk once its workers exist).
struct KernelCallContext : Halide::JITUserContext {
    std::string message;
    KernelCallContext() {
        handlers.custom_error = [](Halide::JITUserContext *context, const char *text) {
            static_cast<KernelCallContext *>(context)->message += text;
        };
        handlers.custom_malloc = [](Halide::JITUserContext *, size_t bytes) { return scratch_allocate(bytes); };
        handlers.custom_free = [](Halide::JITUserContext *, void *block) { scratch_release(block); };
        handlers.custom_do_par_for = [](Halide::JITUserContext *context,
                                        int (*task)(Halide::JITUserContext *, int, uint8_t *), int min, int extent,
                                        uint8_t *closure) {
            // The pool hands the context back to the task as its first argument.
            return detail::run_parallel_loop(context, reinterpret_cast<detail::ParallelTask>(task), min, extent,
                                             closure);
        };
    }
};

}  // namespace

void run_kernel(const CompiledKernel &kernel, const std::vector<KernelParam> &dense) {
    if (dense.size() != kernel.buffer_count) throw std::logic_error("kernel called with the wrong number of buffers");
    std::vector<std::unique_ptr<KernelBuffer>> buffers;
    std::vector<halide_buffer_t *> b;
    for (const KernelParam &d : dense) {
        buffers.push_back(std::make_unique<KernelBuffer>(d.data, d.extents));
        b.push_back(buffers.back()->get());
    }
    KernelCallContext capture;
    // Callable matches the context argument by its exact type.
    Halide::JITUserContext *context = &capture;
    int status = 0;
    if (!kernel.callable) {
        status = call_aot_entry(kernel.entry, b, capture.message);
    } else {
        // Halide's argv convention: the context by address, then the buffers.
        std::vector<const void *> argv{&context};
        argv.insert(argv.end(), b.begin(), b.end());
        status = kernel.callable->call_argv_fast(argv.size(), argv.data());
    }
    if (status != 0) throw KernelError("kernel failed (" + std::to_string(status) + "): " + capture.message);
}

}  // namespace convgen::detail
