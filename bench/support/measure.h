#pragma once
// Timing and machine measurements shared by the benchmarks.
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace convgen::bench {

// Rounds of interleaved_median_ms: enough for a median to shed one or two slow spells.
constexpr int kInterleavedRounds = 5;

// Medians of several runs timed side by side: each run is called once untimed, then in each of
// `rounds` rounds every run is timed in turn for min_seconds / rounds (at least one call), and a
// run's result is the median of its rounds' medians. A slow spell of a shared machine then falls
// on every run in some round instead of on whichever was being timed. A run that throws is timed
// no more: `on_error` gets its index and message, and its result is NaN.
std::vector<double> interleaved_median_ms(const std::vector<std::function<void()>> &runs, double min_seconds,
                                          const std::function<void(size_t, const std::string &)> &on_error,
                                          int rounds = kInterleavedRounds);

// Peak fp32 FMA throughput of this machine on `threads` threads, measured with a register-only
// FMA loop in the widest vector ISA the CPU has (AVX-512, else AVX2+FMA), in GFLOP/s.
double measure_fma_peak_gflops(int threads);

// The FMA peak per thread count, the fastest of the samples taken through a run: a busy spell of
// a shared machine only ever lowers a sample, and one taken at the start alone put kernels at up
// to 112% of it.
class FmaPeak {
public:
    void sample(int threads);
    double gflops(int threads) const { return gflops_.at(threads); }
    const std::map<int, double> &by_threads() const { return gflops_; }

private:
    std::map<int, double> gflops_;
};

}  // namespace convgen::bench
