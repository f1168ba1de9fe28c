#pragma once
// The schedule space the tuner searches: every knob of a family's config with the values worth
// trying, as data. A candidate is only ever one the schedule accepts (its check_config), so no
// config the search proposes can change a result or fail to compile for a reason of its own.
#include <functional>
#include <random>
#include <string>
#include <vector>

#include <Halide.h>

#include "convgen/op_spec.h"
#include "schedules/registry.h"

namespace convgen::tuning {

class ScheduleSpace {
public:
    // The space of `schedule`'s configs for spec on target, run on `threads` threads; empty when
    // the schedule has none.
    ScheduleSpace(const OpSpec &spec, const schedules::Schedule &schedule, const Halide::Target &target, int threads);

    bool empty() const { return !schedule_->default_config || start_.family == ScheduleFamily::None; }
    // The rules' choice, where every search starts.
    const ScheduleConfig &start() const { return start_; }
    // Where a search starts beside the rules' config: its register-resident variants (no input
    // blocking, the reduction unrolled, tiles of 24-28 accumulators), or a Winograd conv's tasks
    // of one or two rows of tiles, which sit several knobs away from the rules' choice on machines
    // the rules were not fitted to.
    std::vector<ScheduleConfig> seeds() const;
    // Configs one knob step away from `config` (each knob moved to the listed values on either side
    // of its own, whether or not its own is listed).
    std::vector<ScheduleConfig> neighbours(const ScheduleConfig &config) const;
    // `config` with `changes` knobs set to random values of their lists (may change family).
    ScheduleConfig mutate(const ScheduleConfig &config, int changes, std::mt19937_64 &rng) const;
    bool accepts(const ScheduleConfig &config) const;
    // Every accepted combination of the named knobs' values, the other knobs as in the rules'
    // config: the exhaustive sweep the search is checked against. ValueError for an unknown name.
    std::vector<ScheduleConfig> sweep(const std::vector<std::string> &knob_names) const;

private:
    struct Knob {
        std::string name;  // as in the config's text
        std::function<int(const ScheduleConfig &)> get;
        std::function<void(ScheduleConfig &, int)> set;
        std::vector<int> values;  // ascending
    };
    std::vector<Knob> knobs(ScheduleFamily family) const;
    std::vector<ScheduleFamily> families_;  // those the schedule accepts for this spec

    OpSpec spec_;
    const schedules::Schedule *schedule_;
    Halide::Target target_;
    ScheduleConfig start_;
};

}  // namespace convgen::tuning
