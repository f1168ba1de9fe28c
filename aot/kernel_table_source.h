#pragma once
// The C++ source of a `kernel_table` output (see convgen/aot_kernel.h).
#include <string>
#include <vector>

#include "convgen/op_spec.h"

namespace convgen::aot {

struct KernelRequest {
    std::string function_name;
    OpSpec spec;
};

struct KernelTableInfo {
    std::string library_name;  // also names the table's symbols
    std::string header_file;   // the library's Halide header, included by the glue
    std::string target;        // resolved target string
    std::string schedule;
};

std::string kernel_table_source(const KernelTableInfo &info, const std::vector<KernelRequest> &kernels);

}  // namespace convgen::aot
