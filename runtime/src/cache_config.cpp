#include "cache_config.h"

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <set>
#include <string>

#include "convgen/cache.h"
#include "convgen/cache_directory.h"

namespace convgen {
namespace {

struct Settings {
    std::mutex mutex;
    bool enabled;
    std::filesystem::path directory;
    std::set<std::filesystem::path> unwritable;

    Settings() : enabled(enabled_from_environment()), directory(cache_directory_from_environment()) {}

    static bool enabled_from_environment() {
        const char *value = std::getenv("CONVGEN_CACHE");
        if (!value) return true;
        const std::string text = value;
        return !(text == "off" || text == "0" || text == "false" || text == "no");
    }
};

Settings &settings() {
    static Settings instance;
    return instance;
}

}  // namespace

void set_kernel_cache_directory(const std::string &path) {
    std::lock_guard lock(settings().mutex);
    settings().directory = path;
}

std::string kernel_cache_directory() {
    std::lock_guard lock(settings().mutex);
    return settings().directory.string();
}

void set_disk_cache_enabled(bool enabled) {
    std::lock_guard lock(settings().mutex);
    settings().enabled = enabled;
}

bool disk_cache_enabled() {
    std::lock_guard lock(settings().mutex);
    return settings().enabled;
}

namespace detail {

std::optional<std::filesystem::path> active_cache_directory() {
    std::lock_guard lock(settings().mutex);
    if (!settings().enabled || settings().directory.empty()) return std::nullopt;
    return settings().directory;
}

void report_unwritable(const std::filesystem::path &directory, const std::string &reason) {
    std::lock_guard lock(settings().mutex);
    if (!settings().unwritable.insert(directory).second) return;
    std::fprintf(stderr, "convgen: warning: cannot write the kernel cache in '%s' (%s); caching in memory only\n",
                 directory.c_str(), reason.c_str());
}

bool writable(const std::filesystem::path &directory) {
    std::lock_guard lock(settings().mutex);
    return settings().unwritable.count(directory) == 0;
}

}  // namespace detail
}  // namespace convgen
