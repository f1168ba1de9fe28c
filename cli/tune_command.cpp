// `convgen tune`: searches each suite layer's schedule space on this machine, at each thread
// count, and appends every measurement to the tuning database that layers (schedule `tuned`,
// the default), `convgen bench --schedules tuned` and `convgen compile --tuning-db` read.
// `--shard I/N` tunes one share of that work (tuning/ray_tune.py runs the shares on a cluster);
// `--merge` folds databases into one.
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <string_view>
#include <thread>

#include <Halide.h>

#include "convgen/cache.h"
#include "convgen/convgen.h"
#include "convgen/suite.h"
#include "convgen/tuning.h"
#include "schedules/registry.h"
#include "subcommand.h"
#include "tune_blocks.h"
#include "tuning/database.h"
#include "tuning/search.h"
#include "tuning/timing.h"

namespace convgen::cli {
namespace {

// Rounds timing the rules' config and the finalists again (tuning::SearchOptions::confirm_rounds).
constexpr int kConfirmRounds = 2;

// A candidate is a layer pinned to one config of the hand schedule, measured exactly as layers
// run: the runtime's JIT, thread pool and scratch memory.
class LayerMeasurer : public tuning::Measurer {
public:
    LayerMeasurer(const SuiteLayer &layer, Conv2dOptions options) : layer_(layer), options_(std::move(options)) {}

    struct Candidate : Prepared {
        Conv2d conv;
        Tensor input, output;
        explicit Candidate(Conv2d c) : conv(std::move(c)) {}
    };

    std::shared_ptr<Prepared> prepare(const ScheduleConfig &config) override {
        auto c = std::make_shared<Candidate>(
            Conv2d(Conv2dOptions(options_).schedule("hand").schedule_config(config.text())));
        const Shape shape = layer_.input_shape();
        const Layout layout = options_.layout();
        c->input = Tensor(shape, layout_strides(shape, 1, layout));
        for (int64_t i = 0; i < c->input.numel(); ++i) c->input.data()[i] = float(i % 17) * 0.125f - 1.0f;
        const Shape out = c->conv.output_shape(shape);
        c->output = Tensor(out, layout_strides(out, 1, layout));
        c->conv.prepare(shape);
        return c;
    }

