#include "schedules/registry.h"

#include "convgen/errors.h"

namespace convgen::schedules {

const std::vector<Schedule> &all_schedules() {
    static const std::vector<Schedule> schedules{
        {"naive", "no scheduling directives: Halide's defaults, single-threaded", schedule_naive},
        {kDefaultSchedule, "portable: parallel over outer dims, vectorised innermost", schedule_default},
    };
    return schedules;
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
