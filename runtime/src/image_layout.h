#pragma once
// Where an image tensor's elements live for a layout, and its 4-D (N, C, H, W) form.
#include "convgen/op_spec.h"
#include "convgen/tensor.h"

namespace convgen::detail {

// Dense strides for user-facing image sizes (batched or not, 1-D or 2-D) in `layout`.
inline Shape layout_strides(const Shape &sizes, bool batched, Layout layout) {
    return layout == Layout::NHWC ? channels_last_strides(sizes, batched ? 1 : 0) : contiguous_strides(sizes);
}

}  // namespace convgen::detail
