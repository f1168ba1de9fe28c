// What a parallel loop costs a kernel: convgen's pool (runtime/src/parallel_loops.cpp) against
// Halide's own (halide_default_do_par_for of the shared runtime): loops of small tasks, called
// back to back or after some work of the caller's own (`gap_us`, included in the time), as the
// kernels of a network are called between the layer API's own steps.
//   convgen_parallel_loop_bench [benchmark flags]
#include <benchmark/benchmark.h>

#include <atomic>
#include <chrono>

#include <HalideRuntime.h>

#include "convgen/threads.h"
#include "runtime/src/parallel_loops.h"  // runtime-internal

namespace {

// A task of a fixed amount of arithmetic (about a microsecond), so a loop's time is mostly its overhead.
int small_task(void *, int index, uint8_t *closure) {
    float value = float(index);
    for (int step = 0; step < 1000; ++step) value = value * 0.999f + 1.0f;
    reinterpret_cast<std::atomic<float> *>(closure)->store(value, std::memory_order_relaxed);
    return 0;
}

// The caller's own work between two loops, on its thread alone.
void callers_own_work(int64_t microseconds) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(microseconds);
    while (std::chrono::steady_clock::now() < until) {
    }
}

void convgen_pool(benchmark::State &state) {
    convgen::set_num_threads(int(state.range(1)));
    std::atomic<float> sink{0};
    for (auto _ : state) {
        callers_own_work(state.range(2));
        convgen::detail::run_parallel_loop(nullptr, small_task, 0, int(state.range(0)),
                                           reinterpret_cast<uint8_t *>(&sink));
    }
}

void halide_pool(benchmark::State &state) {
    // Halide's pool keeps the workers it has started, so each thread count gets a fresh pool.
    halide_shutdown_thread_pool();
    halide_set_num_threads(int(state.range(1)));
    std::atomic<float> sink{0};
    for (auto _ : state) {
        callers_own_work(state.range(2));
        halide_default_do_par_for(nullptr, small_task, 0, int(state.range(0)), reinterpret_cast<uint8_t *>(&sink));
    }
    halide_shutdown_thread_pool();
}

void loop_shapes(benchmark::internal::Benchmark *benchmark) {
    benchmark->ArgNames({"tasks", "threads", "gap_us"});
    for (int threads : {1, 2}) {
        for (int tasks : {2, 16}) {
            for (int gap_us : {0, 20}) benchmark->Args({tasks, threads, gap_us});
        }
    }
    benchmark->UseRealTime()->Unit(benchmark::kMicrosecond);
}

BENCHMARK(convgen_pool)->Apply(loop_shapes);
BENCHMARK(halide_pool)->Apply(loop_shapes);

}  // namespace

BENCHMARK_MAIN();
