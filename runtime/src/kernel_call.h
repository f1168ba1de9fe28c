#pragma once
// Calling a compiled kernel (JIT or AOT) on dense buffers: its errors become a KernelError, its
// scratch memory and parallel loops come from the runtime's own pool.
#include <span>

#include "convgen/detail/conv_layer.h"

namespace convgen::detail {

class CompiledKernel;

// Runs the kernel on dense buffers in the pipeline's call order (inputs, then the output).
void run_kernel(const CompiledKernel &kernel, std::span<const KernelParam> buffers);

}  // namespace convgen::detail
