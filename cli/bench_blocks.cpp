#include "bench_blocks.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>

#include <nlohmann/json.hpp>

#include "convgen/block_suite.h"
#include "support/block_runners.h"
#include "support/measure.h"

namespace convgen::cli {
namespace {

struct Measurement {
    std::string net, block, schedule;
    int threads = 1;
    int64_t count = 1;
    double ms = 0, gflops = 0, peak_percent = 0;
    std::string plan;
};

struct Failure {
    std::string net, block, schedule;
    int threads = 1;
    std::string error;
};

// Per (network, variant, threads): the sum of count x ms over the network's blocks. The row
// "at_peak" is the time the blocks' multiply-adds take at the measured FMA peak: no kernel runs
// faster, so onednn / at_peak bounds what any schedule can gain over oneDNN on this machine.
struct Total {
    std::string net, schedule;
    int threads = 1;
    double ms = 0;
    size_t blocks = 0, blocks_in_net = 0;  // summed, and in the run: fewer when a variant failed on one
};

// oneDNN's raw rows (direct convs; with its depthwise post-op; with Winograd where it has it),
// and the fastest of them per block.
constexpr const char *kOnednnLayers = "onednn_layers", *kOnednnDepthwise = "onednn_dw",
                     *kOnednnWinograd = "onednn_winograd", *kOnednn = "onednn";
// convgen's block as it chooses, its layers on algorithm auto (Winograd where it is faster here).
constexpr const char *kAutoWinograd = "auto_winograd";
// convgen's fastest variant per block.
constexpr const char *kBest = "best";
constexpr const char *kAtPeak = "at_peak";
const std::vector<std::string> kOnednnRows{kOnednnLayers, kOnednnDepthwise, kOnednnWinograd};

class BlockBench {
public:
    explicit BlockBench(const BlockBenchOptions &options) : options_(options) {
        for (const std::string &v : options.variants) {
            const auto &known = block_bench_variants();
            if (std::find(known.begin(), known.end(), v) == known.end()) {
                std::string names;
                for (const std::string &k : known) names += (names.empty() ? "" : ", ") + k;
                throw Error("unknown block variant '" + v + "' for --blocks, expected one of {" + names + "}");
            }
        }
        variants_ = options.variants.empty() ? block_bench_variants() : options.variants;
        convgen_variants_ = variants_;
        variants_.insert(variants_.end(), kOnednnRows.begin(), kOnednnRows.end());
        for (SuiteBlock &b : read_block_suite(options.suite)) {
            if (options.nets.empty() || std::find(options.nets.begin(), options.nets.end(), b.net) != options.nets.end()) {
                blocks_.push_back(std::move(b));
            }
        }
        if (blocks_.empty()) throw Error("no block of the requested networks in '" + options.suite + "'");
    }

    void run() {
        measure_all();
        add_best(kBest, convgen_variants_);
        add_best(kOnednn, kOnednnRows);
        add_peak_figures();
        if (options_.format == "json") {
            std::printf("%s\n", report().dump(2).c_str());
        } else if (options_.format == "csv") {
            print_csv();
        } else {
            print_table();
        }
    }

private:
    // Every variant of a block is set up first, then timed in interleaved rounds
    // (bench::interleaved_median_ms).
    void measure_all() {
        const std::vector<int> thread_counts = sorted_threads();
        const size_t total = thread_counts.size() * blocks_.size();
        size_t done = 0;
        // Thread counts outermost, so every measurement at one count is taken before the next.
        for (int t : thread_counts) {
            for (const SuiteBlock &b : blocks_) {
                std::fprintf(stderr, "\r[%zu/%zu] %-22s %d thread(s)   ", ++done, total, b.name.c_str(), t);
                std::fflush(stderr);
                measure_block(b, t);
            }
        }
        std::fprintf(stderr, "\n");
    }

