#pragma once
// Scratch memory for kernels' intermediate buffers (staged inputs, partial sums). Halide asks
// for them on every call; handing back recently freed blocks keeps them mapped, where a fresh
// allocation of a few hundred KiB is an mmap whose page faults and, with threads running,
// TLB shootdowns can cost more than the kernel itself.
#include <cstddef>

namespace convgen::detail {

// Aligned for any vector type; null when the system is out of memory (Halide reports that).
void *scratch_allocate(size_t bytes);
void scratch_release(void *block);

}  // namespace convgen::detail
