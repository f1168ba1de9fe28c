// No directives at all: the plainest lowering Halide makes, used to check that every other
// schedule computes the same values.
#include "schedules/registry.h"

namespace convgen::schedules {

void schedule_naive(generator::GeneratedPipeline &, const OpSpec &, const Halide::Target &) {}

}  // namespace convgen::schedules
