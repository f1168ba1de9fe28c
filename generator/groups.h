#pragma once
// Grouped convolution: which input channels an output channel reads.
#include <Halide.h>

namespace convgen::generator {

// Input channel `offset` of the group that output channel `c` belongs to. Without groups it is
// just `offset`: no division by the channel count for bounds inference to widen.
inline Halide::Expr group_input_channel(const Halide::Var &c, int out_per_group, int in_per_group,
                                        const Halide::Expr &offset, int64_t groups) {
    return groups == 1 ? offset : (c / out_per_group) * in_per_group + offset;
}

}  // namespace convgen::generator
