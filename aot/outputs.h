#pragma once
// The files `convgen compile --emit` can write, by the names users give them.
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <Halide.h>

namespace convgen::aot {

// Halide outputs plus convgen's own `kernel_table`: C++ glue listing the library's kernels, their
// OpSpecs and argv entry points, which links itself into convgen::aot_kernel_tables() when the
// program starts (convgen/aot_kernel.h), so the layer runtime finds them.
inline constexpr const char *kKernelTable = "kernel_table";

// Every accepted name, for help text and errors.
std::vector<std::string> output_names();

struct OutputPlan {
    std::map<Halide::OutputFileType, std::string> halide;  // for Module::compile
    std::map<std::string, std::filesystem::path> convgen;  // kernel_table
};

// Paths in `dir` named `base` + the output's extension. Throws ValueError for an unknown name.
OutputPlan plan_outputs(const std::vector<std::string> &names, const std::filesystem::path &dir,
                        const std::string &base);

}  // namespace convgen::aot
