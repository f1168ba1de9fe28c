#pragma once
// Everything after the in-memory cache misses, in order: a kernel linked into the program, the
// disk cache, then a Halide compile (written to the disk cache). See convgen/cache.h.
#include <memory>
#include <string>

#include <Halide.h>

#include "compiled_kernel.h"
#include "convgen/op_spec.h"

namespace convgen::detail {

std::shared_ptr<const CompiledKernel> find_or_build_kernel(const OpSpec &spec, const std::string &schedule,
                                                           const Halide::Target &jit_target);

void record_memory_hit();

}  // namespace convgen::detail
