#pragma once
// Finds a kernel linked into the program (convgen/aot_kernel.h) for a call.
#include <string>

#include <Halide.h>

#include "convgen/aot_kernel.h"

namespace convgen::detail {

// The linked kernel with the same OpSpec key and schedule whose target can run where the JIT
// target runs (same architecture, bits and OS; every CPU feature it uses present), preferring
// the one using the most features. nullptr when none fits.
const AotKernel *find_aot_kernel(const OpSpec &spec, const std::string &schedule, const Halide::Target &jit_target);
// The same for the problem alone, whatever config the kernel was generated with: a layer adopts
// a linked kernel's config (and weight layout) before the tuning database's or the rules'.
const AotKernel *find_aot_kernel_for_problem(const OpSpec &spec, const std::string &schedule,
                                             const Halide::Target &jit_target);

}  // namespace convgen::detail
