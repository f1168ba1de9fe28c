#pragma once
// The schedule registry: name -> function that schedules a generated pipeline for a target.
#include <string>
#include <string_view>
#include <vector>

#include <Halide.h>

#include "convgen/op_spec.h"
#include "generator/pipeline.h"

namespace convgen::schedules {

// Applies spec.config (set by `configure`) to the generated pipeline.
using ScheduleFunction = void (*)(generator::GeneratedPipeline &, const OpSpec &, const Halide::Target &);
// The config a schedule's rules choose for spec on target, to run on `threads` threads (family
// None: nothing to choose).
using DefaultConfigFunction = ScheduleConfig (*)(const OpSpec &, const Halide::Target &, int threads);
// Throws ValueError when the schedule cannot honour the config for spec on target.
using CheckConfigFunction = void (*)(const OpSpec &, const Halide::Target &, const ScheduleConfig &);

struct Schedule {
    std::string_view name;
    std::string_view description;
    ScheduleFunction apply;
    // Null for schedules without configs (they read PyTorch's OIHW weights).
    DefaultConfigFunction default_config = nullptr;
    CheckConfigFunction check_config = nullptr;
    // Whether layers take the tuning database's best config before the rules.
    bool uses_tuning_database = false;
};


const std::vector<Schedule> &all_schedules();
// Throws convgen::ValueError naming the known schedules when `name` is not one of them.
const Schedule &find_schedule(std::string_view name);

// Sets the fields a schedule chooses, spec.config and the weight layout it reads: `chosen` when
// given (checked: ValueError when the schedule cannot honour it), else the schedule's rules for
// a kernel run on `threads` threads.
void configure(OpSpec &spec, const Schedule &schedule, const Halide::Target &target, int threads,
               const ScheduleConfig *chosen = nullptr);

// col2im per task of `consumer`'s loop `at`: each stride phase's taps summed over contiguous
// block vectors, the tap loops outside so their phase test is not repeated per element.
void schedule_fold_phases(Halide::Func phases, Halide::Func consumer, const Halide::Var &at, int vector_width);

// The schedules themselves, one file each.
void schedule_naive(generator::GeneratedPipeline &, const OpSpec &, const Halide::Target &);
void schedule_portable(generator::GeneratedPipeline &, const OpSpec &, const Halide::Target &);
// The portable schedule's Winograd convs (schedule_portable calls it).
void schedule_portable_winograd(generator::GeneratedPipeline &, const OpSpec &, const Halide::Target &);
// f's first dim in vectors, the next two (the points) unrolled.
void vectorize_unroll_points(Halide::Func f, int vector_width);
// The output in m x m tiles, vectorised over channels, each tile's output transform computed at
// it: what every Winograd CPU schedule shares. `tile`: the output tile (convgen/winograd.h:
// winograd_output_tile). Parallel tasks of `tile_rows` rows of tiles of one image and `channels`
// output channels (0: all); returns the task's loop level, where the stages before the output
// transform (the product, the input transform) are computed per task.
Halide::LoopLevel schedule_winograd_output_tiles(generator::GeneratedPipeline &p, Extent2 tile, int vector_width,
                                                 int tile_rows, int channels);
void schedule_cuda(generator::GeneratedPipeline &, const OpSpec &, const Halide::Target &);
void schedule_hand(generator::GeneratedPipeline &, const OpSpec &, const Halide::Target &);
ScheduleConfig hand_default_config(const OpSpec &, const Halide::Target &, int threads);
void hand_check_config(const OpSpec &, const Halide::Target &, const ScheduleConfig &);
void schedule_adams2019(generator::GeneratedPipeline &, const OpSpec &, const Halide::Target &);
void schedule_li2018(generator::GeneratedPipeline &, const OpSpec &, const Halide::Target &);
void schedule_mullapudi2016(generator::GeneratedPipeline &, const OpSpec &, const Halide::Target &);
void schedule_anderson2021(generator::GeneratedPipeline &, const OpSpec &, const Halide::Target &);

}  // namespace convgen::schedules
