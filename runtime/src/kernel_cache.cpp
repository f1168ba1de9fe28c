#include "kernel_cache.h"

#include <future>
#include <map>
#include <mutex>

#include <Halide.h>

#include "convgen/errors.h"
#include "generator/generate.h"
#include "schedules/registry.h"
#include "threads_internal.h"

namespace convgen::detail {

class CompiledKernel {
public:
    CompiledKernel(Halide::Callable callable, size_t buffer_count)
        : callable(std::move(callable)), buffer_count(buffer_count) {}
    Halide::Callable callable;
    size_t buffer_count;
};

namespace {

const Halide::Target &jit_target() {
    static const Halide::Target target = Halide::get_jit_target_from_environment();
    return target;
}

std::shared_ptr<const CompiledKernel> compile(const OpSpec &spec, const std::string &schedule_name) {
    const schedules::Schedule &schedule = schedules::find_schedule(schedule_name);
    try {
        generator::GeneratedPipeline pipeline = generator::generate(spec);
        schedule.apply(pipeline, spec, jit_target());
        Halide::Pipeline halide_pipeline(pipeline.output);
        Halide::Callable callable = halide_pipeline.compile_to_callable(pipeline.arguments, jit_target());
        return std::make_shared<CompiledKernel>(std::move(callable), pipeline.arguments.size() + 1);
    } catch (const Halide::Error &e) {
        throw KernelError("failed to generate the kernel for " + spec.key() + " with schedule '" +
                          schedule_name + "': " + e.what());
    }
}

class KernelCache {
public:
    std::shared_ptr<const CompiledKernel> get(const OpSpec &spec, const std::string &schedule) {
        const std::string key = jit_target().to_string() + '|' + schedule + '|' + spec.key();
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
        if (entry.valid()) return entry.get();  // compiled, or being compiled by another thread

        try {
            std::shared_ptr<const CompiledKernel> kernel;
            {
                // One compile at a time: LLVM codegen is CPU-bound and Halide's compiler state is shared.
                std::lock_guard compile_lock(compile_mutex_);
                kernel = compile(spec, schedule);
                apply_thread_setting();
            }
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

private:
    std::mutex mutex_, compile_mutex_;
    std::map<std::string, std::shared_future<std::shared_ptr<const CompiledKernel>>> entries_;
};

KernelCache &cache() {
    static KernelCache instance;
    return instance;
}

// Collects the runtime's error text for the exception, instead of printing it.
struct ErrorCapture : Halide::JITUserContext {
    std::string message;
    ErrorCapture() {
        handlers.custom_error = [](Halide::JITUserContext *context, const char *text) {
            static_cast<ErrorCapture *>(context)->message += text;
        };
    }
};

}  // namespace

std::shared_ptr<const CompiledKernel> kernel_for(const OpSpec &spec, const std::string &schedule) {
    return cache().get(spec, schedule);
}

void check_schedule_name(const std::string &name) { schedules::find_schedule(name); }

size_t compiled_kernel_count() { return cache().size(); }

void run_kernel(const CompiledKernel &kernel, const std::vector<halide_buffer_t *> &b) {
    if (b.size() != kernel.buffer_count) throw std::logic_error("kernel called with the wrong number of buffers");
    ErrorCapture capture;
    // Callable matches the context argument by its exact type.
    Halide::JITUserContext *context = &capture;
    int status = 0;
    switch (b.size()) {
    case 2: status = kernel.callable(context, b[0], b[1]); break;
    case 3: status = kernel.callable(context, b[0], b[1], b[2]); break;
    case 4: status = kernel.callable(context, b[0], b[1], b[2], b[3]); break;
    default: throw std::logic_error("unsupported kernel arity");
    }
    if (status != 0) throw KernelError("kernel failed (" + std::to_string(status) + "): " + capture.message);
}

}  // namespace convgen::detail
