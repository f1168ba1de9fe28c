#pragma once
// Keeping a disk cache directory within its size cap (convgen/cache.h, cache_maintenance).
#include <filesystem>

#include "convgen/cache.h"

namespace convgen::detail {

// Removes stale temp files, then least-recently-used entries that no process is reading until
// the entries total at most max_bytes. Processes prune one at a time (an flock on the directory).
// Never throws: what cannot be removed stays. Called after each write and by `convgen cache`.
cache_maintenance::Removal prune_directory(const std::filesystem::path &directory, uint64_t max_bytes);

}  // namespace convgen::detail