    double time(Prepared &prepared, double give_up_ms) override {
        auto &c = static_cast<Candidate &>(prepared);
        return tuning::candidate_median_ms([&] { c.conv.forward(c.input, c.output.view()); }, give_up_ms);
    }

private:
    SuiteLayer layer_;
    Conv2dOptions options_;
};

struct Task {
    SuiteLayer layer;
    Conv2dOptions options;  // the layer's, with the layout and algorithm tuned
    int threads;
    OpSpec spec;   // configured by the rules
    size_t index;  // in the whole plan, so a task searches alike in any shard
};

struct Outcome {
    const Task *task;
    double default_ms, tuned_ms;
    std::string config;
};

// `--shard I/N`: the I-th of N shares of the tasks, 0 <= I < N.
struct Shard {
    size_t index = 0, count = 1;
};

Shard parse_shard(const std::string &text) {
    const auto fail = [&](const std::string &why) {
        return ValueError("--shard '" + text + "': " + why + " (expected I/N with 0 <= I < N, e.g. 0/4)");
    };
    const size_t slash = text.find('/');
    if (slash == std::string::npos) throw fail("no '/'");
    const auto number = [&](std::string_view digits) {
        size_t value = 0;
        const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
        if (digits.empty() || error != std::errc() || end != digits.data() + digits.size()) {
            throw fail("'" + std::string(digits) + "' is not a whole number");
        }
        return value;
    };
    const Shard shard{number(std::string_view(text).substr(0, slash)), number(std::string_view(text).substr(slash + 1))};
    if (shard.count == 0) throw fail("N must be at least 1");
    if (shard.index >= shard.count) throw fail("I must be below N");
    return shard;
}

// The layout, and the algorithm where it is not direct: "nhwc", "nhwc winograd".
std::string task_label(const Task &task) {
    std::string label(to_string(task.options.layout()));
    if (task.options.algorithm() != Algorithm::Direct) label += " " + std::string(to_string(task.options.algorithm()));
    return label;
}

std::string format_seconds(double s) {
    char text[32];
    std::snprintf(text, sizeof text, "%d:%02d", int(s) / 60, int(s) % 60);
    return text;
}

class TuneCommand : public Subcommand {
public:
    explicit TuneCommand(CLI::App &app) {
        CLI::App *command = app.add_subcommand("tune", "search schedule configs on this machine into the tuning database");
        command->add_flag("--blocks", blocks_,
                          "tune conv blocks (bench/suites/blocks_public.jsonl): layer by layer or fused, and the "
                          "fused chain's strip config");
        suite_option_ = command->add_option("--suite", suite_, "suite .jsonl file");
        command->add_option("--nets", nets_, "networks to tune (default: all)")->delimiter(',');
        command->add_option("--layers", layer_names_, "layer names to tune (default: all)")->delimiter(',');
        command->add_option("--threads", threads_, "thread counts, e.g. 1,2")->delimiter(',')->check(CLI::PositiveNumber);
        command->add_option("--layouts", layouts_, "nchw and/or nhwc")->delimiter(',')->check(CLI::IsMember({"nchw", "nhwc"}));
        command
            ->add_option("--algorithms", algorithms_,
                         "direct and/or winograd (the 3x3 stride-1 layers Winograd applies to; default: direct)")
            ->delimiter(',')
            ->check(CLI::IsMember({"direct", "winograd"}));
        command->add_option("--budget-s", budget_seconds_, "seconds for the whole run, shared by the layers")
            ->check(CLI::PositiveNumber);
        command->add_option("--trials", trials_, "most configs measured per layer and thread count")
            ->check(CLI::PositiveNumber);
        command->add_option("--db", db_, "tuning database to append to (default: $CONVGEN_TUNING_DB, else the cache directory's)");
        command->add_flag("--resume", resume_, "reuse this machine's earlier measurements in the database");
        command->add_option("--seed", seed_, "search seed");
        command->add_option("--sweep", sweep_,
                            "instead of searching, measure every combination of these knobs (e.g. "
                            "vectors,scalars,unroll), the others as the rules set them")
            ->delimiter(',');
        command->add_option("--shard", shard_text_,
                            "tune only share I of N (I/N, 0 <= I < N): the tasks whose index mod N is I");
        CLI::Option *merge =
            command->add_option("--merge", merge_inputs_,
                                "instead of tuning: merge these databases into --db (keeping its own records), each "
                                "measurement once, its fastest record")
                ->expected(1, -1)
                ->check(CLI::ExistingFile);
        for (const char *tuning_only : {"--suite", "--nets", "--layers", "--threads", "--layouts", "--budget-s",
                                        "--trials", "--resume", "--seed", "--shard"}) {
            merge->excludes(command->get_option(tuning_only));
        }
        CLI::Option *blocks = command->get_option("--blocks");
        for (const char *layers_only : {"--layers", "--layouts", "--budget-s", "--trials", "--resume", "--seed", "--sweep",
                                        "--shard", "--merge"}) {
            blocks->excludes(command->get_option(layers_only));
        }
    }

