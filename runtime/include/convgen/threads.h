#pragma once
// Threads used by every kernel of the process (Halide's shared thread pool), the caller's
// thread included. 0 restores the default: one per CPU.
namespace convgen {

void set_num_threads(int threads);
int num_threads();

}  // namespace convgen
