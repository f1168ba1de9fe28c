#include "kernel_sources.h"

#include <atomic>
#include <cstdio>
#include <mutex>

#include "aot/kernel_module.h"
#include "aot_lookup.h"
#include "cache_config.h"
#include "cache_maintenance.h"
#include "cache_stats_file.h"
#include "convgen/cache.h"
#include "convgen/errors.h"
#include "convgen/kernel_signature.h"
#include "disk_cache.h"

namespace convgen::detail {
namespace {

struct Counters {
    std::atomic<uint64_t> memory_hits{0}, aot_hits{0}, disk_hits{0}, disk_rejected{0}, disk_writes{0}, compiles{0};
};

Counters &counters() {
    static Counters instance;
    return instance;
}

// One Halide compile at a time: LLVM codegen is CPU-bound and Halide's compiler state is shared.
std::mutex &compile_mutex() {
    static std::mutex mutex;
    return mutex;
}

constexpr const char *kCachedFunction = "convgen_cached_kernel";

Halide::Target cache_target(const Halide::Target &jit_target) {
    return jit_target.without_feature(Halide::Target::JIT).with_feature(Halide::Target::NoRuntime);
}

std::shared_ptr<const CompiledKernel> load(const KernelRequest &request, const std::string &payload,
                                           std::string &error) {
    std::shared_ptr<LoadedLibrary> library = load_shared_object(payload, error);
    if (!library) return nullptr;
    auto entry = reinterpret_cast<AotEntryPoint>(library->symbol(std::string(kCachedFunction) + "_argv"));
    if (!entry) {
        error = "no kernel entry point";
        return nullptr;
    }
    return std::make_shared<CompiledKernel>(entry, std::move(library), request.buffer_count);
}

std::shared_ptr<const CompiledKernel> from_disk(const std::filesystem::path &dir, const KernelRequest &request) {
    DiskLookup found = read_entry(dir, request.key);
    std::string error = found.reason;
    if (found.payload) {
        if (auto kernel = load(request, *found.payload, error)) {
            ++counters().disk_hits;
            add_disk_counts(dir, {1, 0});
            return kernel;
        }
        found.rejected = true;
    }
    if (found.rejected) ++counters().disk_rejected;
    return nullptr;
}

std::shared_ptr<const CompiledKernel> jit_compile(const KernelRequest &request, const Halide::Target &target) {
    aot::ScheduledKernel kernel = request.schedule(target);
    try {
        Halide::Callable callable = kernel.pipeline.compile_to_callable(kernel.arguments, target);
        return std::make_shared<CompiledKernel>(std::move(callable), kernel.arguments.size() + 1);
    } catch (const Halide::Error &e) {
        throw KernelError("failed to compile the kernel for " + request.description + ": " + e.what());
    }
}

// Compiles into a shared object, stores it, and loads it back: the kernel then runs exactly as
// it will in the next process. Falls back to the JIT when no system linker can be used.
std::shared_ptr<const CompiledKernel> compile_for_disk(const std::filesystem::path &dir, const KernelRequest &request,
                                                       const Halide::Target &jit_target) {
    const Halide::Target target = cache_target(jit_target);
    const Halide::Module module = aot::module_of(request.schedule(target), request.description, target, kCachedFunction);
    std::string shared_object;
    try {
        const Halide::Buffer<uint8_t> object = module.compile_to_buffer();
        shared_object = link_shared_object(std::string(reinterpret_cast<const char *>(object.data()), object.size_in_bytes()));
    } catch (const Halide::Error &e) {
        throw KernelError("failed to compile the kernel for " + request.description + ": " + e.what());
    } catch (const KernelError &e) {  // no usable system linker: this process JITs instead
        report_unwritable(dir, e.what());
        return jit_compile(request, jit_target);
    }
    std::string error;
    if (writable(dir)) {
        if (write_entry(dir, request.key, shared_object, error)) {
            ++counters().disk_writes;
            // Counted here, where the directory is known to be writable.
            add_disk_counts(dir, {0, 1});
            prune_directory(dir, kernel_cache_max_bytes());
        } else {
            report_unwritable(dir, error);
        }
    }
    if (auto kernel = load(request, shared_object, error)) return kernel;
    throw KernelError("cannot load the kernel just compiled for " + request.description + ": " + error);
}

}  // namespace

void record_memory_hit() { ++counters().memory_hits; }

std::string kernel_key(const Halide::Target &target, const std::string &schedule, const std::string &spec_key) {
    return target.to_string() + '|' + schedule + '|' + spec_key;
}

KernelRequest op_kernel_request(const OpSpec &spec, const std::string &schedule, const Halide::Target &jit_target) {
    return {kernel_key(jit_target, schedule, spec.key()), spec.key() + " with schedule '" + schedule + "'",
            kernel_buffer_extents(spec).size(),
            [spec, schedule](const Halide::Target &target) { return aot::schedule_kernel(spec, schedule, target); },
            find_aot_kernel(spec, schedule, jit_target)};
}

KernelRequest chain_kernel_request(const ChainSpec &chain, const std::string &layer_schedule,
                                   const Halide::Target &jit_target) {
    return {kernel_key(jit_target, layer_schedule, chain.key()),
            chain.key() + " with schedule '" + layer_schedule + "'", chain_buffer_extents(chain).size(),
            [chain, layer_schedule](const Halide::Target &target) {
                return aot::schedule_chain_kernel(chain, layer_schedule, target);
            }};
}

std::shared_ptr<const CompiledKernel> find_or_build_kernel(const KernelRequest &request,
                                                           const Halide::Target &jit_target) {
    if (request.linked) {
        ++counters().aot_hits;
        return std::make_shared<CompiledKernel>(request.linked->entry, nullptr, request.buffer_count);
    }
    const std::optional<std::filesystem::path> dir = active_cache_directory();
    if (dir) {
        if (auto kernel = from_disk(*dir, request)) return kernel;
    }
    std::lock_guard lock(compile_mutex());
    ++counters().compiles;
    if (dir && writable(*dir)) return compile_for_disk(*dir, request, jit_target);
    return jit_compile(request, jit_target);
}

}  // namespace convgen::detail

namespace convgen {

KernelCacheStats kernel_cache_stats() {
    const detail::Counters &c = detail::counters();
    return {c.memory_hits, c.aot_hits, c.disk_hits, c.disk_rejected, c.disk_writes, c.compiles};
}

}  // namespace convgen