    void run() override {
        if (db_.empty()) {
            const auto path = tuning::default_database_path();
            if (!path) throw Error("no tuning database: pass --db FILE or set CONVGEN_TUNING_DB");
            db_ = path->string();
        }
        if (!merge_inputs_.empty()) return merge();
        if (blocks_) {
            return tune_blocks({suite_option_->count() ? suite_ : std::string(CONVGEN_SUITE_DIR) + "/blocks_public.jsonl",
                                nets_, threads_, db_});
        }
        const Shard shard = parse_shard(shard_text_);
        const std::vector<Task> all_tasks = plan();
        if (all_tasks.empty()) throw Error("no layer of the requested networks/layers in '" + suite_ + "'");
        std::vector<Task> tasks;
        for (size_t i = shard.index; i < all_tasks.size(); i += shard.count) tasks.push_back(all_tasks[i]);
        if (tasks.empty()) {
            std::printf("shard %s: no task (%zu in all); nothing to tune\n", shard_text_.c_str(), all_tasks.size());
            return;
        }
        const tuning::MachineIdentity machine = tuning::this_machine();
        const std::string target = Halide::get_jit_target_from_environment().to_string();
        const std::vector<tuning::TuningRecord> earlier = resume_ ? earlier_records() : std::vector<tuning::TuningRecord>{};
        // Candidates are throwaway kernels: kept out of the disk cache.
        set_disk_cache_enabled(false);
        const unsigned cores = std::max(1u, std::thread::hardware_concurrency());

        const auto started = std::chrono::steady_clock::now();
        const auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(); };
        std::vector<Outcome> outcomes;
        for (size_t i = 0; i < tasks.size(); ++i) {
            const Task &task = tasks[i];
            set_num_threads(task.threads);
            const schedules::Schedule &hand = schedules::find_schedule("hand");
            const tuning::ScheduleSpace space(task.spec, hand, Halide::get_jit_target_from_environment(), task.threads);
            if (space.empty()) continue;
            tuning::SearchOptions options;
            options.trials = trials_;
            options.seconds = std::max(1.0, (budget_seconds_ - elapsed()) / double(tasks.size() - i));
            options.compile_ahead = unsigned(task.threads) < cores;
            options.confirm_rounds = kConfirmRounds;
            options.seed = seed_ + task.index;
            if (!sweep_.empty()) {
                options.sweep = space.sweep(sweep_);
                options.trials = int(options.sweep.size()) + 1;
                options.seconds = budget_seconds_;
            }
            std::vector<tuning::Trial> measured;
            for (const tuning::TuningRecord &r : earlier) {
                if (r.threads == task.threads && r.target == target && r.spec_key == task.spec.problem_key() &&
                    r.machine.class_key() == machine.class_key()) {
                    measured.push_back({parse_schedule_config(r.config), r.ms, {}});
                }
            }
            LayerMeasurer measurer(task.layer, task.options);
            const double flops = task.spec.flops();
            const auto on_trial = [&](const tuning::Trial &trial, const tuning::SearchResult &so_far) {
                if (std::isfinite(trial.ms)) {
                    tuning::TuningRecord r = tuning::record_stamped_now();
                    r.machine = machine;
                    r.threads = task.threads;
                    r.target = target;
                    r.spec_key = task.spec.problem_key();
                    r.family = std::string(to_string(trial.config.family));
                    r.config = trial.config.text();
                    r.ms = trial.ms;
                    r.confirmed = trial.confirmed;
                    r.gflops = flops / trial.ms / 1e6;
                    tuning::append_record(db_, r);
                }
                // Confirmation rounds re-time the leaders after the planned trials: the task is
                // then as good as done, and the ETA never counts below zero.
                const size_t trials_done = std::min<size_t>(so_far.trials.size(), size_t(options.trials));
                const double done = double(i) + double(trials_done) / double(options.trials);
                const double eta = done > 0 ? std::max(0.0, elapsed() / done * (double(tasks.size()) - done)) : 0;
                std::fprintf(stderr, "\r[%zu/%zu] %-20s %s %dT  trial %3zu/%d  best %.4g ms (%.2fx rules)  ETA %s   ",
                             i + 1, tasks.size(), task.layer.name.c_str(), task_label(task).c_str(),
                             task.threads, trials_done, options.trials,
                             so_far.best.ms, so_far.start.ms / so_far.best.ms,
                             format_seconds(std::min(eta, std::max(0.0, budget_seconds_ - elapsed()))).c_str());
                std::fflush(stderr);
            };
            const tuning::SearchResult result = tuning::search(space, measurer, options, measured, on_trial);
            outcomes.push_back({&task, result.start.ms, result.best.ms, result.best.config.text()});
            clear_memory_kernel_cache();  // the candidates' kernels are not needed again
        }
        std::fprintf(stderr, "\n");
        set_disk_cache_enabled(true);
        reload_tuning_database();
        print_summary(outcomes, elapsed());
    }

private:
    std::vector<Task> plan() const {
        std::vector<Task> tasks;
        std::set<std::tuple<std::string, int>> seen;  // (problem key, threads)
        for (int threads : threads_) {
            for (const std::string &layout_name : layouts_) {
                Layout layout{};
                parse(layout_name, layout);
                for (const std::string &algorithm_name : algorithms_) {
                    Algorithm algorithm{};
                    parse(algorithm_name, algorithm);
                    for (const SuiteLayer &l : read_suite(suite_)) {
                        if (!nets_.empty() && std::find(nets_.begin(), nets_.end(), l.net) == nets_.end()) continue;
                        if (!layer_names_.empty() &&
                            std::find(layer_names_.begin(), layer_names_.end(), l.name) == layer_names_.end()) {
                            continue;
                        }
                        Conv2dOptions options = l.options().layout(layout).algorithm(algorithm);
                        if (algorithm == Algorithm::Winograd && !l.winograd_applies()) continue;
                        const OpSpec spec = Conv2d(Conv2dOptions(options).schedule("hand")).spec(l.input_shape());
                        if (seen.insert({spec.problem_key(), threads}).second) {
                            tasks.push_back({l, options, threads, spec, tasks.size()});
                        }
                    }
                }
            }
        }
        return tasks;
    }

