#pragma once
// One AOT library: a set of kernels for one target and schedule, written as the requested
// outputs plus a manifest (`<name>.manifest.json`).
#include <filesystem>
#include <string>
#include <vector>

#include "aot/kernel_table_source.h"

namespace convgen::aot {

struct LibraryRequest {
    std::string name;      // file base name
    std::string target;    // any Halide target string ("host", "x86-64-linux-avx2", "arm-64-linux", ...)
    std::string schedule;
    int threads = 1;  // the thread count the program runs the kernels at: the rules choose for it
    std::vector<KernelRequest> kernels;  // specs as layers lower them; re-targeted here
    std::vector<std::string> emit{"static_library", "header"};
    std::filesystem::path output_dir;
};

// Returns the files written. Throws ValueError (bad target, schedule or output name, no
// kernels, duplicate function names) or KernelError (Halide failed).
std::vector<std::filesystem::path> compile_library(const LibraryRequest &request);

// The target string resolved ("host" -> this machine's features); ValueError when invalid.
std::string resolve_target(const std::string &target);

}  // namespace convgen::aot
