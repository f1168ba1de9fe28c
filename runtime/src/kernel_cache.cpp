#include "kernel_cache.h"

#include <functional>
#include <future>
#include <unordered_map>
#include <mutex>
#include <optional>

#include <Halide.h>

#include "algorithm_choice.h"
#include "aot_lookup.h"
#include "compiled_kernel.h"
#include "tuned_configs.h"
#include "convgen/cache.h"
#include "convgen/errors.h"
#include "convgen/threads.h"
#include "kernel_sources.h"
#include "schedules/chain/chain.h"
#include "schedules/registry.h"

namespace convgen::detail {

namespace {

// Throws KernelError when HL_JIT_TARGET names no target this machine runs (and retries next call).
const Halide::Target &jit_target() {
    static const Halide::Target target = [] {
        try {
            return Halide::get_jit_target_from_environment();
        } catch (const Halide::Error &e) {
            throw KernelError(std::string("cannot use the JIT target from HL_JIT_TARGET: ") + e.what());
        }
    }();
    return target;
}

class KernelCache {
public:
    std::shared_ptr<const CompiledKernel> get(const std::string &key,
                                              const std::function<KernelRequest()> &make_request) {
        std::optional<std::promise<std::shared_ptr<const CompiledKernel>>> promise;  // made on a miss only
        std::shared_future<std::shared_ptr<const CompiledKernel>> entry;
        {
            std::lock_guard lock(mutex_);
            auto it = entries_.find(key);
            if (it != entries_.end()) {
                entry = it->second;
            } else {
                entries_.emplace(key, promise.emplace().get_future().share());
            }
        }
        if (entry.valid()) {  // compiled, or being compiled by another thread
            record_memory_hit();
            return entry.get();
        }

        try {
            std::shared_ptr<const CompiledKernel> kernel;
            kernel = find_or_build_kernel(make_request(), jit_target());  // AOT, disk, then JIT
            promise->set_value(kernel);
            return kernel;
        } catch (...) {
            promise->set_exception(std::current_exception());
            std::lock_guard lock(mutex_);
            entries_.erase(key);  // a later call may try again
            throw;
        }
    }

    size_t size() {
        std::lock_guard lock(mutex_);
        return entries_.size();
    }

    void clear() {
        std::lock_guard lock(mutex_);
        entries_.clear();
    }

private:
    std::mutex mutex_;
    std::unordered_map<std::string, std::shared_future<std::shared_ptr<const CompiledKernel>>> entries_;
};

KernelCache &cache() {
    static KernelCache instance;
    return instance;
}

}  // namespace

void set_kernel_key(LoweredCall &call) { call.kernel_key = kernel_key(jit_target(), call.schedule, call.spec.key()); }

std::shared_ptr<const CompiledKernel> kernel_for(const LoweredCall &call) {
    return cache().get(call.kernel_key, [&] { return op_kernel_request(call.spec, call.schedule, jit_target()); });
}

std::string chain_kernel_key(const ChainSpec &chain, const std::string &layer_schedule) {
    return kernel_key(jit_target(), layer_schedule, chain.key());
}

std::shared_ptr<const CompiledKernel> chain_kernel_for(const ChainSpec &chain, const std::string &layer_schedule,
                                                       const std::string &key) {
    return cache().get(key, [&] { return chain_kernel_request(chain, layer_schedule, jit_target()); });
}

void configure_fused_chain(ChainSpec &chain, const ChainConfig *pinned) {
    schedules::configure_fused_chain(chain, jit_target(), num_threads(), pinned);
}

std::string fusion_refusal(const ChainSpec &chain) { return schedules::fusion_refusal(chain, jit_target()); }

std::optional<ChainConfig> database_chain_config(const ChainSpec &chain) {
    return tuned_chain_config(chain, jit_target());
}

void configure_kernel(OpSpec &spec, const std::string &schedule_name, const ScheduleConfig *pinned) {
    const schedules::Schedule &schedule = schedules::find_schedule(schedule_name);
    std::optional<ScheduleConfig> auto_config;
    if (spec.algorithm == Algorithm::Auto) {
        AlgorithmChoice choice = choose_algorithm(spec, schedule, jit_target(), pinned);
        spec.algorithm = choice.algorithm;
        if (choice.config) {
            auto_config = std::move(choice.config);
            pinned = &*auto_config;
        }
    }
    if (pinned) {
        schedules::configure(spec, schedule, jit_target(), num_threads(), pinned);
        return;
    }
    if (const AotKernel *linked = find_aot_kernel_for_problem(spec, schedule_name, jit_target())) {
        spec.adopt_schedule_choices(linked->spec);
        return;
    }
    if (schedule.uses_tuning_database) {
        if (const std::optional<ScheduleConfig> tuned = tuned_config(spec, jit_target())) {
            try {
                schedules::configure(spec, schedule, jit_target(), num_threads(), &*tuned);
                return;
            } catch (const ValueError &e) {  // a record this convgen cannot use: the rules decide
                report_unusable_tuned_config(spec.problem_key(), e.what());
            }
        }
    }
    schedules::configure(spec, schedule, jit_target(), num_threads());
}

size_t compiled_kernel_count() { return cache().size(); }

}  // namespace convgen::detail

namespace convgen {
void clear_memory_kernel_cache() { detail::cache().clear(); }
}  // namespace convgen
