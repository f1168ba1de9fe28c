// Halide's autoschedulers as named schedules: Adams2019, Li2018 and Mullapudi2016 for CPUs,
// Anderson2021 for GPUs. Each plans with the estimates the generator records (the real shape)
// and leaves the schedule it chose, as C++ source, in the pipeline.
#include <cstdlib>
#include <map>
#include <mutex>
#include <thread>

#include "convgen/errors.h"
#include "schedules/registry.h"

namespace convgen::schedules {
namespace {

// Where the autoscheduler plugins live: next to libHalide, unless the environment says otherwise.
std::string plugin_directory() {
    if (const char *dir = std::getenv("CONVGEN_AUTOSCHEDULER_DIR"); dir && *dir) return dir;
    return CONVGEN_AUTOSCHEDULER_DIR;
}

void load_plugin_once(const std::string &library) {
    static std::mutex mutex;
    static std::map<std::string, bool> loaded;
    std::lock_guard lock(mutex);
    if (loaded[library]) return;
    const std::string path = plugin_directory() + "/lib" + library + ".so";
    try {
        Halide::load_plugin(path);
    } catch (const Halide::Error &e) {
        throw KernelError("cannot load the autoscheduler plugin '" + path + "': " + e.what());
    }
    loaded[library] = true;
}

void autoschedule(generator::GeneratedPipeline &p, const Halide::Target &target, const std::string &library,
                  const std::string &name, std::map<std::string, std::string> params) {
    load_plugin_once(library);
    Halide::Pipeline pipeline(p.output);
    p.autoscheduled = pipeline.apply_autoscheduler(target, Halide::AutoschedulerParams(name, params));
}

std::string host_parallelism() { return std::to_string(std::max(1u, std::thread::hardware_concurrency())); }

}  // namespace

void schedule_adams2019(generator::GeneratedPipeline &p, const OpSpec &, const Halide::Target &target) {
    // A greedy search (beam of 1): the default beam of 32 takes minutes per layer, too slow for a JIT.
    autoschedule(p, target, "autoschedule_adams2019", "Adams2019",
                 {{"parallelism", host_parallelism()}, {"beam_size", "1"}});
}

void schedule_li2018(generator::GeneratedPipeline &p, const OpSpec &, const Halide::Target &target) {
    autoschedule(p, target, "autoschedule_li2018", "Li2018", {{"parallelism", host_parallelism()}});
}

void schedule_mullapudi2016(generator::GeneratedPipeline &p, const OpSpec &, const Halide::Target &target) {
    autoschedule(p, target, "autoschedule_mullapudi2016", "Mullapudi2016",
                 {{"parallelism", host_parallelism()}, {"last_level_cache_size", "1048576"}, {"balance", "40"}});
}

void schedule_anderson2021(generator::GeneratedPipeline &p, const OpSpec &, const Halide::Target &target) {
    if (!target.has_gpu_feature()) {
        throw ValueError("schedule 'anderson2021' is for GPU targets; the target is " + target.to_string());
    }
    autoschedule(p, target, "autoschedule_anderson2021", "Anderson2021", {{"parallelism", "80"}});
}

}  // namespace convgen::schedules
