#include "cache_maintenance.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <numeric>
#include <optional>
#include <vector>

#include "cache_stats_file.h"
#include "convgen/errors.h"
#include "disk_cache.h"
#include "locked_file.h"

namespace convgen::detail {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::system_clock;

// A temp file this old is abandoned whoever wrote it.
constexpr auto kAbandonedTempAge = std::chrono::hours(1);
// Longer than any entry takes to write. The writer's pid is trusted only for files this old: a
// process sharing the directory from another PID namespace (a container) looks dead from here.
constexpr auto kWriteTime = std::chrono::minutes(1);

Clock::time_point time_point(const timespec &t) {
    return Clock::time_point(std::chrono::duration_cast<Clock::duration>(std::chrono::seconds(t.tv_sec) +
                                                                         std::chrono::nanoseconds(t.tv_nsec)));
}

struct EntryFile {
    fs::path path;
    uint64_t bytes;
    Clock::time_point last_use;
};

// Least recently used first.
std::vector<EntryFile> entry_files(const fs::path &directory) {
    std::vector<EntryFile> files;
    std::error_code ec;
    for (fs::directory_iterator it(directory, ec), end; !ec && it != end; it.increment(ec)) {
        struct stat st {};
        if (!is_entry(it->path()) || ::stat(it->path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
        files.push_back({it->path(), uint64_t(st.st_size), time_point(st.st_mtim)});
    }
    std::sort(files.begin(), files.end(), [](const EntryFile &a, const EntryFile &b) {
        return a.last_use != b.last_use ? a.last_use < b.last_use : a.path < b.path;
    });
    return files;
}

enum class Outcome { Removed, InUse, Gone, Failed };

Outcome remove_unless_in_use(const fs::path &entry) {
    const LockedFile file(entry, O_RDONLY, LockedFile::Lock::ExclusiveIfFree);
    if (!file.locked()) return file.held_elsewhere() ? Outcome::InUse : Outcome::Gone;
    // A writer may have renamed a new entry over the name since it was opened: remove only the
    // file that is locked. (A reader that opened it earlier still reads its whole inode.)
    struct stat locked {}, named {};
    if (::fstat(file.fd(), &locked) != 0 || ::stat(entry.c_str(), &named) != 0 || locked.st_ino != named.st_ino ||
        locked.st_dev != named.st_dev) {
        return Outcome::Gone;
    }
    return ::unlink(entry.c_str()) == 0 ? Outcome::Removed : Outcome::Failed;
}

bool abandoned(const fs::path &temp, pid_t writer) {
    struct stat st {};
    if (::stat(temp.c_str(), &st) != 0) return false;
    const auto age = Clock::now() - time_point(st.st_mtim);
    return age > kAbandonedTempAge || (age > kWriteTime && ::kill(writer, 0) != 0 && errno == ESRCH);
}

uint64_t remove_abandoned_temp_files(const fs::path &directory) {
    uint64_t removed = 0;
    std::error_code ec;
    for (fs::directory_iterator it(directory, ec), end; !ec && it != end; it.increment(ec)) {
        const std::optional<pid_t> writer = temp_file_writer(it->path());
        if (writer && abandoned(it->path(), *writer) && ::unlink(it->path().c_str()) == 0) ++removed;
    }
    return removed;
}

// A usable directory argument: it may not exist yet (an empty cache), but must not be a file.
fs::path checked_directory(const std::string &directory) {
    if (directory.empty()) throw ValueError("no kernel cache directory (set CONVGEN_CACHE_DIR)");
    std::error_code ec;
    if (fs::exists(directory, ec) && !fs::is_directory(directory, ec)) {
        throw ValueError("the kernel cache directory '" + directory + "' is not a directory");
    }
    return directory;
}

}  // namespace

cache_maintenance::Removal prune_directory(const fs::path &directory, uint64_t max_bytes) {
    cache_maintenance::Removal removed;
    // One pruner at a time, so two processes that both just wrote do not each remove entries for
    // the same excess.
    const LockedFile pruning(directory, O_RDONLY | O_DIRECTORY, LockedFile::Lock::Exclusive);
    if (!pruning.locked()) return removed;  // no directory yet: nothing to prune
    removed.temp_files = remove_abandoned_temp_files(directory);
    const std::vector<EntryFile> files = entry_files(directory);
    uint64_t total = std::accumulate(files.begin(), files.end(), uint64_t(0),
                                     [](uint64_t sum, const EntryFile &f) { return sum + f.bytes; });
    for (const EntryFile &file : files) {
        if (total <= max_bytes) break;
        switch (remove_unless_in_use(file.path)) {
        case Outcome::Removed:
            ++removed.entries;
            removed.bytes += file.bytes;
            total -= file.bytes;
            break;
        case Outcome::InUse: ++removed.in_use; break;
        case Outcome::Gone: total -= file.bytes; break;  // another process removed or replaced it
        case Outcome::Failed: break;
        }
    }
    return removed;
}

}  // namespace convgen::detail

namespace convgen::cache_maintenance {

Summary summary(const std::string &directory) {
    const std::filesystem::path dir = detail::checked_directory(directory);
    Summary result;
    for (const detail::EntryFile &file : detail::entry_files(dir)) {
        ++result.entries;
        result.bytes += file.bytes;
    }
    const detail::DiskCounts counts = detail::read_disk_counts(dir);
    result.hits = counts.hits;
    result.misses = counts.misses;
    return result;
}

std::vector<Entry> list(const std::string &directory) {
    std::vector<Entry> entries;
    for (const detail::EntryFile &file : detail::entry_files(detail::checked_directory(directory))) {
        entries.push_back({file.path.string(), detail::entry_key(file.path).value_or("?"), file.bytes, file.last_use});
    }
    return entries;
}

Removal prune(const std::string &directory, uint64_t max_bytes) {
    const std::filesystem::path dir = detail::checked_directory(directory);
    if (max_bytes == 0) throw ValueError("the size to prune the kernel cache to must be positive (clear empties it)");
    return detail::prune_directory(dir, max_bytes);
}

Removal clear(const std::string &directory) {
    const std::filesystem::path dir = detail::checked_directory(directory);
    const Removal removed = detail::prune_directory(dir, 0);
    detail::reset_disk_counts(dir);
    return removed;
}

}  // namespace convgen::cache_maintenance
