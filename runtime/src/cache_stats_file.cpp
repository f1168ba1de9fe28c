#include "cache_stats_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "locked_file.h"

namespace convgen::detail {
namespace {

constexpr const char *kStatsFile = "stats";

// Unreadable or damaged counts start again from zero.
DiskCounts parse(const LockedFile &file) {
    std::string text;
    unsigned long long hits = 0, misses = 0;
    if (!file.read_all(text) || std::sscanf(text.c_str(), "hits %llu\nmisses %llu", &hits, &misses) != 2) return {};
    return {hits, misses};
}

}  // namespace

bool add_disk_counts(const std::filesystem::path &directory, DiskCounts added) {
    const LockedFile file(directory / kStatsFile, O_RDWR | O_CREAT, LockedFile::Lock::Exclusive);
    if (!file.locked()) return false;
    DiskCounts counts = parse(file);
    counts.hits += added.hits;
    counts.misses += added.misses;
    const std::string text =
        "hits " + std::to_string(counts.hits) + "\nmisses " + std::to_string(counts.misses) + "\n";
    // Counts only grow, so the new text covers the old; the truncate matters after damage.
    return ::pwrite(file.fd(), text.data(), text.size(), 0) == ssize_t(text.size()) &&
           ::ftruncate(file.fd(), off_t(text.size())) == 0;
}

DiskCounts read_disk_counts(const std::filesystem::path &directory) {
    const LockedFile file(directory / kStatsFile, O_RDONLY, LockedFile::Lock::Shared);
    return file.locked() ? parse(file) : DiskCounts{};
}

bool reset_disk_counts(const std::filesystem::path &directory) {
    const LockedFile file(directory / kStatsFile, O_RDWR, LockedFile::Lock::Exclusive);
    return !file.locked() || ::ftruncate(file.fd(), 0) == 0;  // no file: nothing counted
}

}  // namespace convgen::detail
