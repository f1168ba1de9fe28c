#pragma once
// Buffers whose every extent is known when the kernel is generated: the JIT specialises per shape,
// so static bounds and dense strides let Halide fold all index arithmetic into constants.
#include <string>

#include <Halide.h>

#include "convgen/kernel_signature.h"

namespace convgen::generator {

// extents are innermost first (Halide's order; the kernel signature's, from core); the buffer is
// dense in that order. The same extents are recorded as estimates, which the autoschedulers plan with.
Halide::ImageParam dense_input(const std::string &name, const Extents &extents);
void constrain_dense_output(Halide::Func output, const Extents &extents);

}  // namespace convgen::generator
