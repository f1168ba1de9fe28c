#pragma once
// The schedule registry: name -> function that schedules a generated pipeline for a target.
#include <string>
#include <string_view>
#include <vector>

#include <Halide.h>

#include "convgen/op_spec.h"
#include "generator/pipeline.h"

namespace convgen::schedules {

using ScheduleFunction = void (*)(generator::GeneratedPipeline &, const OpSpec &, const Halide::Target &);

struct Schedule {
    std::string_view name;
    std::string_view description;
    ScheduleFunction apply;
};

inline constexpr std::string_view kDefaultSchedule = "default";

const std::vector<Schedule> &all_schedules();
// Throws convgen::ValueError naming the known schedules when `name` is not one of them.
const Schedule &find_schedule(std::string_view name);

// The schedules themselves, one file each.
void schedule_naive(generator::GeneratedPipeline &, const OpSpec &, const Halide::Target &);
void schedule_default(generator::GeneratedPipeline &, const OpSpec &, const Halide::Target &);

}  // namespace convgen::schedules
