#pragma once
// Image tensors (N, C, H, W) in NCHW or NHWC memory, addressed by logical coordinates
// (x, y, c, n) inside the pipeline so the algorithms never see the layout.
#include <Halide.h>

#include "convgen/op_spec.h"

namespace convgen::generator {

struct ImageInput {
    Halide::ImageParam param;  // dims in memory order, innermost first
    Halide::Func logical;      // logical(x, y, c, n)
};

ImageInput image_input(const std::string &name, int64_t batch, int64_t channels, Extent2 size,
                       Layout layout);

// The pipeline output in memory order for `layout`, reading result(x, y, c, n).
Halide::Func image_output(const Halide::Func &result, int64_t batch, int64_t channels, Extent2 size,
                          Layout layout);

// logical extended beyond its bounds as padding_mode says. Dims that are never padded keep no
// boundary condition, so their loads stay unclamped. The stage is named prefix + kPaddedInput.
Halide::Func with_padding(const Halide::Func &logical, Extent2 size, PaddingMode mode, bool pad_h,
                          bool pad_w, const std::string &prefix = "");

}  // namespace convgen::generator
