#pragma once
// Runs one AOT kernel from a kernel table on random dense data and compares it with the plain-loop
// reference. Halide-free (HalideRuntime.h only), so the ARM driver cross-compiles it too.
#include <random>
#include <string>
#include <vector>

#include <HalideRuntime.h>

#include "convgen/aot_kernel.h"

namespace convgen::test {

struct KernelCheck {
    bool ok = false;
    std::string message;  // "PASS name (key): relative error ..." or why it failed
};

// `after_call` runs between the kernel and the comparison (a GPU test copies outputs back there).
KernelCheck check_kernel(const AotKernel &kernel, std::mt19937 &engine,
                         void (*after_call)(const std::vector<halide_buffer_t *> &) = nullptr);

}  // namespace convgen::test
