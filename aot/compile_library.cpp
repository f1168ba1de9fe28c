#include "aot/compile_library.h"

#include <optional>
#include <algorithm>
#include <fstream>
#include <set>

#include <Halide.h>

#include "aot/kernel_module.h"
#include "aot/manifest.h"
#include "aot/outputs.h"
#include "convgen/errors.h"

namespace convgen::aot {
namespace {

Halide::Target parse_target(const std::string &text) {
    if (!Halide::Target::validate_target_string(text)) {
        throw ValueError("invalid Halide target '" + text + "'");
    }
    Halide::Target target(text);
    // Bare `avx512` is Knights Landing's F+CD subset, on which Halide 21's LLVM aborts (an
    // assertion, not an error) for these pipelines; every AVX-512 CPU since Skylake-SP has the
    // Skylake subset, so that is what `avx512` means here.
    using F = Halide::Target::Feature;
    if (target.has_feature(F::AVX512) && !target.features_any_of({F::AVX512_KNL, F::AVX512_Skylake,
                                                                  F::AVX512_Cannonlake, F::AVX512_SapphireRapids})) {
        target.set_features({F::AVX512_Skylake, F::AVX2, F::AVX, F::FMA, F::F16C, F::SSE41});
    }
    return target;
}

void write_text(const std::filesystem::path &path, const std::string &text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
    if (!out.flush()) throw Error("cannot write '" + path.string() + "'");
}

void check_request(const LibraryRequest &request) {
    if (request.kernels.empty()) throw ValueError("no kernels to compile");
    std::set<std::string> names;
    for (const KernelRequest &k : request.kernels) {
        if (!names.insert(k.function_name).second) {
            throw ValueError("two kernels are named '" + k.function_name + "'");
        }
    }
}

}  // namespace

std::string resolve_target(const std::string &target) { return parse_target(target).to_string(); }

std::vector<std::filesystem::path> compile_library(const LibraryRequest &request) {
    check_request(request);
    const Halide::Target target = parse_target(request.target);
    std::vector<KernelRequest> kernels;
    std::vector<Halide::Module> modules;
    for (const KernelRequest &k : request.kernels) {
        kernels.push_back({k.function_name, spec_for_target(k.spec, request.schedule, target, request.threads)});
        modules.push_back(kernel_module(kernels.back().spec, request.schedule, target, k.function_name));
    }

    std::filesystem::create_directories(request.output_dir);
    std::vector<std::string> emit = request.emit;
    const auto wants = [&](const char *name) { return std::find(emit.begin(), emit.end(), name) != emit.end(); };
    if (wants(kKernelTable) && !wants("header")) emit.emplace_back("header");  // the glue includes it
    const OutputPlan plan = plan_outputs(emit, request.output_dir, request.name);
    try {
        Halide::Module library = Halide::link_modules(request.name, modules);
        // Linking drops the autoscheduler results; keep every kernel's for `--emit schedule`.
        std::optional<Halide::AutoSchedulerResults> chosen;
        for (size_t i = 0; i < modules.size(); ++i) {
            const Halide::AutoSchedulerResults *results = modules[i].get_auto_scheduler_results();
            if (!results) continue;
            if (!chosen) chosen = *results, chosen->schedule_source.clear();
            chosen->schedule_source += "// " + kernels[i].function_name + "\n" + results->schedule_source + "\n";
        }
        if (chosen) library.set_auto_scheduler_results(*chosen);
        library.compile(plan.halide);
    } catch (const Halide::Error &e) {
        throw KernelError("failed to write " + request.name + " for " + target.to_string() + ": " + e.what());
    }

    std::vector<std::filesystem::path> written;
    for (const auto &[type, path] : plan.halide) written.emplace_back(path);
    if (auto table = plan.convgen.find(kKernelTable); table != plan.convgen.end()) {
        const KernelTableInfo info{request.name, request.name + ".h", target.to_string(), request.schedule};
        write_text(table->second, kernel_table_source(info, kernels));
        written.push_back(table->second);
    }

    ManifestInfo manifest{request.name, target.to_string(), request.target, request.schedule, {}};
    for (const std::filesystem::path &p : written) manifest.files.push_back(p.filename().string());
    const std::filesystem::path manifest_path = request.output_dir / (request.name + ".manifest.json");
    write_text(manifest_path, manifest_json(manifest, kernels));
    written.push_back(manifest_path);
    return written;
}

}  // namespace convgen::aot