    void measure_block(const SuiteBlock &b, int threads) {
        fma_peak_.sample(threads);
        if (!flops_.count(b.name)) {
            try {
                flops_[b.name] = b.make_block(Layout::NHWC, BlockFusion::LayerByLayer).spec(b.input_shape()).flops();
            } catch (const std::exception &e) {
                fail(b, kAtPeak, threads, e.what());
            }
        }
        struct Timed {
            std::string variant;
            std::unique_ptr<bench::Runner> runner;
        };
        std::vector<Timed> timed;
        std::vector<std::string> same_as_layers;  // oneDNN rows whose choice applies nowhere in the block
        for (const std::string &variant : variants_) {
            try {  // one failing variant leaves the rest standing
                BlockFusion fusion{};
                if (variant == kAutoWinograd) {
                    timed.push_back({variant, bench::make_convgen_block_runner(b, BlockFusion::Auto, Algorithm::Auto,
                                                                               threads)});
                    continue;
                }
                if (parse(variant, fusion)) {
                    timed.push_back(
                        {variant, bench::make_convgen_block_runner(b, fusion, Algorithm::Direct, threads)});
                    continue;
                }
                const bench::OnednnBlockChoices choices{variant == kOnednnDepthwise, variant == kOnednnWinograd};
                auto onednn = bench::make_onednn_block_runner(b, choices, threads);
                // Where the choice applies nowhere, the primitives are onednn_layers': timing them
                // again would only let "onednn" take the best of several samples of one thing.
                if ((choices.depthwise_post_op && onednn->depthwise_post_ops() == 0) ||
                    (choices.winograd && onednn->winograd_convs() == 0)) {
                    same_as_layers.push_back(variant);
                    continue;
                }
                timed.push_back({variant, std::move(onednn)});
            } catch (const std::exception &e) {
                fail(b, variant, threads, e.what());
            }
        }
        std::vector<std::function<void()>> runs;
        for (Timed &t : timed) runs.push_back([&t] { t.runner->run(); });
        const std::vector<double> medians = bench::interleaved_median_ms(
            runs, options_.min_seconds, [&](size_t i, const std::string &error) { fail(b, timed[i].variant, threads, error); });
        for (size_t i = 0; i < timed.size(); ++i) {
            Timed &t = timed[i];
            if (std::isnan(medians[i])) continue;
            measurements_.push_back({b.net, b.name, t.variant, threads, b.count, medians[i], 0, 0, t.runner->plan()});
            if (t.variant != kOnednnLayers) continue;
            const Measurement layers = measurements_.back();
            for (const std::string &same : same_as_layers) {
                measurements_.push_back(layers);
                measurements_.back().schedule = same;
                measurements_.back().plan += " (onednn_layers' time)";
            }
        }
    }

    void fail(const SuiteBlock &b, const std::string &variant, int threads, const std::string &error) {
        std::fprintf(stderr, "\nconvgen bench --blocks: %s on %s at %d thread(s) failed: %s\n", variant.c_str(),
                     b.name.c_str(), threads, error.c_str());
        failures_.push_back({b.net, b.name, variant, threads, error});
    }

    const Measurement *find(const std::string &block, const std::string &schedule, int threads) const {
        for (const Measurement &m : measurements_) {
            if (m.block == block && m.schedule == schedule && m.threads == threads) return &m;
        }
        return nullptr;
    }

    // Per block, the fastest of `rows` measured, as row `name` whose plan names the row it came
    // from: "onednn" is what a framework would pick of oneDNN's; "best" is convgen's.
    void add_best(const std::string &name, const std::vector<std::string> &rows) {
        std::map<std::pair<std::string, int>, Measurement> best;  // (block, threads)
        for (const Measurement &m : measurements_) {
            if (std::find(rows.begin(), rows.end(), m.schedule) == rows.end()) continue;
            auto [it, inserted] = best.try_emplace({m.block, m.threads}, m);
            if (inserted || m.ms < it->second.ms) it->second = m;
        }
        for (auto &[key, m] : best) {
            m.plan = m.schedule;
            m.schedule = name;
            measurements_.push_back(m);
        }
    }

    // GFLOP/s and share of the run's FMA peak for every measurement, and the at_peak rows.
    void add_peak_figures() {
        for (Measurement &m : measurements_) {
            if (!flops_.count(m.block)) continue;
            m.gflops = flops_.at(m.block) / m.ms / 1e6;
            m.peak_percent = 100.0 * m.gflops / fma_peak_.gflops(m.threads);
        }
        for (int t : sorted_threads()) {
            for (const SuiteBlock &b : blocks_) {
                if (!flops_.count(b.name)) continue;
                const double peak = fma_peak_.gflops(t);
                const double ms = flops_.at(b.name) / peak / 1e6;
                measurements_.push_back({b.net, b.name, kAtPeak, t, b.count, ms, peak, 100.0, ""});
            }
        }
    }

