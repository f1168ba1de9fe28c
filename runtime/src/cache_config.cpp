#include "cache_config.h"

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <set>
#include <string>

#include "convgen/cache.h"
#include "convgen/cache_directory.h"
#include "convgen/errors.h"

namespace convgen {
namespace {

struct Settings {
    std::mutex mutex;
    bool enabled;
    std::filesystem::path directory;
    uint64_t max_bytes;
    std::set<std::filesystem::path> unwritable;

    Settings()
        : enabled(enabled_from_environment()),
          directory(cache_directory_from_environment()),
          max_bytes(max_bytes_from_environment()) {}

    static bool enabled_from_environment() {
        const char *value = std::getenv("CONVGEN_CACHE");
        if (!value) return true;
        const std::string text = value;
        return !(text == "off" || text == "0" || text == "false" || text == "no");
    }

    // A bad value must not fail the layer calls that read it: it warns and keeps the default.
    static uint64_t max_bytes_from_environment() {
        constexpr uint64_t kDefaultMiB = 1024;
        const char *value = std::getenv("CONVGEN_CACHE_MAX_MB");
        if (!value) return kDefaultMiB << 20;
        char *end = nullptr;
        errno = 0;
        const unsigned long long mib = std::strtoull(value, &end, 10);
        if (errno != 0 || end == value || *end != '\0' || *value == '-' || mib == 0 || mib > (UINT64_MAX >> 20)) {
            std::fprintf(stderr,
                         "convgen: warning: CONVGEN_CACHE_MAX_MB='%s' is not a positive whole number of MiB; "
                         "using %llu\n",
                         value, static_cast<unsigned long long>(kDefaultMiB));
            return kDefaultMiB << 20;
        }
        return uint64_t(mib) << 20;
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

void set_kernel_cache_max_bytes(uint64_t bytes) {
    if (bytes == 0) throw ValueError("the kernel cache's size cap must be positive (turn the cache off instead)");
    std::lock_guard lock(settings().mutex);
    settings().max_bytes = bytes;
}

uint64_t kernel_cache_max_bytes() {
    std::lock_guard lock(settings().mutex);
    return settings().max_bytes;
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
