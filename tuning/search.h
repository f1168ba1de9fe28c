#pragma once
// The search over one problem's schedule space: start from the rules' config, climb through its
// one-knob neighbours, then mutate the best (several knobs, sometimes the family) until the
// trial or time budget is spent. Candidates that are clearly slower than the best so far are
// dropped after their first timings. Optionally, the rules' config and the finalists are then
// timed again side by side (SearchOptions::confirm_rounds).
//
// Why a hill climb with mutations and no learned model: a candidate costs ~1 s to compile and
// well under 1 s to time here, so a budget of tens of trials per layer is the norm; the rules'
// config is already good, and the gains measured (register tile, input blocking, unroll) sit one
// or two knobs away from it, where neighbours find them first.
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tuning/space.h"

namespace convgen::tuning {

// What the search asks of whoever runs candidates: compile, then time.
class Measurer {
public:
    virtual ~Measurer() = default;
    // A compiled candidate, ready to time; thread-safe (the search compiles ahead on another core).
    class Prepared {
    public:
        virtual ~Prepared() = default;
    };
    virtual std::shared_ptr<Prepared> prepare(const ScheduleConfig &config) = 0;
    // Median ms; may stop early and return a time above `give_up_ms` once that is clear.
    virtual double time(Prepared &candidate, double give_up_ms) = 0;
};

struct Trial {
    ScheduleConfig config;
    double ms = std::numeric_limits<double>::infinity();  // also when it failed to compile or run
    std::string error;
    bool confirmed = false;  // timed in a confirmation round (SearchOptions::confirm_rounds)
};

struct SearchOptions {
    int trials = 32;
    double seconds = 60;
    // Compile the next candidate while timing this one (only when a core is free for it).
    bool compile_ahead = false;
    uint64_t seed = 1;
    // When given, exactly these configs are measured after the rules' one (an exhaustive sweep),
    // with no seeds, neighbours or mutations.
    std::vector<ScheduleConfig> sweep;
    // After the search: rounds in which the rules' config and the fastest candidates are timed
    // again, interleaved; each is then judged by its fastest timing in these rounds alone. A
    // machine whose speed swings for seconds makes a single timing a lottery, which the candidate
    // timed in a quiet moment wins. 0: none (the best is the fastest single timing).
    int confirm_rounds = 0;
};

struct SearchResult {
    Trial start;  // the rules' config
    Trial best;
    std::vector<Trial> trials;
};

// Called after every trial, for progress and for writing the record.
using TrialCallback = std::function<void(const Trial &, const SearchResult &)>;

// `measured` holds trials from an earlier run (--resume): they are not measured again.
SearchResult search(const ScheduleSpace &space, Measurer &measurer, const SearchOptions &options,
                    const std::vector<Trial> &measured, const TrialCallback &on_trial);

}  // namespace convgen::tuning
