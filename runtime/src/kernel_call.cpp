#include "kernel_call.h"

#include <array>
#include <memory_resource>
#include <stdexcept>
#include <vector>

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

void run_kernel(const CompiledKernel &kernel, std::span<const KernelParam> dense) {
    if (dense.size() != kernel.buffer_count) throw std::logic_error("kernel called with the wrong number of buffers");
    // The buffers and their dims live on the stack for every op's and any short chain's call.
    std::array<std::byte, 4096> stack;
    std::pmr::monotonic_buffer_resource arena(stack.data(), stack.size());
    std::pmr::vector<halide_dimension_t> dims(dense.size() * KernelExtents::kMostDims, &arena);
    std::pmr::vector<halide_buffer_t> buffers(&arena);
    buffers.reserve(dense.size());
    KernelCallContext capture;
    // Halide's argv convention: the context by address, then the buffers (AOT entries take the buffers alone).
    Halide::JITUserContext *context = &capture;
    std::pmr::vector<void *> argv(&arena);
    argv.reserve(dense.size() + 1);
    argv.push_back(&context);
    for (size_t i = 0; i < dense.size(); ++i) {
        buffers.push_back(dense_halide_buffer(dense[i], &dims[i * KernelExtents::kMostDims]));
        argv.push_back(&buffers.back());
    }
    const int status = kernel.callable ? kernel.callable->call_argv_fast(int(argv.size()), argv.data())
                                       : call_aot_entry(kernel.entry, argv.data() + 1, capture.message);
    if (status != 0) throw KernelError("kernel failed (" + std::to_string(status) + "): " + capture.message);
}

}  // namespace convgen::detail
