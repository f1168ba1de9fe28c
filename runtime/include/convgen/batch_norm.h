#pragma once
// Eval-mode BatchNorm parameters, for folding into the preceding conv (see fuse_batch_norm).
#include <optional>

#include "convgen/tensor.h"

namespace convgen {

struct BatchNormParams {
    ConstTensorView running_mean;           // (C,)
    ConstTensorView running_var;            // (C,)
    std::optional<ConstTensorView> weight;  // gamma (C,), default 1
    std::optional<ConstTensorView> bias;    // beta (C,), default 0
    double eps = 1e-5;
};

}  // namespace convgen
