#include "tuned_configs.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <tuple>
#include <vector>

#include "convgen/errors.h"
#include "convgen/threads.h"
#include "convgen/tuning.h"
#include "tuning/database.h"
#include "tuning/machine.h"

namespace convgen::detail {
namespace {

class TunedConfigs {
public:
    // The best record's config parsed by `parse` (ValueError: warned about, no config).
    template <typename Config>
    std::optional<Config> lookup(const std::string &problem, const Halide::Target &target,
                                 Config (*parse)(std::string_view)) {
        std::lock_guard lock(mutex_);
        const std::optional<Best> &best = find(problem, target);
        if (!best) return std::nullopt;
        try {
            return parse(best->config);
        } catch (const ValueError &e) {
            warn_once(problem, e.what());
            return std::nullopt;
        }
    }

    std::optional<double> milliseconds(const std::string &problem, const Halide::Target &target) {
        std::lock_guard lock(mutex_);
        const std::optional<Best> &best = find(problem, target);
        return best ? std::optional<double>(best->ms) : std::nullopt;
    }

    void reload(std::optional<std::string> path = std::nullopt, std::optional<bool> other_machines = std::nullopt) {
        std::lock_guard lock(mutex_);
        ++generation_;
        if (path) chosen_path_ = path;
        if (other_machines) chosen_other_machines_ = other_machines;
        loaded_ = false;
        found_.clear();
    }

    void warn_once(const std::string &problem, const std::string &why) {
        if (!warned_.insert(problem).second) return;
        std::fprintf(stderr, "convgen: warning: not using the tuned config for %s: %s\n", problem.c_str(), why.c_str());
    }

    std::mutex mutex_;
    std::atomic<uint64_t> generation_{0};

private:
    using Key = std::tuple<std::string, int, std::string>;  // problem, threads, target
    struct Best {
        std::string config;
        double ms;
    };

    // The best record for the problem at the current thread count (or the nearest measured).
    const std::optional<Best> &find(const std::string &problem, const Halide::Target &target) {
        if (!loaded_) load();
        const Key key{problem, num_threads(), target.to_string()};
        auto it = found_.find(key);
        if (it == found_.end()) {
            std::optional<Best> best;
            if (auto record = nearest_threads_best(std::get<0>(key), std::get<1>(key), std::get<2>(key))) {
                best = Best{record->config, record->ms};
            }
            it = found_.emplace(key, best).first;
        }
        return it->second;
    }

    // A missing database is the normal untuned case; an unreadable one is warned about.
    void load() {
        loaded_ = true;
        records_.clear();
        machine_class_ = tuning::this_machine().class_key();
        const char *other = std::getenv("CONVGEN_TUNING_OTHER_MACHINES");
        other_machines_ = chosen_other_machines_.value_or(other && std::string(other) == "1");
        const std::optional<std::filesystem::path> path =
            chosen_path_ ? std::optional<std::filesystem::path>(*chosen_path_) : tuning::default_database_path();
        std::error_code ec;
        if (!path || !std::filesystem::exists(*path, ec)) return;
        std::vector<std::string> warnings;
        try {
            records_ = tuning::load_records({*path}, warnings);
        } catch (const Error &e) {
            warnings.push_back(e.what());
        }
        for (const std::string &w : warnings) std::fprintf(stderr, "convgen: warning: %s\n", w.c_str());
    }

    // The best record at `threads`, else at the nearest thread count measured (fewer on a tie):
    // a config tuned at another count still beats rules fitted to another machine.
    std::optional<tuning::TuningRecord> nearest_threads_best(const std::string &problem, int threads,
                                                             const std::string &target) const {
        std::set<int> counts;
        for (const tuning::TuningRecord &r : records_) {
            if (r.spec_key == problem) counts.insert(r.threads);
        }
        std::vector<int> order(counts.begin(), counts.end());
        std::stable_sort(order.begin(), order.end(),
                         [&](int a, int b) { return std::abs(a - threads) < std::abs(b - threads); });
        for (int t : order) {
            if (auto best = tuning::best_config(records_, {machine_class_, t, target, problem, other_machines_})) return best;
        }
        return std::nullopt;
    }

    bool loaded_ = false;
    std::optional<std::string> chosen_path_;
    std::optional<bool> chosen_other_machines_;
    bool other_machines_ = false;
    std::string machine_class_;
    std::vector<tuning::TuningRecord> records_;
    std::map<Key, std::optional<Best>> found_;
    std::set<std::string> warned_;
};

TunedConfigs &tuned() {
    static TunedConfigs instance;
    return instance;
}

}  // namespace

uint64_t tuning_generation() { return tuned().generation_; }

std::optional<ScheduleConfig> tuned_config(const OpSpec &spec, const Halide::Target &target) {
    return tuned().lookup(spec.problem_key(), target, parse_schedule_config);
}

std::optional<double> tuned_milliseconds(const OpSpec &spec, const Halide::Target &target) {
    return tuned().milliseconds(spec.problem_key(), target);
}

std::optional<ChainConfig> tuned_chain_config(const ChainSpec &chain, const Halide::Target &target) {
    return tuned().lookup(chain.problem_key(), target, parse_chain_config);
}

void report_unusable_tuned_config(const std::string &problem, const std::string &why) {
    std::lock_guard lock(tuned().mutex_);
    tuned().warn_once(problem, why);
}

}  // namespace convgen::detail

namespace convgen {
void reload_tuning_database() { detail::tuned().reload(); }
void set_tuning_database_path(const std::string &path) { detail::tuned().reload(path); }
void use_other_machines_tuning(bool allow) { detail::tuned().reload(std::nullopt, allow); }
}  // namespace convgen
