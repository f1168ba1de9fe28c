#include "aot_lookup.h"

#include <cstdio>
#include <cstring>

namespace convgen::detail {
namespace {

using Feature = Halide::Target::Feature;

// Features that say how the code is packaged, not what the CPU must support.
bool packaging_feature(Feature f) {
    return f == Feature::NoRuntime || f == Feature::NoAsserts || f == Feature::NoBoundsQuery || f == Feature::JIT ||
           f == Feature::Debug;
}

// How many features it uses when `kernel` can run on `host`; -1 when it cannot.
int runnable_features(const Halide::Target &kernel, const Halide::Target &host) {
    if (kernel.arch != host.arch || kernel.bits != host.bits || kernel.os != host.os) return -1;
    int used = 0;
    for (int f = 0; f < int(Feature::FeatureEnd); ++f) {
        const Feature feature = Feature(f);
        if (!kernel.has_feature(feature) || packaging_feature(feature)) continue;
        if (!host.has_feature(feature)) return -1;
        ++used;
    }
    return used;
}

// A glue table generated from an older OpSpec would describe another kernel: skip it, loudly.
bool spec_matches_record(const AotKernel &k) {
    if (k.spec.key() == k.key) return true;
    std::fprintf(stderr, "convgen: warning: ignoring AOT kernel %s: generated for another convgen version\n",
                 k.function_name);
    return false;
}

// The runnable linked kernel of `schedule` using the most features among those `matches` takes.
template <typename Matches>
const AotKernel *find_linked(const std::string &schedule, const Halide::Target &jit_target, Matches matches) {
    const AotKernel *best = nullptr;
    int best_features = -1;
    for (const AotKernelTable *table = aot_kernel_tables(); table; table = table->next) {
        for (size_t i = 0; i < table->count; ++i) {
            const AotKernel &k = table->kernels[i];
            if (k.schedule != schedule || !matches(k) || !spec_matches_record(k)) continue;
            if (!Halide::Target::validate_target_string(k.target)) continue;
            const int features = runnable_features(Halide::Target(k.target), jit_target);
            if (features > best_features) {
                best = &k;
                best_features = features;
            }
        }
    }
    return best;
}

}  // namespace

const AotKernel *find_aot_kernel(const OpSpec &spec, const std::string &schedule, const Halide::Target &jit_target) {
    const std::string key = spec.key();
    return find_linked(schedule, jit_target, [&](const AotKernel &k) { return k.key == key; });
}

const AotKernel *find_aot_kernel_for_problem(const OpSpec &spec, const std::string &schedule,
                                             const Halide::Target &jit_target) {
    const std::string problem = spec.problem_key();
    return find_linked(schedule, jit_target, [&](const AotKernel &k) { return k.spec.problem_key() == problem; });
}

}  // namespace convgen::detail
