#pragma once
// Winograd convolution F(m x m, 3x3) as three stages over output tiles: the input transform
// V = B^T d B per tile and input channel, the product M = sum over channels of U V per point of
// the (m+2)^2 (a batch of matmuls: the hot loop), and the output transform Y = A^T M A with the
// epilogue. A 1x3 kernel (conv1d) is F(m, 3) along the width alone: the height's transforms are
// F(1, 1), identities. The weights arrive transformed (WeightLayout::Winograd, packed by core).
#include "convgen/op_spec.h"
#include "generator/pipeline.h"

namespace convgen::generator {

// The stages of one Winograd conv reading `input` (logical x, y, c, n), named with `prefix`: as
// conv_stages (generator/generate.h), which calls it for Algorithm::Winograd.
GeneratedPipeline winograd_conv_stages(const OpSpec &spec, const Halide::Func &input, const std::string &prefix);

}  // namespace convgen::generator
