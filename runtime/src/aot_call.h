#pragma once
// Calls into no_runtime kernels (linked-in AOT and disk-cached ones), which all use the process's
// shared Halide runtime (libconvgen_halide_runtime): its error text is captured per thread for
// the exception, and its thread count follows convgen::set_num_threads.
#include <string>

#include <HalideRuntime.h>

#include "convgen/aot_kernel.h"

namespace convgen::detail {

// The kernel's status (0 on success) on `buffers` (halide_buffer_t pointers in call order);
// `error` holds the runtime's message on failure.
int call_aot_entry(AotEntryPoint entry, void **buffers, std::string &error);

void set_shared_runtime_threads(int threads);

}  // namespace convgen::detail
