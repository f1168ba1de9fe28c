#include "schedules/registry.h"

#include "convgen/errors.h"

namespace convgen::schedules {

const std::vector<Schedule> &all_schedules() {
    static const std::vector<Schedule> schedules{
        {"naive", "no scheduling directives: Halide's defaults, single-threaded", schedule_naive},
        {"portable", "any op, any CPU: parallel over outer dims, vectorised innermost", schedule_default},
        {"cuda", "CUDA targets only: 2-D thread blocks over the output, reductions in registers", schedule_cuda},
        {kDefaultSchedule, "the default: tuned CPU conv (register tiles, packed weights), unfold and fold; else portable", schedule_hand,
         hand_weight_layout},
        {"adams2019", "Halide's Adams2019 autoscheduler (CPU)", schedule_adams2019},
        {"li2018", "Halide's Li2018 autoscheduler (CPU)", schedule_li2018},
        {"mullapudi2016", "Halide's Mullapudi2016 autoscheduler (CPU)", schedule_mullapudi2016},
        {"anderson2021", "Halide's Anderson2021 autoscheduler (GPU targets only)", schedule_anderson2021},
    };
    return schedules;
}

void choose_weight_layout(OpSpec &spec, const Schedule &schedule, const Halide::Target &target) {
    spec.weight_layout = WeightLayout::OIHW;
    spec.weight_block = 0;
    if (spec.op == OpKind::Conv && schedule.weight_layout) schedule.weight_layout(spec, target);
}

const Schedule &find_schedule(std::string_view name) {
    std::string known;
    for (const Schedule &s : all_schedules()) {
        if (s.name == name) return s;
        known += (known.empty() ? "" : ", ") + std::string(s.name);
    }
    throw ValueError("unknown schedule '" + std::string(name) + "', expected one of {" + known + "}");
}

}  // namespace convgen::schedules
