#pragma once
// Disk-cache hit and miss counts shared by every process that uses a cache directory: the file
// "stats" there ("hits N\nmisses M\n"), read and rewritten under an exclusive flock. Updated only
// after an in-memory miss, so at most once per kernel per process. Best effort: where the file
// cannot be written nothing is counted and nothing warns (the entries' own writes report that).
#include <cstdint>
#include <filesystem>

namespace convgen::detail {

struct DiskCounts {
    uint64_t hits = 0;
    uint64_t misses = 0;
};

// False when the counts could not be updated (callers go on: the counts are informational).
bool add_disk_counts(const std::filesystem::path &directory, DiskCounts added);
DiskCounts read_disk_counts(const std::filesystem::path &directory);
bool reset_disk_counts(const std::filesystem::path &directory);

}  // namespace convgen::detail