    std::vector<std::string> columns() const {
        std::vector<std::string> c = variants_;
        c.insert(c.end(), {kBest, kOnednn, kAtPeak});
        return c;
    }

    std::vector<Total> totals() const {
        std::map<std::tuple<std::string, int, std::string>, Total> by_key;  // (net, threads, schedule)
        std::map<std::string, size_t> blocks_in_net;
        for (const SuiteBlock &b : blocks_) ++blocks_in_net[b.net];
        for (const auto &[net, n] : blocks_in_net) {
            for (int t : sorted_threads()) {
                for (const std::string &s : columns()) by_key[{net, t, s}] = {net, s, t, 0.0, 0, n};
            }
        }
        for (const Measurement &m : measurements_) {
            Total &total = by_key[{m.net, m.threads, m.schedule}];
            total.ms += double(m.count) * m.ms;
            ++total.blocks;
        }
        std::vector<Total> out;
        for (const auto &[key, total] : by_key) out.push_back(total);
        return out;
    }

    static std::string cell(const Measurement *m) {
        char text[32];
        if (!m) return "failed";
        std::snprintf(text, sizeof text, "%.3f", m->ms);
        return text;
    }

    static std::string ratio(const Measurement *numerator, const Measurement *denominator) {
        char text[32];
        if (!numerator || !denominator) return "-";
        std::snprintf(text, sizeof text, "%.2f", numerator->ms / denominator->ms);
        return text;
    }

    void print_table() const {
        const std::vector<std::string> cols = columns();
        const auto header = [&](const char *first) {
            std::printf("%-22s %3s", first, "thr");
            for (const std::string &c : cols) std::printf(" %13s", c.c_str());
            std::printf(" %15s %15s %15s %15s\n", "fused x onednn", "fused x layers", "best x onednn", "peak x onednn");
        };
        for (const auto &[t, g] : fma_peak_.by_threads()) {
            std::printf("FMA peak, %d thread(s): %.1f GFLOP/s (measured; the fastest sample of the run)\n", t, g);
        }
        std::printf("Per block: median ms per call; at_peak: the block's multiply-adds at the FMA peak (no kernel is\n"
                    "faster). x columns: the other's time over fused's (>1: fused faster); best: convgen's fastest\n"
                    "variant, onednn: oneDNN's fastest row; peak x onednn: oneDNN's time over at_peak, the most a\n"
                    "direct conv could gain over oneDNN on this machine (Winograd does fewer multiply-adds)\n");
        header("block");
        for (int t : sorted_threads()) {
            for (const SuiteBlock &b : blocks_) {
                std::printf("%-22s %3d", b.name.c_str(), t);
                for (const std::string &c : cols) std::printf(" %13s", cell(find(b.name, c, t)).c_str());
                const Measurement *fused = find(b.name, "fused", t);
                std::printf(" %15s %15s %15s %15s\n", ratio(find(b.name, kOnednn, t), fused).c_str(),
                            ratio(find(b.name, "layers", t), fused).c_str(),
                            ratio(find(b.name, kOnednn, t), find(b.name, kBest, t)).c_str(),
                            ratio(find(b.name, kOnednn, t), find(b.name, kAtPeak, t)).c_str());
            }
        }
        std::printf("\nHow each ran\n");
        for (const Measurement &m : measurements_) {
            if (!m.plan.empty()) {
                std::printf("%-22s %3d %-14s %s\n", m.block.c_str(), m.threads, m.schedule.c_str(), m.plan.c_str());
            }
        }
        std::printf("\nPer network: sum over blocks of count x ms\n");
        header("network");
        const std::vector<Total> sums = totals();
        std::map<std::pair<std::string, int>, std::map<std::string, const Total *>> by_net;
        for (const Total &s : sums) by_net[{s.net, s.threads}][s.schedule] = &s;
        for (const auto &[key, cells] : by_net) {
            std::printf("%-22s %3d", key.first.c_str(), key.second);
            for (const std::string &c : cols) std::printf(" %13s", total_cell(*cells.at(c)).c_str());
            const std::map<std::string, const Total *> &row = cells;  // lambdas cannot capture bindings
            const auto total_ratio = [&](const char *numerator, const char *denominator) {
                char text[32];
                const auto n = row.find(numerator), d = row.find(denominator);  // absent: not in --schedules
                if (n == row.end() || d == row.end() || !complete(*n->second) || !complete(*d->second)) {
                    return std::string("-");
                }
                std::snprintf(text, sizeof text, "%.2f", n->second->ms / d->second->ms);
                return std::string(text);
            };
            std::printf(" %15s %15s %15s %15s\n", total_ratio(kOnednn, "fused").c_str(),
                        total_ratio("layers", "fused").c_str(), total_ratio(kOnednn, kBest).c_str(),
                        total_ratio(kOnednn, kAtPeak).c_str());
        }
        print_failures();
    }

