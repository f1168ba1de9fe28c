#include "convgen/threads.h"

#include <Halide.h>

namespace convgen {

void set_num_threads(int threads) { Halide::Internal::JITSharedRuntime::set_num_threads(threads); }

int num_threads() { return Halide::Internal::JITSharedRuntime::get_num_threads(); }

}  // namespace convgen
