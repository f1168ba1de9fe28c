#pragma once
// The fused epilogue of conv and conv_transpose: bias as the accumulator's initial value, then
// the activation, both applied before the result leaves registers.
#include <optional>

#include <Halide.h>

#include "convgen/op_spec.h"

namespace convgen::generator {

// bias(c) when there is one, else 0.
Halide::Expr initial_value(const std::optional<Halide::ImageParam> &bias, const Halide::Expr &channel);

// NaN propagates as in PyTorch: relu(NaN) = relu6(NaN) = NaN.
Halide::Expr activate(const Halide::Expr &value, Activation activation);

}  // namespace convgen::generator
