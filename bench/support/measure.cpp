#include "measure.h"

#include <algorithm>
#include <cmath>
#include <chrono>
#include <exception>
#include <string>
#include <thread>
#include <vector>

#include <immintrin.h>

namespace convgen::bench {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kChains = 12;  // independent accumulators: enough to hide FMA latency on two ports
constexpr long kIterations = 4'000'000;
constexpr int kTrials = 7;  // the best trial: interference only ever slows a trial down

// Returns a value derived from the accumulators so the loop is not optimised away.
__attribute__((target("avx512f"))) float fma_loop_avx512(long iterations) {
    __m512 acc[kChains];
    for (int i = 0; i < kChains; ++i) acc[i] = _mm512_set1_ps(float(i));
    const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
    for (long it = 0; it < iterations; ++it) {
        for (int i = 0; i < kChains; ++i) acc[i] = _mm512_fmadd_ps(acc[i], a, b);
    }
    __m512 sum = acc[0];
    for (int i = 1; i < kChains; ++i) sum = _mm512_add_ps(sum, acc[i]);
    return _mm512_reduce_add_ps(sum);
}

__attribute__((target("avx2,fma"))) float fma_loop_avx2(long iterations) {
    __m256 acc[kChains];
    for (int i = 0; i < kChains; ++i) acc[i] = _mm256_set1_ps(float(i));
    const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
    for (long it = 0; it < iterations; ++it) {
        for (int i = 0; i < kChains; ++i) acc[i] = _mm256_fmadd_ps(acc[i], a, b);
    }
    float lanes[8];
    __m256 sum = acc[0];
    for (int i = 1; i < kChains; ++i) sum = _mm256_add_ps(sum, acc[i]);
    _mm256_storeu_ps(lanes, sum);
    float total = 0;
    for (float v : lanes) total += v;
    return total;
}

double median(std::vector<double> values) {
    std::nth_element(values.begin(), values.begin() + long(values.size() / 2), values.end());
    return values[values.size() / 2];
}

// Median wall time of `run` over at least one call and `min_seconds` of calls, no warm-up.
double timed_median_ms(const std::function<void()> &run, double min_seconds) {
    std::vector<double> times;
    double total = 0;
    while (times.empty() || total < min_seconds) {
        const auto start = Clock::now();
        run();
        const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
        times.push_back(ms);
        total += ms / 1000.0;
        if (times.size() >= 1000) break;
    }
    return median(times);
}

}  // namespace

std::vector<double> interleaved_median_ms(const std::vector<std::function<void()>> &runs, double min_seconds,
                                          const std::function<void(size_t, const std::string &)> &on_error,
                                          int rounds) {
    std::vector<std::vector<double>> per_round(runs.size());
    std::vector<bool> failed(runs.size(), false);
    const auto attempt = [&](size_t i, const std::function<void()> &body) {
        if (failed[i]) return;
        try {
            body();
        } catch (const std::exception &e) {
            failed[i] = true;
            on_error(i, e.what());
        }
    };
    for (size_t i = 0; i < runs.size(); ++i) attempt(i, runs[i]);  // warm-up
    for (int round = 0; round < rounds; ++round) {
        for (size_t i = 0; i < runs.size(); ++i) {
            attempt(i, [&] { per_round[i].push_back(timed_median_ms(runs[i], min_seconds / rounds)); });
        }
    }
    std::vector<double> medians(runs.size(), std::nan(""));
    for (size_t i = 0; i < runs.size(); ++i) {
        if (!failed[i]) medians[i] = median(per_round[i]);
    }
    return medians;
}

double measure_fma_peak_gflops(int threads) {
    __builtin_cpu_init();
    const bool avx512 = __builtin_cpu_supports("avx512f");
    const int lanes = avx512 ? 16 : 8;
    double best_seconds = INFINITY;
    std::vector<float> sinks(static_cast<size_t>(threads));
    for (int trial = 0; trial < kTrials; ++trial) {
        std::vector<std::thread> workers;
        const auto start = Clock::now();
        for (int t = 0; t < threads; ++t) {
            workers.emplace_back([&, t] { sinks[t] = avx512 ? fma_loop_avx512(kIterations) : fma_loop_avx2(kIterations); });
        }
        for (std::thread &w : workers) w.join();
        best_seconds = std::min(best_seconds, std::chrono::duration<double>(Clock::now() - start).count());
    }
    volatile float sink = sinks[0];
    (void)sink;
    return 2.0 * lanes * kChains * double(kIterations) * threads / best_seconds / 1e9;
}

void FmaPeak::sample(int threads) {
    double &best = gflops_[threads];
    best = std::max(best, measure_fma_peak_gflops(threads));
}

}  // namespace convgen::bench
