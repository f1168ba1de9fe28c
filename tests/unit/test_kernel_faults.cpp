// Faults: a kernel that cannot be generated is a convgen::KernelError, never a crash; a kernel
// cache directory that cannot be written (missing, not a directory, or full) still gives correct
// results from memory, with one warning.
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <sys/resource.h>
#include <unistd.h>

#include "convgen/cache.h"
#include "npy_test_files.h"
#include "test_support.h"

namespace convgen::testing {
namespace {

// Runs in a child process (fresh JIT state): the JIT target comes from the environment once.
void forward_with_jit_target(const char *target) {
    ::setenv("HL_JIT_TARGET", target, 1);
    try {
        Conv2d(Conv2dOptions(2, 2, 3)).forward(random_tensor({1, 2, 5, 5}, 1));
    } catch (const KernelError &e) {
        std::fprintf(stderr, "KernelError: %s\n", e.what());
        std::exit(0);
    }
    std::exit(1);
}

TEST(KernelFaultsDeathTest, AKernelThatCannotBeGeneratedIsAKernelError) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_EXIT(forward_with_jit_target("arm-64-linux"), ::testing::ExitedWithCode(0), "KernelError: ");
    EXPECT_EXIT(forward_with_jit_target("x86-64-linux-no_such_feature"), ::testing::ExitedWithCode(0),
                "KernelError: ");
}

class CacheFaults : public ScratchDirectoryTest {
protected:
    void SetUp() override {
        ScratchDirectoryTest::SetUp();
        set_disk_cache_enabled(true);
    }
    void TearDown() override {
        set_kernel_cache_directory((dir / "cache").string());
        ScratchDirectoryTest::TearDown();
    }

    // Three ops whose kernels no earlier test compiled, checked against the reference; returns
    // what they wrote on stderr. Captured through a pipe: a file would itself be subject to the
    // file-size limit the full-disk test sets.
    std::string run_new_kernels_and_check(unsigned seed) {
        int pipe_ends[2];
        EXPECT_EQ(::pipe(pipe_ends), 0);
        std::fflush(stderr);
        const int saved_stderr = ::dup(2);
        ::dup2(pipe_ends[1], 2);
        ::close(pipe_ends[1]);
        clear_memory_kernel_cache();
        expect_matches_reference(Conv2d(Conv2dOptions(3, 2, 3).padding(int64_t(seed))), random_tensor({1, 3, 7, 6}, seed));
        expect_matches_reference(Conv1d(Conv1dOptions(2, 4, 2).stride(int64_t(seed))), random_tensor({2, 2, 9}, seed));
        expect_matches_reference(Unfold(UnfoldOptions(2).dilation(int64_t(seed))), random_tensor({1, 2, 6, 6}, seed));
        std::fflush(stderr);
        ::dup2(saved_stderr, 2);
        ::close(saved_stderr);
        std::string captured;
        char chunk[4096];
        for (ssize_t got; (got = ::read(pipe_ends[0], chunk, sizeof chunk)) > 0;) captured.append(chunk, size_t(got));
        ::close(pipe_ends[0]);
        return captured;
    }

    static int count(const std::string &text, const std::string &what) {
        int n = 0;
        for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
        return n;
    }
};

TEST_F(CacheFaults, ADirectoryThatCannotBeCreatedFallsBackToMemoryWithOneWarning) {
    std::ofstream(dir / "a_file") << "not a directory";
    set_kernel_cache_directory((dir / "a_file" / "cache").string());
    const std::string errors = run_new_kernels_and_check(1) + run_new_kernels_and_check(2);
    EXPECT_EQ(count(errors, "warning"), 1) << errors;
    EXPECT_EQ(count(errors, "caching in memory only"), 1) << errors;
}

TEST_F(CacheFaults, AFullDiskFallsBackToMemoryWithOneWarning) {
    set_kernel_cache_directory((dir / "cache").string());
    // No file may grow: every cache write fails as on a full disk (EFBIG instead of ENOSPC).
    rlimit previous{};
    ::getrlimit(RLIMIT_FSIZE, &previous);
    const auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
    rlimit none = previous;
    none.rlim_cur = 0;
    ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &none), 0);
    const std::string errors = run_new_kernels_and_check(3);
    ::setrlimit(RLIMIT_FSIZE, &previous);
    std::signal(SIGXFSZ, old_handler);
    EXPECT_EQ(count(errors, "warning"), 1) << errors;
    EXPECT_EQ(kernel_cache_stats().disk_hits, 0u);
    // Nothing half-written is left for a later process to load.
    if (!std::filesystem::exists(dir / "cache")) return;
    for (const auto &entry : std::filesystem::recursive_directory_iterator(dir / "cache")) {
        if (entry.is_regular_file()) {
            EXPECT_GT(entry.file_size(), 0u) << entry.path();
        }
    }
}

}  // namespace
}  // namespace convgen::testing
