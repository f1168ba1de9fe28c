// The persistent kernel cache: entries written, found by the next lookup, and never loaded when
// damaged (truncated, garbage, another key): the runtime rebuilds them and the results stay right.
// Several processes sharing one directory stay correct; an unwritable directory only warns.
#include "disk_cache_support.h"

namespace convgen {
namespace {

using namespace convgen::testing;

class DiskCache : public CacheDirectoryTest {
protected:
    // Compiles the conv once (writing its entry) and returns that entry.
    fs::path populate(const CheckedConv &conv) {
        EXPECT_LT(conv.error(), 1e-5);
        const std::vector<fs::path> found = entries(dir_);
        EXPECT_EQ(found.size(), 1u);
        clear_memory_kernel_cache();
        return found.empty() ? fs::path() : found.front();
    }

    // The next call must refuse the damaged entry, recompile, compute correctly and repair it.
    void expect_rejected_and_rebuilt(const CheckedConv &conv, const fs::path &entry, const std::string &damaged) {
        const KernelCacheStats before = kernel_cache_stats();
        EXPECT_LT(conv.error(), 1e-5);
        const KernelCacheStats after = kernel_cache_stats();
        EXPECT_EQ(after.disk_rejected, before.disk_rejected + 1);
        EXPECT_EQ(after.disk_hits, before.disk_hits);
        EXPECT_EQ(after.compiles, before.compiles + 1);
        EXPECT_NE(read_bytes(entry), damaged);
        clear_memory_kernel_cache();
        const KernelCacheStats repaired = kernel_cache_stats();
        EXPECT_LT(conv.error(), 1e-5);
        EXPECT_EQ(kernel_cache_stats().disk_hits, repaired.disk_hits + 1);
    }
};

TEST_F(DiskCache, ASecondLookupLoadsTheEntryInsteadOfCompiling) {
    const CheckedConv conv;
    populate(conv);
    const KernelCacheStats before = kernel_cache_stats();
    EXPECT_LT(conv.error(), 1e-5);
    const KernelCacheStats after = kernel_cache_stats();
    EXPECT_EQ(after.disk_hits, before.disk_hits + 1);
    EXPECT_EQ(after.compiles, before.compiles);
}

TEST_F(DiskCache, ATruncatedEntryIsRebuilt) {
    const CheckedConv conv;
    const fs::path entry = populate(conv);
    const std::string bytes = read_bytes(entry);
    for (size_t keep : {bytes.size() - 1, bytes.size() / 2, size_t(40), size_t(0)}) {
        SCOPED_TRACE(keep);
        const std::string truncated = bytes.substr(0, keep);
        write_bytes(entry, truncated);
        expect_rejected_and_rebuilt(conv, entry, truncated);
        clear_memory_kernel_cache();
    }
}

TEST_F(DiskCache, GarbageInThePayloadIsRebuilt) {
    const CheckedConv conv;
    const fs::path entry = populate(conv);
    std::string bytes = read_bytes(entry);
    for (size_t i = bytes.size() / 2; i < bytes.size() / 2 + 64; ++i) bytes[i] = char(bytes[i] ^ 0x5a);
    write_bytes(entry, bytes);
    expect_rejected_and_rebuilt(conv, entry, bytes);
}

TEST_F(DiskCache, AnEntryForAnotherKeyIsRebuilt) {
    const CheckedConv conv, other(8);
    const fs::path entry = populate(conv);
    fs::remove(entry);
    EXPECT_LT(other.error(), 1e-5);
    const std::vector<fs::path> found = entries(dir_);
    ASSERT_EQ(found.size(), 1u);
    fs::rename(found.front(), entry);  // the other conv's kernel under this conv's name
    clear_memory_kernel_cache();
    expect_rejected_and_rebuilt(conv, entry, read_bytes(entry) + "");
}

TEST_F(DiskCache, AnUnwritableDirectoryFallsBackToMemory) {
    const fs::path file = dir_.string() + ".file";
    write_bytes(file, "not a directory");
    set_kernel_cache_directory((file / "cache").string());
    const CheckedConv conv;
    const KernelCacheStats before = kernel_cache_stats();
    EXPECT_LT(conv.error(), 1e-5);
    EXPECT_EQ(kernel_cache_stats().disk_writes, before.disk_writes);
    fs::remove(file);
}

TEST_F(DiskCache, TurnedOffItNeitherReadsNorWrites) {
    set_disk_cache_enabled(false);
    const CheckedConv conv;
    EXPECT_LT(conv.error(), 1e-5);
    EXPECT_FALSE(fs::exists(dir_) && !entries(dir_).empty());
}

// Run in child processes by SeveralProcessesShareOneDirectory.
TEST(DiskCacheChild, ComputesCorrectly) {
    CONVGEN_ONLY_AS_CHILD();
    EXPECT_LT(CheckedConv().error(), 1e-5);
}

TEST_F(DiskCache, SeveralProcessesShareOneDirectory) {
    std::vector<pid_t> children;
    for (int i = 0; i < 4; ++i) children.push_back(spawn_child("DiskCacheChild.ComputesCorrectly"));
    for (pid_t pid : children) EXPECT_TRUE(succeeded(pid));
    ASSERT_EQ(entries(dir_).size(), 1u);  // temp files all renamed over one entry
    const KernelCacheStats before = kernel_cache_stats();
    EXPECT_LT(CheckedConv().error(), 1e-5);
    EXPECT_EQ(kernel_cache_stats().disk_hits, before.disk_hits + 1);
    EXPECT_FALSE(has_temp_files(dir_));
}

}  // namespace
}  // namespace convgen
