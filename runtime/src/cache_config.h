#pragma once
// The disk cache's settings: environment defaults, overridable through convgen/cache.h.
#include <filesystem>
#include <optional>

namespace convgen::detail {

// The directory to use now, or nullopt when the disk cache is off.
std::optional<std::filesystem::path> active_cache_directory();

// Called once the directory proved unwritable: warns (once per directory) and stops writing there.
void report_unwritable(const std::filesystem::path &directory, const std::string &reason);
bool writable(const std::filesystem::path &directory);

}  // namespace convgen::detail
