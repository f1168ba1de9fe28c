#include "tune_blocks.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <set>

#include <Halide.h>

#include "convgen/block_suite.h"
#include "convgen/cache.h"
#include "convgen/threads.h"
#include "convgen/tuning.h"
#include "tuning/database.h"
#include "tuning/timing.h"

namespace convgen::cli {
namespace {

// Candidates are timed in interleaved rounds, so a slow spell on a shared machine hits each of
// them in some round rather than one candidate in all of them; each keeps its median round.
constexpr int kRounds = 3;

// The strip configs measured for a block whose output has `rows` rows, at `threads` threads:
// bands giving each thread 1, 2 or 4 tasks, each in strips of 1, 2 or 4 rows or the whole band.
// Small on purpose: a candidate costs a compile of the whole chain (1-3 s).
std::vector<ChainConfig> strip_configs(int64_t rows, int threads, int64_t batch) {
    std::vector<ChainConfig> configs;
    std::set<std::pair<int, int>> seen;
    for (int tasks_per_thread : {1, 2, 4}) {
        const int64_t bands = std::max<int64_t>(1, (int64_t(threads) * tasks_per_thread + batch - 1) / batch);
        const int band = int(std::max<int64_t>(1, (rows + bands - 1) / bands));
        for (int strip : {1, 2, 4, band}) {
            if (strip > band || band % strip != 0 || !seen.insert({strip, band}).second) continue;
            configs.push_back({strip, band});
        }
    }
    return configs;
}

struct Candidate {
    std::string config;  // ChainConfig text; "unfused" is layer by layer
    ConvBlock block;
    std::vector<double> rounds;
};

struct Outcome {
    const SuiteBlock *block;
    int threads;
    double rules_ms, best_ms;
    std::string best_config;
};

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

}  // namespace

void tune_blocks(const BlockTuneOptions &options) {
    std::vector<SuiteBlock> blocks;
    for (SuiteBlock &b : read_block_suite(options.suite)) {
        if (options.nets.empty() || std::find(options.nets.begin(), options.nets.end(), b.net) != options.nets.end()) {
            blocks.push_back(std::move(b));
        }
    }
    if (blocks.empty()) throw Error("no block of the requested networks in '" + options.suite + "'");
    const tuning::MachineIdentity machine = tuning::this_machine();
    const std::string target = Halide::get_jit_target_from_environment().to_string();
    set_disk_cache_enabled(false);  // candidates are throwaway kernels
    const auto started = std::chrono::steady_clock::now();

    std::vector<Outcome> outcomes;
    size_t done = 0;
    for (int threads : options.threads) {
        set_num_threads(threads);
        for (const SuiteBlock &b : blocks) {
            std::fprintf(stderr, "\r[%zu/%zu] %-24s %dT  compiling   ", ++done, blocks.size() * options.threads.size(),
                         b.name.c_str(), threads);
            std::fflush(stderr);
            const Shape shape = b.input_shape();
            const Layout layout = Layout::NHWC;
            Tensor input(shape, layout_strides(shape, 1, layout));
            for (int64_t i = 0; i < input.numel(); ++i) input.data()[i] = float(i % 17) * 0.125f - 1.0f;

            // The rules' choice first (Fused when the chain fuses), then layer by layer and the space.
            std::vector<Candidate> candidates;
            const auto add = [&](const std::string &config, ConvBlockOptions o) {
                try {
                    ConvBlock block(b.make_layers(layout), o);
                    block.prepare(shape);
                    block.forward(input);
                    candidates.push_back({config, std::move(block), {}});
                } catch (const Error &e) {
                    std::fprintf(stderr, "\nconvgen tune --blocks: %s [%s] skipped: %s\n", b.name.c_str(),
                                 config.c_str(), e.what());
                }
            };
            const ChainSpec rules =
                ConvBlock(b.make_layers(layout), b.block_options(BlockFusion::Fused)).spec(shape);
            add(rules.config.text(), b.block_options(BlockFusion::Fused));
            if (candidates.empty()) continue;  // the chain does not fuse: nothing to choose
            add("unfused", b.block_options(BlockFusion::LayerByLayer));
            for (const ChainConfig &c : strip_configs(rules.last().out.h, threads, rules.last().batch)) {
                if (c == rules.config) continue;
                add(c.text(), b.block_options(BlockFusion::Fused).schedule_config(c.text()));
            }

            std::fprintf(stderr, "\r[%zu/%zu] %-24s %dT  timing %zu candidates   ", done,
                         blocks.size() * options.threads.size(), b.name.c_str(), threads, candidates.size());
            std::fflush(stderr);
            for (int round = 0; round < kRounds; ++round) {
                for (Candidate &c : candidates) {
                    c.rounds.push_back(tuning::candidate_median_ms([&] { c.block.forward(input); },
                                                                   std::numeric_limits<double>::infinity(),
                                                                   options.min_seconds / kRounds));
                }
            }
            const std::string problem = rules.problem_key();
            Outcome outcome{&b, threads, median(candidates.front().rounds), 0, {}};
            outcome.best_ms = outcome.rules_ms;
            outcome.best_config = candidates.front().config;
            for (const Candidate &c : candidates) {
                tuning::TuningRecord r = tuning::record_stamped_now();
                r.machine = machine;
                r.threads = threads;
                r.target = target;
                r.spec_key = problem;
                r.family = "chain";
                r.config = c.config;
                r.ms = median(c.rounds);
                r.gflops = rules.flops() / r.ms / 1e6;
                tuning::append_record(options.db, r);
                if (r.ms < outcome.best_ms) {
                    outcome.best_ms = r.ms;
                    outcome.best_config = c.config;
                }
            }
            outcomes.push_back(outcome);
            clear_memory_kernel_cache();
        }
    }
    std::fprintf(stderr, "\n");
    set_disk_cache_enabled(true);
    reload_tuning_database();

    std::printf("%-26s %3s %10s %10s %8s  %s\n", "block", "T", "rules ms", "tuned ms", "speedup", "config");
    std::map<std::pair<std::string, int>, std::pair<double, double>> nets;
    for (const Outcome &o : outcomes) {
        std::printf("%-26s %3d %10.4f %10.4f %7.2fx  %s\n", o.block->name.c_str(), o.threads, o.rules_ms, o.best_ms,
                    o.rules_ms / o.best_ms, o.best_config.c_str());
        auto &[rules, tuned] = nets[{o.block->net, o.threads}];
        rules += double(o.block->count) * o.rules_ms;
        tuned += double(o.block->count) * o.best_ms;
    }
    std::printf("\n%-26s %3s %10s %10s %8s\n", "network", "T", "rules ms", "tuned ms", "speedup");
    for (const auto &[key, ms] : nets) {
        std::printf("%-26s %3d %10.3f %10.3f %7.2fx\n", key.first.c_str(), key.second, ms.first, ms.second,
                    ms.first / ms.second);
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::printf("\n%zu block(s) tuned in %.0f s; records appended to %s\n", outcomes.size(), seconds, options.db.c_str());
}

}  // namespace convgen::cli
