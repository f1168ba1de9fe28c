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
// Sets spec.weight_layout (and weight_block) to the order the schedule reads best; part of the
// kernel's interface, so chosen before the pipeline is generated.
using WeightLayoutFunction = void (*)(OpSpec &, const Halide::Target &);

struct Schedule {
    std::string_view name;
    std::string_view description;
    ScheduleFunction apply;
    WeightLayoutFunction weight_layout = nullptr;  // null: PyTorch's OIHW
};

// What layers use unless told otherwise: tuned where a tuned schedule exists, portable elsewhere.
inline constexpr std::string_view kDefaultSchedule = "hand";

const std::vector<Schedule> &all_schedules();
// Throws convgen::ValueError naming the known schedules when `name` is not one of them.
const Schedule &find_schedule(std::string_view name);

// The weight layout `schedule` wants for a conv spec on `target`; PyTorch's for other ops.
void choose_weight_layout(OpSpec &spec, const Schedule &schedule, const Halide::Target &target);

// col2im per task of `consumer`'s loop `at`: each stride phase's taps summed over contiguous
// block vectors, the tap loops outside so their phase test is not repeated per element.
void schedule_fold_phases(Halide::Func phases, Halide::Func consumer, const Halide::Var &at, int vector_width);

// The schedules themselves, one file each.
void schedule_naive(generator::GeneratedPipeline &, const OpSpec &, const Halide::Target &);
void schedule_default(generator::GeneratedPipeline &, const OpSpec &, const Halide::Target &);
void schedule_cuda(generator::GeneratedPipeline &, const OpSpec &, const Halide::Target &);
void schedule_hand(generator::GeneratedPipeline &, const OpSpec &, const Halide::Target &);
void hand_weight_layout(OpSpec &, const Halide::Target &);
void schedule_adams2019(generator::GeneratedPipeline &, const OpSpec &, const Halide::Target &);
void schedule_li2018(generator::GeneratedPipeline &, const OpSpec &, const Halide::Target &);
void schedule_mullapudi2016(generator::GeneratedPipeline &, const OpSpec &, const Halide::Target &);
void schedule_anderson2021(generator::GeneratedPipeline &, const OpSpec &, const Halide::Target &);

}  // namespace convgen::schedules
