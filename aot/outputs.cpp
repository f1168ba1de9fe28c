#include "aot/outputs.h"

#include <array>

#include "convgen/errors.h"

namespace convgen::aot {
namespace {

struct HalideOutput {
    const char *name;
    Halide::OutputFileType type;
    const char *extension;
};

constexpr std::array kHalideOutputs{
    HalideOutput{"static_library", Halide::OutputFileType::static_library, ".a"},
    HalideOutput{"header", Halide::OutputFileType::c_header, ".h"},
    HalideOutput{"object", Halide::OutputFileType::object, ".o"},
    HalideOutput{"assembly", Halide::OutputFileType::assembly, ".s"},
    HalideOutput{"llvm_assembly", Halide::OutputFileType::llvm_assembly, ".ll"},
    HalideOutput{"bitcode", Halide::OutputFileType::bitcode, ".bc"},
    HalideOutput{"stmt", Halide::OutputFileType::stmt, ".stmt"},
    HalideOutput{"stmt_html", Halide::OutputFileType::stmt_html, ".stmt.html"},
    HalideOutput{"schedule", Halide::OutputFileType::schedule, ".schedule.h"},
    HalideOutput{"c_source", Halide::OutputFileType::c_source, ".halide_generated.cpp"},
};

constexpr std::array<std::pair<const char *, const char *>, 1> kConvgenOutputs{{
    {kKernelTable, ".kernels.cpp"},
}};

}  // namespace

std::vector<std::string> output_names() {
    std::vector<std::string> names;
    for (const HalideOutput &o : kHalideOutputs) names.emplace_back(o.name);
    for (const auto &[name, extension] : kConvgenOutputs) names.emplace_back(name);
    return names;
}

OutputPlan plan_outputs(const std::vector<std::string> &names, const std::filesystem::path &dir,
                        const std::string &base) {
    OutputPlan plan;
    for (const std::string &name : names) {
        bool known = false;
        for (const HalideOutput &o : kHalideOutputs) {
            if (name == o.name) {
                plan.halide[o.type] = (dir / (base + o.extension)).string();
                known = true;
            }
        }
        for (const auto &[convgen_name, extension] : kConvgenOutputs) {
            if (name == convgen_name) {
                plan.convgen[name] = dir / (base + extension);
                known = true;
            }
        }
        if (!known) {
            std::string all;
            for (const std::string &n : output_names()) all += (all.empty() ? "" : ", ") + n;
            throw ValueError("unknown --emit output '" + name + "', expected some of {" + all + "}");
        }
    }
    return plan;
}

}  // namespace convgen::aot
