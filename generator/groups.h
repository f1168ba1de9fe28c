#pragma once
// Grouped convolution: which input channels an output channel reads.
#include <Halide.h>

#include "convgen/op_spec.h"

namespace convgen::generator {

// Input channel `offset` of the group that output channel `c` belongs to. Without groups it is
// just `offset`: no division by the channel count for bounds inference to widen.
inline Halide::Expr group_input_channel(const Halide::Var &c, int out_per_group, int in_per_group,
                                        const Halide::Expr &offset, int64_t groups) {
    return groups == 1 ? offset : (c / out_per_group) * in_per_group + offset;
}

// Whether a direct conv reads its input through the group-input stage (stage::kGroupInput):
// grouped, with several input channels per group.
inline bool has_group_input(const OpSpec &spec) {
    return spec.groups > 1 && spec.channels > spec.groups;
}

}  // namespace convgen::generator
