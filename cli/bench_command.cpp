// `convgen bench`: every suite layer under each variant (convgen schedules, oneDNN in its best
// layout and with NCHW in/out) and thread count, measured side by side in one process; a table per
// layer, per-network totals and geomean ratios to oneDNN, as a table, JSON or CSV, and a chart.
// `convgen bench --blocks` times conv blocks instead (bench_blocks.h).
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <set>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "bench_blocks.h"
#include "convgen/convgen.h"
#include "convgen/suite.h"
#include "subcommand.h"
#include "support/measure.h"
#include "support/runners.h"

namespace convgen::cli {
namespace {

struct Record {
    std::string net, layer, schedule;
    int threads = 1;
    int64_t count = 1;
    double ms = 0, gflops = 0, peak_percent = 0;
};

// Totals per (network, schedule, threads): sum of count x ms, and the geomean speedup over oneDNN.
struct Total {
    std::string net, schedule;
    int threads = 1;
    double ms = 0;
    double geomean_vs_onednn = 0, geomean_vs_onednn_nchw = 0;
};

class BenchCommand : public Subcommand {
public:
    explicit BenchCommand(CLI::App &app) {
        CLI::App *command = app.add_subcommand("bench", "benchmark schedules against each other and oneDNN");
        command->add_flag("--blocks", blocks_,
                          "benchmark conv blocks (bench/suites/blocks_public.jsonl): convgen fused, layer by layer "
                          "and auto against oneDNN layer by layer with post-ops");
        suite_option_ = command->add_option("--suite", suite_, "suite .jsonl file");
        command->add_option("--nets", nets_, "networks to run (default: all)")->delimiter(',');
        command->add_option("--threads", threads_, "thread counts, e.g. 1,2")->delimiter(',')->check(CLI::PositiveNumber);
        schedules_option_ =
            command->add_option("--schedules", schedules_,
                                "variants to run (oneDNN rows are always added); with --blocks: fused, layers, auto, auto_winograd")
                ->delimiter(',');
        command->add_option("--format", format_, "table, json or csv")->check(CLI::IsMember({"table", "json", "csv"}));
        command->add_option("--plot", plot_, "write a PNG chart of schedules against oneDNN per network");
        command->add_option("--min-time", min_seconds_, "seconds of timed runs per measurement")->check(CLI::PositiveNumber);
    }

