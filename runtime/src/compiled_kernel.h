#pragma once
// A kernel ready to run: JIT-compiled in this process (a Halide::Callable on Halide's JIT
// runtime), or a no_runtime entry point -- linked into the program, or loaded from the disk
// cache -- on the shared Halide runtime.
#include <memory>
#include <optional>

#include <Halide.h>

#include "convgen/aot_kernel.h"
#include "shared_object.h"

namespace convgen::detail {

class CompiledKernel {
public:
    CompiledKernel(Halide::Callable callable, size_t buffer_count)
        : callable(std::move(callable)), buffer_count(buffer_count) {}
    CompiledKernel(AotEntryPoint entry, std::shared_ptr<LoadedLibrary> library, size_t buffer_count)
        : entry(entry), library(std::move(library)), buffer_count(buffer_count) {}

    std::optional<Halide::Callable> callable;
    AotEntryPoint entry = nullptr;
    std::shared_ptr<LoadedLibrary> library;  // keeps a disk-cached kernel's code mapped
    size_t buffer_count;
};

}  // namespace convgen::detail
