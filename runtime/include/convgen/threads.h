#pragma once
// Threads used by every kernel of the process (Halide's shared thread pool), the caller's
// thread included. 0 restores the default: one per CPU. Not to be called while another thread
// is running a kernel: lowering the count restarts the pool. (Kernels JIT-compiled with the disk
// cache off run in Halide's JIT runtime, whose pool cannot shrink once grown.)
namespace convgen {

void set_num_threads(int threads);
int num_threads();

}  // namespace convgen