    void run() override {
        if (blocks_) {
            if (!plot_.empty()) throw Error("--plot does not apply to --blocks");
            run_block_bench({suite_option_->count() ? suite_ : std::string(CONVGEN_SUITE_DIR) + "/blocks_public.jsonl",
                             nets_, threads_, schedules_option_->count() ? schedules_ : std::vector<std::string>{},
                             format_, min_seconds_});
            return;
        }
        std::vector<std::string> variants = schedules_;
        for (const char *baseline : {"onednn", "onednn_nchw"}) {
            if (std::find(variants.begin(), variants.end(), baseline) == variants.end()) variants.push_back(baseline);
        }
        for (const std::string &v : variants) bench::find_variant(v);  // unknown names fail before any work
        if (!plot_.empty() && std::filesystem::path(plot_).extension() != ".png") {
            throw Error("--plot expects a .png file name, got '" + plot_ + "'");
        }
        std::vector<SuiteLayer> layers;
        for (SuiteLayer &l : read_suite(suite_)) {
            if (nets_.empty() || std::find(nets_.begin(), nets_.end(), l.net) != nets_.end()) layers.push_back(l);
        }
        if (layers.empty()) throw Error("no layer of the requested networks in '" + suite_ + "'");

        bench::FmaPeak fma_peak;
        const size_t total = layers.size() * variants.size() * threads_.size();
        size_t done = 0;
        std::vector<Record> records;
        // Thread counts outermost, so every measurement at one count is taken before the next.
        std::vector<int> thread_counts = threads_;
        std::sort(thread_counts.begin(), thread_counts.end());
        for (int t : thread_counts) {
            for (const SuiteLayer &l : layers) {
                fma_peak.sample(t);
                const double flops = Conv2d(l.options()).spec(l.input_shape()).flops();
                done += variants.size();
                std::fprintf(stderr, "\r[%zu/%zu] %-22s %d thread(s)   ", done, total, l.name.c_str(), t);
                std::fflush(stderr);
                // Every variant of the layer is set up, then all are timed side by side in
                // interleaved rounds; one failing variant leaves the rest of the run standing.
                std::vector<std::string> names;
                std::vector<std::unique_ptr<bench::Runner>> runners;
                const auto skip = [&](const std::string &name, const std::string &error) {
                    std::fprintf(stderr, "\nconvgen bench: %s on %s skipped: %s\n", name.c_str(), l.name.c_str(),
                                 error.c_str());
                    failures_.push_back(name + " on " + l.name);
                };
                for (const std::string &name : variants) {
                    try {
                        runners.push_back(bench::make_runner(bench::find_variant(name), l, t));
                        names.push_back(name);
                    } catch (const Error &e) {
                        skip(name, e.what());
                    }
                }
                std::vector<std::function<void()>> runs;
                for (const auto &runner : runners) runs.push_back([&runner] { runner->run(); });
                const std::vector<double> medians = bench::interleaved_median_ms(
                    runs, min_seconds_, [&](size_t i, const std::string &error) { skip(names[i], error); });
                for (size_t i = 0; i < names.size(); ++i) {
                    if (std::isnan(medians[i])) continue;
                    records.push_back({l.net, l.name, names[i], t, l.count, medians[i], flops / medians[i] / 1e6});
                }
            }
        }
        for (Record &r : records) r.peak_percent = 100.0 * r.gflops / fma_peak.gflops(r.threads);
        const std::map<int, double> &peak = fma_peak.by_threads();
        std::fprintf(stderr, "\n");
        const std::vector<Total> totals = summarize(records);
        if (format_ == "json") {
            std::printf("%s\n", report(records, totals, peak).dump(2).c_str());
        } else if (format_ == "csv") {
            print_csv(records);
        } else {
            print_table(records, totals, peak);
        }
        if (!plot_.empty()) write_plot(records, totals, peak);
        if (!failures_.empty()) {
            throw KernelError(std::to_string(failures_.size()) + " measurement(s) failed, first: " + failures_.front());
        }
    }

private:
    // Adds, per network and thread count, the "best" rows: the fastest convgen variant per layer in
    // any layout ("best"), and with NCHW in/out ("best_nchw"); and, where oneDNN's Winograd was
    // run, "onednn_best": its fastest of direct (either layout) and Winograd per layer.
    static std::vector<Total> summarize(std::vector<Record> &records) {
        std::map<std::tuple<std::string, int>, std::vector<Record>> by_layer;
        for (const Record &r : records) by_layer[{r.layer, r.threads}].push_back(r);
        for (auto &[key, rows] : by_layer) {
            Record best{}, best_nchw{}, onednn_best{};
            bool onednn_winograd = false;
            for (const Record &r : rows) {
                if (r.schedule.starts_with("onednn")) {
                    onednn_winograd = onednn_winograd || r.schedule == "onednn_winograd";
                    if (onednn_best.ms == 0 || r.ms < onednn_best.ms) onednn_best = r;
                }
                if (r.schedule.starts_with("onednn") || r.schedule == "reference") continue;
                const bool nchw = bench::find_variant(r.schedule).layout == Layout::NCHW;
                if (best.ms == 0 || r.ms < best.ms) best = r;
                if (nchw && (best_nchw.ms == 0 || r.ms < best_nchw.ms)) best_nchw = r;
            }
            if (best.ms > 0) {
                best.schedule = "best";
                records.push_back(best);
            }
            if (best_nchw.ms > 0) {
                best_nchw.schedule = "best_nchw";
                records.push_back(best_nchw);
            }
            if (onednn_winograd) {
                onednn_best.schedule = "onednn_best";
                records.push_back(onednn_best);
            }
        }
        std::map<std::tuple<std::string, int, std::string>, double> onednn_ms;  // (layer, threads, which)
        for (const Record &r : records) {
            if (r.schedule.starts_with("onednn")) onednn_ms[{r.layer, r.threads, r.schedule}] = r.ms;
        }
        std::map<std::tuple<std::string, std::string, int>, Total> totals;
        std::map<std::tuple<std::string, std::string, int>, std::pair<double, int>> log_ratios, log_ratios_nchw;
        for (const Record &r : records) {
            Total &t = totals[{r.net, r.schedule, r.threads}];
            t.net = r.net;
            t.schedule = r.schedule;
            t.threads = r.threads;
            t.ms += double(r.count) * r.ms;
            auto &lr = log_ratios[{r.net, r.schedule, r.threads}];
            lr.first += std::log(onednn_ms[{r.layer, r.threads, "onednn"}] / r.ms);
            lr.second++;
            auto &ln = log_ratios_nchw[{r.net, r.schedule, r.threads}];
            ln.first += std::log(onednn_ms[{r.layer, r.threads, "onednn_nchw"}] / r.ms);
            ln.second++;
        }
        std::vector<Total> out;
        for (auto &[key, t] : totals) {
            t.geomean_vs_onednn = std::exp(log_ratios[key].first / log_ratios[key].second);
            t.geomean_vs_onednn_nchw = std::exp(log_ratios_nchw[key].first / log_ratios_nchw[key].second);
            out.push_back(t);
        }
        return out;
    }

    static double find_ms(const std::vector<Record> &records, const Record &like, const std::string &schedule) {
        for (const Record &r : records) {
            if (r.layer == like.layer && r.threads == like.threads && r.schedule == schedule) return r.ms;
        }
        return NAN;
    }

