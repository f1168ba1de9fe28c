#include "tuning/search.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <deque>
#include <future>
#include <limits>

namespace convgen::tuning {
namespace {

// A candidate this much slower than the best so far after its first timings is dropped.
constexpr double kGiveUpRatio = 1.5;
constexpr int kMutationAttempts = 64;
// Candidates timed again beside the rules' config when confirming.
constexpr size_t kFinalists = 2;

class Search {
public:
    Search(const ScheduleSpace &space, Measurer &measurer, const SearchOptions &options,
           const std::vector<Trial> &measured, const TrialCallback &on_trial)
        : space_(space), measurer_(measurer), options_(options), on_trial_(on_trial), rng_(options.seed),
          deadline_(std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                                            std::chrono::duration<double>(options.seconds))) {
        for (const Trial &t : measured) remember(t);
    }

    SearchResult run() {
        result_.start = measured(space_.start()) ? *measured(space_.start()) : measure(space_.start());
        for (const Trial &t : result_.trials) {
            if (t.ms < result_.best.ms) result_.best = t;
        }
        if (!options_.sweep.empty()) {
            queue_.assign(options_.sweep.begin(), options_.sweep.end());
            while (!queue_.empty() && budget_left()) {
                const ScheduleConfig next = queue_.front();
                queue_.pop_front();
                if (!measured(next)) measure(next);
            }
            return result_;
        }
        for (const ScheduleConfig &seed : space_.seeds()) {
            if (budget_left() && !measured(seed)) measure(seed);
        }
        ScheduleConfig climbed_from = result_.best.config;
        queue_neighbours(climbed_from);
        while (budget_left()) {
            if (queue_.empty()) {
                if (!(result_.best.config == climbed_from)) {
                    climbed_from = result_.best.config;
                    queue_neighbours(climbed_from);
                } else if (auto next = mutation()) {
                    queue_.push_back(*next);
                } else {
                    break;  // nothing new left to try
                }
                continue;
            }
            const ScheduleConfig next = queue_.front();
            queue_.pop_front();
            if (measured(next)) continue;
            const Trial trial = measure(next);
            if (trial.config == result_.best.config) {
                // First improvement: climb on from here at once.
                queue_.clear();
                pending_.reset();
                climbed_from = trial.config;
                queue_neighbours(climbed_from);
            }
        }
        pending_.reset();
        // A resumed search that measured nothing new keeps the verdict it already has.
        if (options_.confirm_rounds > 0 && measured_now_ > 0) confirm();
        return result_;
    }

private:
    bool budget_left() const {
        return int(result_.trials.size()) < options_.trials && std::chrono::steady_clock::now() < deadline_;
    }

    const Trial *measured(const ScheduleConfig &config) const {
        for (const Trial &t : result_.trials) {
            if (t.config == config) return &t;
        }
        return nullptr;
    }

    void remember(const Trial &trial) { result_.trials.push_back(trial); }

    void queue_neighbours(const ScheduleConfig &config) {
        std::vector<ScheduleConfig> next = space_.neighbours(config);
        std::shuffle(next.begin(), next.end(), rng_);
        for (const ScheduleConfig &c : next) {
            if (!measured(c)) queue_.push_back(c);
        }
    }

    std::optional<ScheduleConfig> mutation() {
        for (int attempt = 0; attempt < kMutationAttempts; ++attempt) {
            const int changes = std::uniform_int_distribution<int>(2, 3)(rng_);
            const ScheduleConfig c = space_.mutate(result_.best.config, changes, rng_);
            if (space_.accepts(c) && !measured(c)) return c;
        }
        return std::nullopt;
    }

    std::shared_ptr<Measurer::Prepared> prepare(const ScheduleConfig &config, std::string &error) {
        try {
            return measurer_.prepare(config);
        } catch (const std::exception &e) {
            error = e.what();
            return nullptr;
        }
    }