    static bool complete(const Total &t) { return t.blocks == t.blocks_in_net && t.blocks > 0; }

    static std::string total_cell(const Total &t) {
        char text[48];
        if (complete(t)) {
            std::snprintf(text, sizeof text, "%.3f", t.ms);
        } else {
            std::snprintf(text, sizeof text, "(%zu/%zu blocks)", t.blocks, t.blocks_in_net);
        }
        return text;
    }

    void print_failures() const {
        if (failures_.empty()) return;
        std::printf("\nFailed\n");
        for (const Failure &f : failures_) {
            std::printf("%-22s %3d %-14s %s\n", f.block.c_str(), f.threads, f.schedule.c_str(), f.error.c_str());
        }
    }

    nlohmann::ordered_json report() const {
        nlohmann::ordered_json json;
        for (const auto &[t, g] : fma_peak_.by_threads()) json["fma_peak_gflops"][std::to_string(t)] = g;
        json["records"] = nlohmann::ordered_json::array();
        for (const Measurement &m : measurements_) {
            json["records"].push_back({{"net", m.net}, {"block", m.block}, {"schedule", m.schedule},
                                       {"threads", m.threads}, {"count", m.count}, {"ms", m.ms}, {"gflops", m.gflops},
                                       {"peak_percent", m.peak_percent}, {"plan", m.plan}});
        }
        json["totals"] = nlohmann::ordered_json::array();
        for (const Total &t : totals()) {
            json["totals"].push_back({{"net", t.net}, {"schedule", t.schedule}, {"threads", t.threads},
                                      {"ms", t.ms}, {"blocks", t.blocks}, {"blocks_in_net", t.blocks_in_net}});
        }
        json["failures"] = nlohmann::ordered_json::array();
        for (const Failure &f : failures_) {
            json["failures"].push_back({{"net", f.net}, {"block", f.block}, {"schedule", f.schedule},
                                        {"threads", f.threads}, {"error", f.error}});
        }
        return json;
    }

    void print_csv() const {
        std::printf("net,block,schedule,threads,count,ms,gflops,peak_percent,plan\n");
        for (const Measurement &m : measurements_) {
            std::printf("%s,%s,%s,%d,%lld,%.6f,%.3f,%.2f,\"%s\"\n", m.net.c_str(), m.block.c_str(), m.schedule.c_str(),
                        m.threads, (long long)m.count, m.ms, m.gflops, m.peak_percent, m.plan.c_str());
        }
        for (const Failure &f : failures_) {
            std::fprintf(stderr, "%s on %s at %d thread(s) failed: %s\n", f.schedule.c_str(), f.block.c_str(),
                         f.threads, f.error.c_str());
        }
    }

    std::vector<int> sorted_threads() const {
        std::vector<int> t = options_.threads;
        std::sort(t.begin(), t.end());
        return t;
    }

    BlockBenchOptions options_;
    bench::FmaPeak fma_peak_;
    std::map<std::string, double> flops_;  // per block: 2 x the multiply-adds of its convs
    std::vector<std::string> variants_;          // convgen's requested, then oneDNN's rows
    std::vector<std::string> convgen_variants_;  // convgen's requested
    std::vector<SuiteBlock> blocks_;
    std::vector<Measurement> measurements_;
    std::vector<Failure> failures_;
};

}  // namespace

const std::vector<std::string> &block_bench_variants() {
    static const std::vector<std::string> variants = [] {
        std::vector<std::string> names;
        for (BlockFusion f : {BlockFusion::Fused, BlockFusion::LayerByLayer, BlockFusion::Auto}) {
            names.emplace_back(to_string(f));
        }
        names.emplace_back(kAutoWinograd);
        return names;
    }();
    return variants;
}

void run_block_bench(const BlockBenchOptions &options) { BlockBench(options).run(); }

}  // namespace convgen::cli
