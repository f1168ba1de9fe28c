// Google Benchmark over the suite: every layer x variant (convgen schedules, the reference,
// oneDNN in its best layout and with NCHW in/out) x thread count, all in one process.
//   convgen_bench [--suite=FILE] [--variants=a,b] [--threads=1,2] [--nets=x,y] [benchmark flags]
#include <benchmark/benchmark.h>

#include <cstring>
#include <vector>
#include <map>
#include <sstream>

#include "convgen/convgen.h"
#include "convgen/suite.h"
#include "support/measure.h"
#include "support/runners.h"
#include "support/window_cases.h"

namespace {

std::vector<std::string> split(const std::string &text) {
    std::vector<std::string> items;
    std::stringstream stream(text);
    for (std::string item; std::getline(stream, item, ',');) items.push_back(item);
    return items;
}

// Our flags are taken out of argv before Google Benchmark sees the rest.
std::string take_flag(int &argc, char **argv, const std::string &name, const std::string &fallback) {
    const std::string prefix = "--" + name + "=";
    for (int i = 1; i < argc; ++i) {
        if (std::strncmp(argv[i], prefix.c_str(), prefix.size()) == 0) {
            std::string value = argv[i] + prefix.size();
            std::memmove(&argv[i], &argv[i + 1], sizeof(char *) * size_t(argc - i));
            --argc;
            return value;
        }
    }
    return fallback;
}

// A benchmark body whose set-up or run may fail (a schedule that cannot handle a shape): the
// failure is reported as this benchmark's error instead of ending the whole run.
template <typename Body>
void run_or_report(benchmark::State &state, Body body) {
    try {
        body();
    } catch (const std::exception &e) {
        state.SkipWithError(e.what());
    }
}

// Unfold and fold of real layer inputs under each schedule variant, with a memcpy of the same
// number of bytes as the bandwidth yardstick. Counters: GB/s of bytes read + written.
void register_window_benchmarks(const std::string &suite, const std::vector<std::string> &nets,
                                const std::vector<std::string> &variants, const std::vector<std::string> &threads) {
    using namespace convgen;
    std::vector<SuiteLayer> layers;
    for (const SuiteLayer &l : read_suite(suite)) {
        if (nets.empty() || std::find(nets.begin(), nets.end(), l.net) != nets.end()) layers.push_back(l);
    }
    // Unfold and fold run under plain schedules: no layout or algorithm variants, no oneDNN.
    std::vector<std::string> schedules;
    for (const std::string &name : variants) {
        const bench::Variant &v = bench::find_variant(name);
        if (v.kind == bench::Variant::Kind::Convgen && v.layout == Layout::NCHW && v.algorithm == Algorithm::Direct) {
            schedules.push_back(v.schedule);
        }
    }
    for (const bench::WindowCase &w : bench::window_cases(layers)) {
        for (const std::string &schedule : schedules) {
            for (const std::string &t : threads) {
                const int thread_count = std::stoi(t);
                const std::string suffix = "/" + schedule + "/threads:" + t;
                benchmark::RegisterBenchmark((w.name + "/unfold" + suffix).c_str(), [=](benchmark::State &state) {
                    run_or_report(state, [&] {
                        set_num_threads(thread_count);
                        Unfold unfold(UnfoldOptions(w.kernel).stride(w.stride).padding(w.padding).schedule(schedule));
                        const Tensor image(w.image);
                        Tensor columns(unfold.output_shape(w.image));
                        unfold.prepare(w.image);
                        for (auto _ : state) unfold.forward(image, columns.view());
                        state.counters["GB/s"] =
                            benchmark::Counter(w.unfold_bytes / 1e9, benchmark::Counter::kIsIterationInvariantRate);
                    });
                })->Unit(benchmark::kMillisecond)->UseRealTime();
                benchmark::RegisterBenchmark((w.name + "/fold" + suffix).c_str(), [=](benchmark::State &state) {
                    run_or_report(state, [&] {
                        set_num_threads(thread_count);
                        const Shape columns_shape =
                            Unfold(UnfoldOptions(w.kernel).stride(w.stride).padding(w.padding)).output_shape(w.image);
                        Fold fold(FoldOptions({w.image[2], w.image[3]}, w.kernel)
                                      .stride(w.stride)
                                      .padding(w.padding)
                                      .schedule(schedule));
                        const Tensor columns(columns_shape);
                        Tensor image(w.image);
                        fold.prepare(columns_shape);
                        for (auto _ : state) fold.forward(columns, image.view());
                        state.counters["GB/s"] =
                            benchmark::Counter(w.fold_bytes / 1e9, benchmark::Counter::kIsIterationInvariantRate);
                    });
                })->Unit(benchmark::kMillisecond)->UseRealTime();
            }
        }
        benchmark::RegisterBenchmark((w.name + "/memcpy").c_str(), [=](benchmark::State &state) {
            // Half the bytes read, half written, as in unfold.
            std::vector<char> from(size_t(w.unfold_bytes / 2)), to(from.size());
            for (auto _ : state) {
                std::memcpy(to.data(), from.data(), from.size());
                benchmark::DoNotOptimize(to.data());
            }
            state.counters["GB/s"] = benchmark::Counter(w.unfold_bytes / 1e9, benchmark::Counter::kIsIterationInvariantRate);
        })->Unit(benchmark::kMillisecond)->UseRealTime();
    }
}

}  // namespace

int main(int argc, char **argv) {
    using namespace convgen;
    const std::string suite = take_flag(argc, argv, "suite", CONVGEN_SUITE_DIR "/conv2d_public.jsonl");
    const std::vector<std::string> variants =
        split(take_flag(argc, argv, "variants", "portable,hand,hand_nhwc,unfold_matmul_fold,onednn,onednn_nchw"));
    const std::vector<std::string> threads = split(take_flag(argc, argv, "threads", "1,2"));
    const std::vector<std::string> nets = split(take_flag(argc, argv, "nets", ""));

    std::map<int, double> peak;
    for (const std::string &t : threads) peak[std::stoi(t)] = bench::measure_fma_peak_gflops(std::stoi(t));
    for (const SuiteLayer &layer : read_suite(suite)) {
        if (!nets.empty() && std::find(nets.begin(), nets.end(), layer.net) == nets.end()) continue;
        const double flops = Conv2d(layer.options()).spec(layer.input_shape()).flops();
        for (const std::string &name : variants) {
            const bench::Variant &variant = bench::find_variant(name);
            for (const std::string &t : threads) {
                const int thread_count = std::stoi(t);
                benchmark::RegisterBenchmark(
                    (layer.name + "/" + name + "/threads:" + t).c_str(),
                    [=, &peak](benchmark::State &state) {
                        run_or_report(state, [&] {
                            std::unique_ptr<bench::Runner> runner = bench::make_runner(variant, layer, thread_count);
                            for (auto _ : state) runner->run();
                            state.counters["GFLOP/s"] =
                                benchmark::Counter(flops / 1e9, benchmark::Counter::kIsIterationInvariantRate);
                            state.counters["peak%"] = benchmark::Counter(100.0 * flops / 1e9 / peak.at(thread_count),
                                                                         benchmark::Counter::kIsIterationInvariantRate);
                        });
                    })
                    ->Unit(benchmark::kMillisecond)
                    ->UseRealTime();
            }
        }
    }
    register_window_benchmarks(suite, nets, variants, threads);
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    for (const auto &[t, gflops] : peak) std::fprintf(stderr, "FMA peak, %d thread(s): %.1f GFLOP/s\n", t, gflops);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
