#include "kernel_cache.h"

#include <functional>
#include <future>
#include <map>
#include <mutex>

#include <Halide.h>

#include "algorithm_choice.h"
#include "aot_call.h"
#include "aot_lookup.h"
#include "compiled_kernel.h"
#include "parallel_loops.h"
#include "scratch_memory.h"
#include "tuned_configs.h"
#include "convgen/cache.h"
#include "convgen/errors.h"
#include "convgen/schedules.h"
#include "convgen/threads.h"
#include "kernel_buffer.h"
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
        std::promise<std::shared_ptr<const CompiledKernel>> promise;
        std::shared_future<std::shared_ptr<const CompiledKernel>> entry;
        {
            std::lock_guard lock(mutex_);
            auto it = entries_.find(key);
            if (it != entries_.end()) {
                entry = it->second;
            } else {
                entries_.emplace(key, promise.get_future().share());
            }
        }
        if (entry.valid()) {  // compiled, or being compiled by another thread
            record_memory_hit();
            return entry.get();
        }

        try {
            std::shared_ptr<const CompiledKernel> kernel;
            kernel = find_or_build_kernel(make_request(), jit_target());  // AOT, disk, then JIT
            promise.set_value(kernel);
            return kernel;
        } catch (...) {
            promise.set_exception(std::current_exception());
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
    std::map<std::string, std::shared_future<std::shared_ptr<const CompiledKernel>>> entries_;
};

KernelCache &cache() {
    static KernelCache instance;
    return instance;
}

// What a JIT kernel call sees of the process: its error text collected for the exception instead
// of printed; scratch memory from the reusing pool; and its parallel loops run on the shared
// runtime's thread pool, the one AOT and disk-cached kernels use, so every kernel obeys
// set_num_threads (Halide's JIT pool cannot be shrunk once its workers exist).
struct KernelCallContext : Halide::JITUserContext {
    std::string message;
    KernelCallContext() {
        handlers.custom_error = [](Halide::JITUserContext *context, const char *text) {
            static_cast<KernelCallContext *>(context)->message += text;
        };
        handlers.custom_malloc = [](Halide::JITUserContext *, size_t bytes) { return scratch_allocate(bytes); };
        handlers.custom_free = [](Halide::JITUserContext *, void *block) { scratch_release(block); };
        handlers.custom_do_par_for = [](Halide::JITUserContext *context,
                                        int (*task)(Halide::JITUserContext *, int, uint8_t *), int min, int extent,
                                        uint8_t *closure) {
            // The pool hands the context back to the task as its first argument.
            return detail::run_parallel_loop(context, reinterpret_cast<detail::ParallelTask>(task), min, extent,
                                             closure);
        };
    }
};

}  // namespace

std::shared_ptr<const CompiledKernel> kernel_for(const OpSpec &spec, const std::string &schedule) {
    return cache().get(kernel_key(jit_target(), schedule, spec.key()),
                       [&] { return op_kernel_request(spec, schedule, jit_target()); });
}

std::shared_ptr<const CompiledKernel> chain_kernel_for(const ChainSpec &chain, const std::string &layer_schedule) {
    return cache().get(kernel_key(jit_target(), layer_schedule, chain.key()),
                       [&] { return chain_kernel_request(chain, layer_schedule, jit_target()); });
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

}  // namespace convgen::detail

namespace convgen {
std::vector<ScheduleInfo> available_schedules() {
    std::vector<ScheduleInfo> infos;
    for (const schedules::Schedule &s : schedules::all_schedules()) {
        infos.push_back({std::string(s.name), std::string(s.description)});
    }
    return infos;
}
}  // namespace convgen

namespace convgen::detail {

void check_schedule_name(const std::string &name) { schedules::find_schedule(name); }

size_t compiled_kernel_count() { return cache().size(); }

}  // namespace convgen::detail

namespace convgen {
void clear_memory_kernel_cache() { detail::cache().clear(); }
}  // namespace convgen

namespace convgen::detail {

void run_kernel(const CompiledKernel &kernel, const std::vector<KernelParam> &dense) {
    if (dense.size() != kernel.buffer_count) throw std::logic_error("kernel called with the wrong number of buffers");
    std::vector<std::unique_ptr<KernelBuffer>> buffers;
    std::vector<halide_buffer_t *> b;
    for (const KernelParam &d : dense) {
        buffers.push_back(std::make_unique<KernelBuffer>(d.data, d.extents));
        b.push_back(buffers.back()->get());
    }
    KernelCallContext capture;
    // Callable matches the context argument by its exact type.
    Halide::JITUserContext *context = &capture;
    int status = 0;
    if (!kernel.callable) {
        status = call_aot_entry(kernel.entry, b, capture.message);
    } else {
        // Halide's argv convention: the context by address, then the buffers.
        std::vector<const void *> argv{&context};
        argv.insert(argv.end(), b.begin(), b.end());
        status = kernel.callable->call_argv_fast(argv.size(), argv.data());
    }
    if (status != 0) throw KernelError("kernel failed (" + std::to_string(status) + "): " + capture.message);
}

}  // namespace convgen::detail