    Trial measure(const ScheduleConfig &config) {
        Trial trial{config, std::numeric_limits<double>::infinity(), {}};
        std::shared_ptr<Measurer::Prepared> prepared;
        if (pending_ && pending_->config == config) {
            prepared = pending_->compiled.get();
            if (!prepared) trial.error = pending_->error;
        } else {
            prepared = prepare(config, trial.error);
        }
        pending_.reset();
        // Compile the next candidate on the spare core while this one is timed.
        if (options_.compile_ahead && !queue_.empty()) {
            pending_ = std::make_unique<Pending>();
            pending_->config = queue_.front();
            Pending *p = pending_.get();
            p->compiled = std::async(std::launch::async, [this, p] { return prepare(p->config, p->error); });
        }
        if (prepared) {
            const double give_up = std::isfinite(result_.best.ms) && !result_.trials.empty()
                                       ? kGiveUpRatio * result_.best.ms
                                       : std::numeric_limits<double>::infinity();
            time_into(trial, *prepared, give_up);
        }
        remember(trial);
        ++measured_now_;
        if (result_.trials.size() == 1 && result_.start.config.family == ScheduleFamily::None) result_.start = trial;
        if (trial.ms < result_.best.ms || result_.best.config.family == ScheduleFamily::None) result_.best = trial;
        if (on_trial_) on_trial_(trial, result_);
        return trial;
    }

    // A failure leaves the trial's ms infinite, with its reason.
    void time_into(Trial &trial, Measurer::Prepared &prepared, double give_up_ms) {
        try {
            trial.ms = measurer_.time(prepared, give_up_ms);
        } catch (const std::exception &e) {
            trial.error = e.what();
        }
    }

    // The rules' config, then the fastest other configs.
    std::vector<ScheduleConfig> finalists() const {
        std::vector<ScheduleConfig> chosen{result_.start.config};
        std::vector<const Trial *> by_speed;
        for (const Trial &t : result_.trials) {
            if (std::isfinite(t.ms)) by_speed.push_back(&t);
        }
        std::stable_sort(by_speed.begin(), by_speed.end(), [](const Trial *a, const Trial *b) { return a->ms < b->ms; });
        for (const Trial *t : by_speed) {
            if (chosen.size() < 1 + kFinalists && std::find(chosen.begin(), chosen.end(), t->config) == chosen.end()) {
                chosen.push_back(t->config);
            }
        }
        return chosen;
    }

    // Times the finalists again in interleaved rounds; each is then judged by its fastest
    // confirmation timing alone, as the database judges confirmed records.
    void confirm() {
        const std::vector<ScheduleConfig> chosen = finalists();
        if (chosen.size() < 2 || !std::isfinite(result_.start.ms)) return;
        constexpr double kUnmeasured = std::numeric_limits<double>::infinity();
        std::vector<Trial> verdicts;
        for (const ScheduleConfig &config : chosen) verdicts.push_back(Trial{config, kUnmeasured, {}, true});
        for (int round = 0; round < options_.confirm_rounds; ++round) {
            for (Trial &verdict : verdicts) {
                Trial trial{verdict.config, kUnmeasured, {}, true};
                if (std::shared_ptr<Measurer::Prepared> prepared = prepare(trial.config, trial.error)) {
                    time_into(trial, *prepared, kUnmeasured);
                }
                remember(trial);
                verdict.ms = std::min(verdict.ms, trial.ms);
                if (on_trial_) on_trial_(trial, result_);
            }
        }
        result_.start = verdicts.front();
        result_.best = *std::min_element(verdicts.begin(), verdicts.end(),
                                         [](const Trial &a, const Trial &b) { return a.ms < b.ms; });
    }

    struct Pending {
        ScheduleConfig config;
        std::string error;
        std::future<std::shared_ptr<Measurer::Prepared>> compiled;
    };

    const ScheduleSpace &space_;
    Measurer &measurer_;
    SearchOptions options_;
    TrialCallback on_trial_;
    std::mt19937_64 rng_;
    std::chrono::steady_clock::time_point deadline_;
    std::deque<ScheduleConfig> queue_;
    std::unique_ptr<Pending> pending_;
    SearchResult result_;
    int measured_now_ = 0;  // trials measured by this run, not taken from an earlier one
};

}  // namespace

SearchResult search(const ScheduleSpace &space, Measurer &measurer, const SearchOptions &options,
                    const std::vector<Trial> &measured, const TrialCallback &on_trial) {
    return Search(space, measurer, options, measured, on_trial).run();
}

}  // namespace convgen::tuning
