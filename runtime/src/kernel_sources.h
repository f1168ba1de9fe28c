#pragma once
// Everything after the in-memory cache misses, in order: a kernel linked into the program, the
// disk cache, then a Halide compile (written to the disk cache). See convgen/cache.h.
#include <functional>
#include <memory>
#include <string>

#include <Halide.h>

#include "aot/kernel_module.h"
#include "compiled_kernel.h"

namespace convgen::detail {

// One kernel to find or build: an op's, or a chain's.
struct KernelRequest {
    std::string key;          // target|schedule|spec key: the memory and disk caches' key
    std::string description;  // names the kernel in errors
    size_t buffer_count = 0;
    std::function<aot::ScheduledKernel(const Halide::Target &)> schedule;
    const AotKernel *linked = nullptr;  // a kernel linked into the program, when there is one
};

// The memory and disk caches' key: the target, the schedule, and the op's or chain's key.
std::string kernel_key(const Halide::Target &target, const std::string &schedule, const std::string &spec_key);

KernelRequest op_kernel_request(const OpSpec &spec, const std::string &schedule, const Halide::Target &jit_target);
KernelRequest chain_kernel_request(const ChainSpec &chain, const std::string &layer_schedule,
                                   const Halide::Target &jit_target);

std::shared_ptr<const CompiledKernel> find_or_build_kernel(const KernelRequest &request,
                                                           const Halide::Target &jit_target);

void record_memory_hit();

}  // namespace convgen::detail