    // The output's own records are kept: merging into a database only ever adds to it.
    void merge() const {
        std::vector<std::filesystem::path> inputs(merge_inputs_.begin(), merge_inputs_.end());
        std::error_code ec;
        const bool output_is_input = std::any_of(inputs.begin(), inputs.end(), [&](const auto &input) {
            return std::filesystem::equivalent(input, db_, ec);
        });
        if (std::filesystem::exists(db_, ec) && !output_is_input) inputs.push_back(db_);
        std::vector<std::string> warnings;
        tuning::merge_databases(inputs, db_, warnings);
        for (const std::string &w : warnings) std::fprintf(stderr, "convgen tune: warning: %s\n", w.c_str());
        std::vector<std::string> ignored;
        std::printf("merged %zu file(s) into %s: %zu records\n", inputs.size(), db_.c_str(),
                    tuning::load_records({db_}, ignored).size());
    }

    std::vector<tuning::TuningRecord> earlier_records() const {
        std::error_code ec;
        if (!std::filesystem::exists(db_, ec)) return {};
        std::vector<std::string> warnings;
        std::vector<tuning::TuningRecord> records = tuning::load_records({db_}, warnings);
        for (const std::string &w : warnings) std::fprintf(stderr, "convgen tune: warning: %s\n", w.c_str());
        return records;
    }

    // Per layer, then per network (layers weighted by how often they occur): rules against tuned.
    void print_summary(const std::vector<Outcome> &outcomes, double seconds) const {
        std::printf("%-22s %-6s %3s %10s %10s %8s  %s\n", "layer", "layout", "T", "rules ms", "tuned ms", "speedup",
                    "config");
        std::map<std::tuple<std::string, std::string, int>, std::pair<double, double>> nets;
        for (const Outcome &o : outcomes) {
            const Task &t = *o.task;
            std::printf("%-22s %-6s %3d %10.4f %10.4f %7.2fx  %s\n", t.layer.name.c_str(), task_label(t).c_str(),
                        t.threads, o.default_ms, o.tuned_ms,
                        o.default_ms / o.tuned_ms, o.config.c_str());
            auto &[rules, tuned] = nets[{t.layer.net, task_label(t), t.threads}];
            rules += double(t.layer.count) * o.default_ms;
            tuned += double(t.layer.count) * o.tuned_ms;
        }
        std::printf("\n%-22s %-6s %3s %10s %10s %8s\n", "network", "layout", "T", "rules ms", "tuned ms", "speedup");
        for (const auto &[key, ms] : nets) {
            std::printf("%-22s %-6s %3d %10.3f %10.3f %7.2fx\n", std::get<0>(key).c_str(), std::get<1>(key).c_str(),
                        std::get<2>(key), ms.first, ms.second, ms.first / ms.second);
        }
        std::printf("\n%zu problem(s) tuned in %s; records appended to %s\n", outcomes.size(),
                    format_seconds(seconds).c_str(), db_.c_str());
    }

    bool blocks_ = false;
    CLI::Option *suite_option_ = nullptr;
    std::string suite_ = std::string(CONVGEN_SUITE_DIR) + "/conv2d_public.jsonl";
    std::vector<std::string> nets_, layer_names_;
    std::vector<int> threads_{1};
    std::vector<std::string> layouts_{"nchw"};
    std::vector<std::string> algorithms_{"direct"};
    double budget_seconds_ = 600;
    int trials_ = 32;
    std::string db_;
    bool resume_ = false;
    uint64_t seed_ = 1;
    std::vector<std::string> sweep_;
    std::string shard_text_ = "0/1";
    std::vector<std::string> merge_inputs_;
};

}  // namespace

std::unique_ptr<Subcommand> add_tune_command(CLI::App &app) { return std::make_unique<TuneCommand>(app); }

}  // namespace convgen::cli
