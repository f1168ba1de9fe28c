#pragma once
// Scratch memory for kernels' intermediate buffers (staged inputs, partial sums). Halide asks
// for them on every call; handing back recently freed blocks keeps them mapped, where a fresh
// allocation of a few hundred KiB is an mmap whose page faults and, with threads running,
// TLB shootdowns can cost more than the kernel itself. A thread gets back the block it released
// where one is free, so a parallel loop's tasks write scratch lines their own core holds.
#include <cstddef>
#include <memory>

namespace convgen::detail {

// Aligned for any vector type; null when the system is out of memory (Halide reports that).
void *scratch_allocate(size_t bytes);
void scratch_release(void *block);

// A pool block held for a scope, such as a block's intermediate tensor between its layers (a new
// Tensor per call would be zeroed and faulted in every time).
struct ScratchRelease {
    void operator()(void *block) const { scratch_release(block); }
};
using ScratchBlock = std::unique_ptr<void, ScratchRelease>;
// Throws std::bad_alloc when the system is out of memory.
ScratchBlock scratch_block(size_t bytes);

}  // namespace convgen::detail
