#pragma once
// Dense float32 buffers handed to generated kernels, described innermost dim first.
#include <vector>

#include <HalideRuntime.h>

#include "convgen/detail/conv_layer.h"
#include "convgen/kernel_signature.h"
#include "convgen/op_spec.h"
#include "convgen/tensor.h"

namespace convgen::detail {

// `param` as a dense float32 Halide buffer whose dims are written to `dims` (one per extent).
halide_buffer_t dense_halide_buffer(const KernelParam &param, halide_dimension_t *dims);

// The kernel's buffer shapes (convgen/kernel_signature.h), shared with AOT callers.
using convgen::column_extents;
using convgen::image_extents;

// `view` as a dense tensor in the memory order `strides_for` gives: the caller's memory when it
// already is, else a dense copy owned by `storage`.
struct DenseOperand {
    const float *data = nullptr;
    std::optional<Tensor> storage;
};
DenseOperand dense_operand(ConstTensorView view, const Shape &dense_strides);

// True when the view's elements are exactly where `dense_strides` puts them (size-1 dims ignored).
bool has_strides(ConstTensorView view, const Shape &dense_strides);

// Refuses an output that shares memory with an input: the kernel would read what it wrote.
void check_no_overlap(ConstTensorView input, ConstTensorView output);

}  // namespace convgen::detail
