// The persistent kernel cache: entries written, found by the next lookup, and never loaded when
// damaged (truncated, garbage, another key): the runtime rebuilds them and the results stay right.
// Several processes sharing one directory stay correct; an unwritable directory only warns.
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include "convgen/cache.h"
#include "convgen/convgen.h"
#include "reference/reference.h"

extern char **environ;

namespace convgen {
namespace {

namespace fs = std::filesystem;

// A conv whose output is checked against the reference on every call.
struct CheckedConv {
    Conv2d conv;
    Tensor input{{1, 4, 9, 9}};
    std::vector<float> weight;

    explicit CheckedConv(int64_t out_channels = 6)
        : conv(Conv2dOptions(4, out_channels, 3).padding(1).bias(false).padding_mode("replicate")) {
        std::mt19937 engine(7);
        std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
        for (int64_t i = 0; i < input.numel(); ++i) input.data()[i] = uniform(engine);
        weight.assign(conv.weight().data, conv.weight().data + conv.weight().numel());
    }
    double error() const {
        const Tensor output = conv.forward(input);
        const std::vector<float> expected = reference::run(conv.spec(input.sizes()), input.data(), weight.data(), nullptr);
        return reference::relative_error(output.data(), expected);
    }
};

std::vector<fs::path> entries(const fs::path &dir) {
    std::vector<fs::path> found;
    for (const auto &e : fs::directory_iterator(dir)) {
        if (e.path().extension() == ".kernel") found.push_back(e.path());
    }
    return found;
}

std::string read_bytes(const fs::path &p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

void write_bytes(const fs::path &p, const std::string &bytes) { std::ofstream(p, std::ios::binary) << bytes; }

class DiskCache : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("convgen-cache-test-" + std::to_string(getpid()) + "-" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        set_kernel_cache_directory(dir_.string());
        set_disk_cache_enabled(true);
        clear_memory_kernel_cache();
    }
    void TearDown() override { fs::remove_all(dir_); }

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

    fs::path dir_;
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
    if (!std::getenv("CONVGEN_CACHE_CHILD")) GTEST_SKIP() << "only run as a child of SeveralProcessesShareOneDirectory";
    EXPECT_LT(CheckedConv().error(), 1e-5);
}

TEST_F(DiskCache, SeveralProcessesShareOneDirectory) {
    const std::string self = fs::read_symlink("/proc/self/exe").string();
    std::vector<std::string> env_text{"CONVGEN_CACHE_DIR=" + dir_.string(), "CONVGEN_CACHE_CHILD=1"};
    std::vector<char *> env;
    for (std::string &e : env_text) env.push_back(e.data());
    for (char **e = environ; *e; ++e) env.push_back(*e);
    env.push_back(nullptr);
    std::string filter = "--gtest_filter=DiskCacheChild.ComputesCorrectly";
    char *argv[] = {const_cast<char *>(self.c_str()), filter.data(), nullptr};
    std::vector<pid_t> children(4);
    for (pid_t &pid : children) ASSERT_EQ(posix_spawn(&pid, self.c_str(), nullptr, nullptr, argv, env.data()), 0);
    for (pid_t pid : children) {
        int status = 0;
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    ASSERT_EQ(entries(dir_).size(), 1u);  // temp files all renamed over one entry
    const KernelCacheStats before = kernel_cache_stats();
    EXPECT_LT(CheckedConv().error(), 1e-5);
    EXPECT_EQ(kernel_cache_stats().disk_hits, before.disk_hits + 1);
    for (const auto &e : fs::directory_iterator(dir_)) EXPECT_EQ(e.path().extension(), ".kernel");
}

}  // namespace
}  // namespace convgen
