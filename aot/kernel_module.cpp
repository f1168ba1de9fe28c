#include "aot/kernel_module.h"

#include "convgen/errors.h"
#include "generator/generate.h"
#include "schedules/registry.h"

namespace convgen::aot {
namespace {

KernelError halide_failure(const OpSpec &spec, const std::string &schedule, const Halide::Target &target,
                           const Halide::Error &e) {
    return KernelError("failed to generate the kernel for " + spec.key() + " with schedule '" + schedule +
                       "' for target " + target.to_string() + ": " + e.what());
}

}  // namespace

OpSpec spec_for_target(OpSpec spec, const std::string &schedule_name, const Halide::Target &target) {
    const schedules::Schedule &schedule = schedules::find_schedule(schedule_name);
    const ScheduleConfig chosen = spec.config;
    if (chosen.family != ScheduleFamily::None) {
        try {
            schedules::configure(spec, schedule, target, &chosen);
            return spec;
        } catch (const ValueError &) {  // chosen for the JIT target; this target's rules decide
        }
    }
    schedules::configure(spec, schedule, target);
    return spec;
}

ScheduledKernel schedule_kernel(const OpSpec &spec, const std::string &schedule_name, const Halide::Target &target) {
    const schedules::Schedule &schedule = schedules::find_schedule(schedule_name);
    try {
        generator::GeneratedPipeline generated = generator::generate(spec);
        schedule.apply(generated, spec, target);
        return {Halide::Pipeline(generated.output), generated.arguments, generated.autoscheduled};
    } catch (const Halide::Error &e) {
        throw halide_failure(spec, schedule_name, target, e);
    }
}

Halide::Module kernel_module(const OpSpec &spec, const std::string &schedule, const Halide::Target &target,
                             const std::string &function_name) {
    ScheduledKernel kernel = schedule_kernel(spec, schedule, target);
    try {
        Halide::Module module = kernel.pipeline.compile_to_module(kernel.arguments, function_name, target,
                                                                  Halide::LinkageType::ExternalPlusMetadata);
        // So `--emit schedule` writes the schedule the autoscheduler chose.
        if (kernel.autoscheduled) module.set_auto_scheduler_results(*kernel.autoscheduled);
        return module;
    } catch (const Halide::Error &e) {
        throw halide_failure(spec, schedule, target, e);
    }
}

}  // namespace convgen::aot
