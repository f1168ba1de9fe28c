#include "aot/kernel_module.h"

#include "convgen/errors.h"
#include "generator/chain.h"
#include "generator/generate.h"
#include "schedules/chain/chain.h"
#include "schedules/registry.h"

namespace convgen::aot {
namespace {

KernelError halide_failure(const std::string &what, const Halide::Target &target, const Halide::Error &e) {
    return KernelError("failed to generate the kernel for " + what + " for target " + target.to_string() + ": " +
                       e.what());
}

std::string describe(const OpSpec &spec, const std::string &schedule) {
    return spec.key() + " with schedule '" + schedule + "'";
}

}  // namespace

OpSpec spec_for_target(OpSpec spec, const std::string &schedule_name, const Halide::Target &target, int threads) {
    const schedules::Schedule &schedule = schedules::find_schedule(schedule_name);
    const ScheduleConfig chosen = spec.config;
    if (chosen.family != ScheduleFamily::None) {
        try {
            schedules::configure(spec, schedule, target, threads, &chosen);
            return spec;
        } catch (const ValueError &) {  // chosen for the JIT target; this target's rules decide
        }
    }
    schedules::configure(spec, schedule, target, threads);
    return spec;
}

ScheduledKernel schedule_kernel(const OpSpec &spec, const std::string &schedule_name, const Halide::Target &target) {
    const schedules::Schedule &schedule = schedules::find_schedule(schedule_name);
    try {
        generator::GeneratedPipeline generated = generator::generate(spec);
        schedule.apply(generated, spec, target);
        return {Halide::Pipeline(generated.output), generated.arguments, generated.autoscheduled};
    } catch (const Halide::Error &e) {
        throw halide_failure(describe(spec, schedule_name), target, e);
    }
}

ScheduledKernel schedule_chain_kernel(const ChainSpec &chain, const std::string &layer_schedule,
                                      const Halide::Target &target) {
    const schedules::Schedule &schedule = schedules::find_schedule(layer_schedule);
    try {
        generator::GeneratedChain generated = generator::generate_chain(chain);
        schedules::schedule_chain(generated, chain, schedule, target);
        return {Halide::Pipeline(generated.output), generated.arguments, std::nullopt};
    } catch (const Halide::Error &e) {
        throw halide_failure(chain.key() + " with schedule '" + layer_schedule + "'", target, e);
    }
}

Halide::Module module_of(ScheduledKernel kernel, const std::string &what, const Halide::Target &target,
                         const std::string &function_name) {
    try {
        Halide::Module module = kernel.pipeline.compile_to_module(kernel.arguments, function_name, target,
                                                                  Halide::LinkageType::ExternalPlusMetadata);
        // So `--emit schedule` writes the schedule the autoscheduler chose.
        if (kernel.autoscheduled) module.set_auto_scheduler_results(*kernel.autoscheduled);
        return module;
    } catch (const Halide::Error &e) {
        throw halide_failure(what, target, e);
    }
}

Halide::Module kernel_module(const OpSpec &spec, const std::string &schedule, const Halide::Target &target,
                             const std::string &function_name) {
    return module_of(schedule_kernel(spec, schedule, target), describe(spec, schedule), target, function_name);
}

}  // namespace convgen::aot
