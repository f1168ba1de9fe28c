#pragma once
// Reference results for a validated OpSpec. Tensors are dense: image tensors in spec.layout,
// weights in PyTorch's layout, columns as (N, C*kH*kW, L). Accumulates in double.
#include <vector>

#include "convgen/op_spec.h"

namespace convgen::reference {

// weight and bias may be null for unfold/fold (and bias when spec.bias is false).
std::vector<float> run(const OpSpec &spec, const float *input, const float *weight, const float *bias);

// max |actual - expected| / max |expected|: the error relative to the output's scale
// (infinite when a NaN appears in only one of them).
double relative_error(const float *actual, const std::vector<float> &expected);

// Index into a dim of `size` for padded coordinate j under `mode`; -1 means a zero.
int64_t padded_index(int64_t j, int64_t size, PaddingMode mode);

}  // namespace convgen::reference
