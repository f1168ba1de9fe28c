#pragma once
// OpSpec + schedule + target -> a scheduled Halide pipeline, and from it a Module that any
// Halide output (static library, object, assembly, stmt...) can be written from. The JIT cache,
// the disk cache and `convgen compile` all build kernels here, so they compile the same code.
#include <string>
#include <optional>
#include <vector>

#include <Halide.h>

#include "convgen/chain_spec.h"
#include "convgen/op_spec.h"

namespace convgen::aot {

// `spec` with the fields a schedule chooses per target (its config and the weight layout) set for
// `target`: the config spec carries (tuned, or chosen for the JIT target) when the schedule can
// honour it there, else the schedule's rules for a program running on `threads` threads.
// Layers pick them for the JIT target; an AOT kernel for another target must pick its own.
OpSpec spec_for_target(OpSpec spec, const std::string &schedule, const Halide::Target &target, int threads);

struct ScheduledKernel {
    Halide::Pipeline pipeline;
    std::vector<Halide::Argument> arguments;  // call order: input, [weight, [bias]], output
    std::optional<Halide::AutoSchedulerResults> autoscheduled;  // set by autoscheduler schedules
};

// Throws ValueError for an unknown schedule and KernelError when Halide rejects the pipeline.
ScheduledKernel schedule_kernel(const OpSpec &spec, const std::string &schedule, const Halide::Target &target);

// A chain as one kernel (convgen/chain_spec.h): fused, or its one layer under `layer_schedule`.
ScheduledKernel schedule_chain_kernel(const ChainSpec &chain, const std::string &layer_schedule,
                                      const Halide::Target &target);

// A scheduled kernel as a Module with an argv entry point (`<function_name>_argv`) and
// metadata; `what` names the kernel in a KernelError.
Halide::Module module_of(ScheduledKernel kernel, const std::string &what, const Halide::Target &target,
                         const std::string &function_name);
// module_of(schedule_kernel(...)).
Halide::Module kernel_module(const OpSpec &spec, const std::string &schedule, const Halide::Target &target,
                             const std::string &function_name);

}  // namespace convgen::aot
