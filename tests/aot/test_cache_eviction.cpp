// The disk cache's size cap: least-recently-used entries go first, an entry another process is
// reading stays, two processes writing keep the directory under the cap, a reader racing a prune
// gets a whole entry or compiles again, and abandoned temp files are removed.
#include <fcntl.h>
#include <sys/file.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "disk_cache_support.h"

namespace convgen {
namespace {

using namespace convgen::testing;
using namespace std::chrono_literals;

class CacheEviction : public CacheDirectoryTest {
protected:
    void TearDown() override {
        set_kernel_cache_max_bytes(1024ull << 20);
        CacheDirectoryTest::TearDown();
    }

    // Computes with the conv (compiling it or loading its entry) and returns its entry file.
    fs::path use(const CheckedConv &conv) {
        const std::vector<fs::path> before = entries(dir_);
        clear_memory_kernel_cache();
        EXPECT_LT(conv.error(), 1e-5);
        for (const fs::path &entry : entries(dir_)) {
            if (std::find(before.begin(), before.end(), entry) == before.end()) return entry;
        }
        return latest_entry();
    }

    // The most recently used entry, as cache_maintenance::list sees it.
    fs::path latest_entry() const {
        const std::vector<cache_maintenance::Entry> listed = cache_maintenance::list(dir_.string());
        return listed.empty() ? fs::path() : fs::path(listed.back().file);
    }

    std::vector<fs::path> listed_files() const {
        std::vector<fs::path> files;
        for (const cache_maintenance::Entry &e : cache_maintenance::list(dir_.string())) files.push_back(e.file);
        return files;
    }
};

TEST_F(CacheEviction, LeastRecentlyUsedEntriesGoFirst) {
    const CheckedConv a(5), b(6), c(7);
    const fs::path entry_a = use(a), entry_b = use(b), entry_c = use(c);
    // File times tick with the kernel's coarse clock (a few ms): let the hit come visibly later.
    std::this_thread::sleep_for(20ms);
    const KernelCacheStats before = kernel_cache_stats();
    EXPECT_EQ(use(a), entry_a);
    EXPECT_EQ(kernel_cache_stats().disk_hits, before.disk_hits + 1);
    EXPECT_EQ(listed_files(), (std::vector<fs::path>{entry_b, entry_c, entry_a}));

    const uint64_t size_b = fs::file_size(entry_b);
    const cache_maintenance::Removal first =
        cache_maintenance::prune(dir_.string(), fs::file_size(entry_c) + fs::file_size(entry_a));
    EXPECT_EQ(first.entries, 1u);
    EXPECT_EQ(first.bytes, size_b);
    EXPECT_EQ(listed_files(), (std::vector<fs::path>{entry_c, entry_a}));
    cache_maintenance::prune(dir_.string(), fs::file_size(entry_a));
    EXPECT_EQ(listed_files(), (std::vector<fs::path>{entry_a}));
}

TEST_F(CacheEviction, TheCapAppliesAfterEachWrite) {
    const CheckedConv a(5), b(6);
    const fs::path entry_a = use(a);
    set_kernel_cache_max_bytes(fs::file_size(entry_a) + fs::file_size(entry_a) / 2);
    std::this_thread::sleep_for(20ms);
    const fs::path entry_b = use(b);  // written, then a evicted to make room
    EXPECT_EQ(listed_files(), (std::vector<fs::path>{entry_b}));
    EXPECT_THROW(set_kernel_cache_max_bytes(0), ValueError);
}

TEST_F(CacheEviction, AnEntryBeingReadIsNotEvicted) {
    const fs::path entry = use(CheckedConv());
    const int reader = ::open(entry.c_str(), O_RDONLY);  // holds the lock a loading process holds
    ASSERT_GE(reader, 0);
    ASSERT_EQ(::flock(reader, LOCK_SH), 0);
    const cache_maintenance::Removal held = cache_maintenance::clear(dir_.string());
    EXPECT_EQ(held.entries, 0u);
    EXPECT_EQ(held.in_use, 1u);
    EXPECT_TRUE(fs::exists(entry));
    ::close(reader);
    const cache_maintenance::Removal released = cache_maintenance::clear(dir_.string());
    EXPECT_EQ(released.entries, 1u);
    EXPECT_EQ(released.in_use, 0u);
    EXPECT_FALSE(fs::exists(entry));
}

// Run by TwoProcessesWritingStayUnderTheCap: compiles three kernels the other child does not.
TEST(CacheEvictionChild, WritesThreeEntries) {
    CONVGEN_ONLY_AS_CHILD();
    set_kernel_cache_max_bytes(std::stoull(std::getenv("CONVGEN_TEST_CAP_BYTES")));
    const int64_t first = std::stoll(std::getenv("CONVGEN_TEST_FIRST_CHANNELS"));
    for (int64_t channels = first; channels < first + 3; ++channels) EXPECT_LT(CheckedConv(channels).error(), 1e-5);
}

TEST_F(CacheEviction, TwoProcessesWritingStayUnderTheCap) {
    const uint64_t entry_bytes = fs::file_size(use(CheckedConv(4)));
    cache_maintenance::clear(dir_.string());
    const uint64_t cap = entry_bytes * 5 / 2;
    const std::string cap_env = "CONVGEN_TEST_CAP_BYTES=" + std::to_string(cap);
    const pid_t one = spawn_child("CacheEvictionChild.WritesThreeEntries", {cap_env, "CONVGEN_TEST_FIRST_CHANNELS=5"});
    const pid_t two = spawn_child("CacheEvictionChild.WritesThreeEntries", {cap_env, "CONVGEN_TEST_FIRST_CHANNELS=8"});
    EXPECT_TRUE(succeeded(one));
    EXPECT_TRUE(succeeded(two));
    const cache_maintenance::Summary summary = cache_maintenance::summary(dir_.string());
    EXPECT_LE(summary.bytes, cap);
    EXPECT_GE(summary.entries, 1u);
    EXPECT_LT(summary.entries, 6u);
    EXPECT_EQ(summary.misses, 6u);  // counted across both processes
    EXPECT_EQ(summary.hits, 0u);
    EXPECT_FALSE(has_temp_files(dir_));
}

// Run by AReaderRacingPruneGetsAWholeEntryOrCompiles: looks the same kernel up again and again
// (each time from disk or by compiling) while the parent removes its entry, until told to stop.
TEST(CacheEvictionChild, LooksUpRepeatedly) {
    CONVGEN_ONLY_AS_CHILD();
    const fs::path stop = std::getenv("CONVGEN_TEST_STOP_FILE");
    const CheckedConv conv;
    uint64_t lookups = 0;
    for (; !fs::exists(stop) && lookups < 5000; ++lookups) {
        clear_memory_kernel_cache();
        ASSERT_LT(conv.error(), 1e-5);
    }
    const KernelCacheStats stats = kernel_cache_stats();
    EXPECT_EQ(stats.disk_rejected, 0u);  // never a half-read entry
    EXPECT_EQ(stats.disk_hits + stats.compiles, lookups);
    EXPECT_GT(stats.disk_hits, 0u);
}

TEST_F(CacheEviction, AReaderRacingPruneGetsAWholeEntryOrCompiles) {
    const fs::path stop = dir_.string() + ".stop";
    fs::remove(stop);
    const pid_t reader = spawn_child("CacheEvictionChild.LooksUpRepeatedly", {"CONVGEN_TEST_STOP_FILE=" + stop.string()});
    // Removes the entry three times while the child keeps loading it (the child rebuilds it in
    // between); the child reads either the whole file it had opened or none, and compiles.
    // Each removal waits for a disk hit since the last one (clear resets the shared counts), so a
    // loaded machine cannot have the child compile every time and never read the entry back.
    uint64_t removed = 0;
    for (int tries = 0; removed < 3 && tries < 3000; ++tries) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5 + tries % 7));
        if (cache_maintenance::summary(dir_.string()).hits == 0) continue;
        removed += cache_maintenance::clear(dir_.string()).entries;
    }
    write_bytes(stop, "");
    EXPECT_TRUE(succeeded(reader));
    EXPECT_EQ(removed, 3u);
    fs::remove(stop);
}

