#pragma once
// A conv weight in the memory order spec.weight_layout names, addressed by logical
// (kx, ky, ci, co) so the algorithm never sees the packing (Winograd: kx, ky are the transformed
// weight's points xi, eta).
#include <Halide.h>

#include "convgen/op_spec.h"

namespace convgen::generator {

struct WeightInput {
    Halide::ImageParam param;
    Halide::Func logical;  // logical(kx, ky, ci, co), ci within the group
};

// Its parameter is named prefix + "weight".
WeightInput conv_weight_input(const OpSpec &spec, const std::string &prefix = "");

}  // namespace convgen::generator
