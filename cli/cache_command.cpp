// `convgen cache stats|list|prune|clear`: the disk kernel cache of $CONVGEN_CACHE_DIR (or its
// default), through the runtime's cache_maintenance API.
#include <cstdint>
#include <cstdio>
#include <ctime>

#include "convgen/cache.h"
#include "subcommand.h"

namespace convgen::cli {
namespace {

std::string mib(uint64_t bytes) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f MiB", double(bytes) / double(1 << 20));
    return text;
}

std::string local_time(std::chrono::system_clock::time_point when) {
    const std::time_t seconds = std::chrono::system_clock::to_time_t(when);
    std::tm parts{};
    localtime_r(&seconds, &parts);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &parts);
    return text;
}

std::string count(uint64_t n, const char *one, const char *many) {
    return std::to_string(n) + ' ' + (n == 1 ? one : many);
}

class CacheCommand : public Subcommand {
public:
    explicit CacheCommand(CLI::App &app) {
        CLI::App *cache = app.add_subcommand(
            "cache", "inspect or trim the disk kernel cache ($CONVGEN_CACHE_DIR, else ~/.cache/convgen)");
        cache->require_subcommand(1);
        stats_ = cache->add_subcommand("stats", "directory, entries, size, cap, hits and misses");
        list_ = cache->add_subcommand("list", "each entry's last use, size and key, least recently used first");
        prune_ = cache->add_subcommand("prune", "remove least-recently-used entries down to the cap, and "
                                                "temp files left by dead writers");
        prune_->add_option("--max-mb", max_mib_, "the size to prune to, in MiB (default: the cap)")
            ->check(CLI::Range(uint64_t(1), UINT64_MAX >> 20));
        cache->add_subcommand("clear", "remove every entry not in use and reset the hit/miss counts");
    }

    void run() override {
        const std::string directory = kernel_cache_directory();
        if (stats_->parsed()) return print_stats(directory);
        if (list_->parsed()) return print_list(directory);
        const cache_maintenance::Removal removed =
            prune_->parsed() ? cache_maintenance::prune(directory, max_mib_ ? max_mib_ << 20 : kernel_cache_max_bytes())
                             : cache_maintenance::clear(directory);
        const cache_maintenance::Summary left = cache_maintenance::summary(directory);
        std::printf("removed %s (%s), %s; kept %s in use; %s (%s) remain\n",
                    count(removed.entries, "entry", "entries").c_str(), mib(removed.bytes).c_str(),
                    count(removed.temp_files, "abandoned temp file", "abandoned temp files").c_str(),
                    count(removed.in_use, "entry", "entries").c_str(), count(left.entries, "entry", "entries").c_str(),
                    mib(left.bytes).c_str());
    }

private:
    static void print_stats(const std::string &directory) {
        const cache_maintenance::Summary s = cache_maintenance::summary(directory);
        std::printf("directory  %s%s\n", directory.c_str(), disk_cache_enabled() ? "" : " (off: CONVGEN_CACHE)");
        std::printf("entries    %llu\n", static_cast<unsigned long long>(s.entries));
        std::printf("size       %s (%llu bytes)\n", mib(s.bytes).c_str(), static_cast<unsigned long long>(s.bytes));
        std::printf("cap        %s\n", mib(kernel_cache_max_bytes()).c_str());
        std::printf("hits       %llu\n", static_cast<unsigned long long>(s.hits));
        std::printf("misses     %llu\n", static_cast<unsigned long long>(s.misses));
    }

    static void print_list(const std::string &directory) {
        const std::vector<cache_maintenance::Entry> entries = cache_maintenance::list(directory);
        if (entries.empty()) {
            std::printf("no entries in %s\n", directory.c_str());
            return;
        }
        std::printf("%-19s %10s  %s\n", "last use", "bytes", "key");
        for (const cache_maintenance::Entry &e : entries) {
            std::printf("%-19s %10llu  %s\n", local_time(e.last_use).c_str(), static_cast<unsigned long long>(e.bytes),
                        e.key.c_str());
        }
    }

    CLI::App *stats_ = nullptr, *list_ = nullptr, *prune_ = nullptr;  // else `clear`
    uint64_t max_mib_ = 0;  // 0: not given
};

}  // namespace

std::unique_ptr<Subcommand> add_cache_command(CLI::App &app) { return std::make_unique<CacheCommand>(app); }

}  // namespace convgen::cli
