#pragma once
// The manifest written beside every AOT library: what each kernel computes (its OpSpec key and
// buffer shapes), for which target and schedule, and what produced it.
#include <string>
#include <vector>

#include "aot/kernel_table_source.h"

namespace convgen::aot {

struct ManifestInfo {
    std::string library_name;
    std::string target;  // resolved
    std::string requested_target;
    std::string schedule;
    std::vector<std::string> files;  // the outputs written, relative to the manifest
};

// JSON text.
std::string manifest_json(const ManifestInfo &info, const std::vector<KernelRequest> &kernels);

}  // namespace convgen::aot
