#pragma once
namespace convgen::detail {
// Pushes the requested thread count into Halide's JIT runtime; called again after each compile,
// since the runtime may not have existed when the count was set.
void apply_thread_setting();
}  // namespace convgen::detail