TEST_F(CacheEviction, AbandonedTempFilesAreRemoved) {
    fs::create_directories(dir_);
    const pid_t dead = fork();
    if (dead == 0) _exit(0);
    ASSERT_EQ(waitpid(dead, nullptr, 0), dead);
    const auto temp = [&](pid_t writer, const char *name, std::chrono::minutes age) {
        const fs::path path = dir_ / (std::string(name) + ".kernel.tmp." + std::to_string(writer) + ".0");
        write_bytes(path, "partial");
        fs::last_write_time(path, fs::file_time_type::clock::now() - age);
        return path;
    };
    const fs::path dead_writer = temp(dead, "a", 2min), old = temp(getpid(), "b", 120min),
                   being_written = temp(getpid(), "c", 2min), just_written = temp(dead, "d", 0min);
    EXPECT_EQ(cache_maintenance::prune(dir_.string(), 1).temp_files, 2u);
    EXPECT_FALSE(fs::exists(dead_writer));
    EXPECT_FALSE(fs::exists(old));
    EXPECT_TRUE(fs::exists(being_written));
    EXPECT_TRUE(fs::exists(just_written));  // its writer may live in another PID namespace
}

TEST_F(CacheEviction, APathThatIsNotADirectoryIsAnError) {
    write_bytes(dir_, "a file");
    EXPECT_THROW(cache_maintenance::summary(dir_.string()), ValueError);
    EXPECT_THROW(cache_maintenance::clear(dir_.string()), ValueError);
    EXPECT_THROW(cache_maintenance::prune(fs::temp_directory_path().string(), 0), ValueError);
}

}  // namespace
}  // namespace convgen