    void print_table(const std::vector<Record> &records, const std::vector<Total> &totals,
                     const std::map<int, double> &peak) const {
        for (const auto &[t, g] : peak) {
            std::printf("FMA peak, %d thread(s): %.1f GFLOP/s (measured; the fastest sample of the run)\n", t, g);
        }
        std::printf("\n%-22s %-20s %3s %10s %9s %7s %9s %11s\n", "layer", "schedule", "thr", "ms", "GFLOP/s", "%peak",
                    "x onednn", "x onednn_nchw");
        for (const Record &r : records) {
            std::printf("%-22s %-20s %3d %10.3f %9.1f %7.1f %9.2f %11.2f\n", r.layer.c_str(), r.schedule.c_str(),
                        r.threads, r.ms, r.gflops, r.peak_percent, find_ms(records, r, "onednn") / r.ms,
                        find_ms(records, r, "onednn_nchw") / r.ms);
        }
        std::printf("\nPer network: sum of count x time; geomean of per-layer speedups (>1: faster than oneDNN)\n");
        std::printf("%-18s %-20s %3s %10s %10s %14s\n", "network", "schedule", "thr", "total ms", "x onednn",
                    "x onednn_nchw");
        for (const Total &t : totals) {
            std::printf("%-18s %-20s %3d %10.2f %10.2f %14.2f\n", t.net.c_str(), t.schedule.c_str(), t.threads, t.ms,
                        t.geomean_vs_onednn, t.geomean_vs_onednn_nchw);
        }
    }

    static nlohmann::ordered_json report(const std::vector<Record> &records, const std::vector<Total> &totals,
                                         const std::map<int, double> &peak) {
        nlohmann::ordered_json json;
        for (const auto &[t, g] : peak) json["fma_peak_gflops"][std::to_string(t)] = g;
        json["records"] = nlohmann::ordered_json::array();
        for (const Record &r : records) {
            json["records"].push_back({{"net", r.net}, {"layer", r.layer}, {"schedule", r.schedule},
                                       {"threads", r.threads}, {"count", r.count}, {"ms", r.ms},
                                       {"gflops", r.gflops}, {"peak_percent", r.peak_percent}});
        }
        json["totals"] = nlohmann::ordered_json::array();
        for (const Total &t : totals) {
            json["totals"].push_back({{"net", t.net}, {"schedule", t.schedule}, {"threads", t.threads}, {"ms", t.ms},
                                      {"geomean_vs_onednn", t.geomean_vs_onednn},
                                      {"geomean_vs_onednn_nchw", t.geomean_vs_onednn_nchw}});
        }
        return json;
    }

    static void print_csv(const std::vector<Record> &records) {
        std::printf("net,layer,schedule,threads,count,ms,gflops,peak_percent\n");
        for (const Record &r : records) {
            std::printf("%s,%s,%s,%d,%lld,%.6f,%.3f,%.2f\n", r.net.c_str(), r.layer.c_str(), r.schedule.c_str(),
                        r.threads, (long long)r.count, r.ms, r.gflops, r.peak_percent);
        }
    }

    // The chart is drawn by matplotlib (bench/plot.py) from the JSON report.
    void write_plot(const std::vector<Record> &records, const std::vector<Total> &totals,
                    const std::map<int, double> &peak) const {
        const std::filesystem::path json = std::filesystem::temp_directory_path() /
                                           ("convgen-bench-" + std::to_string(::getpid()) + ".json");
        std::ofstream file(json);
        file << report(records, totals, peak).dump(2) << "\n";
        file.close();
        if (!file) throw Error("cannot write " + json.string());
        const std::string command = std::string(CONVGEN_PLOT_PYTHON) + " '" + CONVGEN_BENCH_DIR + "/plot.py' '" +
                                    json.string() + "' '" + plot_ + "'";
        const int status = std::system(command.c_str());
        std::filesystem::remove(json);
        if (status != 0) throw Error("plotting failed (" + command + ")");
    }

    bool blocks_ = false;
    CLI::Option *suite_option_ = nullptr, *schedules_option_ = nullptr;
    std::string suite_ = std::string(CONVGEN_SUITE_DIR) + "/conv2d_public.jsonl";
    std::vector<std::string> nets_;
    std::vector<int> threads_{1, 2};
    std::vector<std::string> schedules_{"portable", "hand", "hand_nhwc", "unfold_matmul_fold",
                                        "adams2019", "li2018", "mullapudi2016"};
    std::string format_ = "table";
    std::string plot_;
    double min_seconds_ = 0.2;
    std::vector<std::string> failures_;
};

}  // namespace

std::unique_ptr<Subcommand> add_bench_command(CLI::App &app) { return std::make_unique<BenchCommand>(app); }

}  // namespace convgen::cli
