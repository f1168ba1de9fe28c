#pragma once
// Timing and machine measurements shared by the benchmarks.
#include <functional>

namespace convgen::bench {

// Median wall time of `run` in milliseconds, over at least `min_repeats` calls and at least
// `min_seconds` of timed calls, after one untimed warm-up call.
double median_ms(const std::function<void()> &run, double min_seconds = 0.2, int min_repeats = 5);

// Peak fp32 FMA throughput of this machine on `threads` threads, measured with a register-only
// FMA loop in the widest vector ISA the CPU has (AVX-512, else AVX2+FMA), in GFLOP/s.
double measure_fma_peak_gflops(int threads);

}  // namespace convgen::bench
