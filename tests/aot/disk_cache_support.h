#pragma once
// Shared by the disk-cache tests: a conv checked against the reference, a scratch cache directory
// per test, and this test binary run again as a child process sharing that directory.
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "convgen/cache.h"
#include "convgen/convgen.h"
#include "reference/reference.h"

extern char **environ;

namespace convgen::testing {

namespace fs = std::filesystem;

// A conv whose output is checked against the reference on every call; each out_channels value
// is its own kernel (its own cache entry).
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

inline std::vector<fs::path> entries(const fs::path &dir) {
    std::vector<fs::path> found;
    if (!fs::exists(dir)) return found;
    for (const auto &e : fs::directory_iterator(dir)) {
        if (e.path().extension() == ".kernel") found.push_back(e.path());
    }
    return found;
}

inline bool has_temp_files(const fs::path &dir) {
    for (const auto &e : fs::directory_iterator(dir)) {
        if (e.path().filename().string().find(".tmp.") != std::string::npos) return true;
    }
    return false;
}

inline std::string read_bytes(const fs::path &p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

inline void write_bytes(const fs::path &p, const std::string &bytes) { std::ofstream(p, std::ios::binary) << bytes; }

// Each test gets an empty cache directory of its own, and starts with nothing in memory.
class CacheDirectoryTest : public ::testing::Test {
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

    // Starts this test binary running only `test` (a child test, skipped unless
    // CONVGEN_CACHE_CHILD is set), on this test's directory, with `env` added.
    pid_t spawn_child(const std::string &test, std::vector<std::string> env_text = {}) const {
        const std::string self = fs::read_symlink("/proc/self/exe").string();
        env_text.push_back("CONVGEN_CACHE_DIR=" + dir_.string());
        env_text.push_back("CONVGEN_CACHE_CHILD=1");
        std::vector<char *> env;
        for (std::string &e : env_text) env.push_back(e.data());
        for (char **e = environ; *e; ++e) env.push_back(*e);
        env.push_back(nullptr);
        std::string filter = "--gtest_filter=" + test;
        char *argv[] = {const_cast<char *>(self.c_str()), filter.data(), nullptr};
        pid_t pid = -1;
        EXPECT_EQ(posix_spawn(&pid, self.c_str(), nullptr, nullptr, argv, env.data()), 0);
        return pid;
    }

    // Waits for a child; true when all its tests passed.
    static bool succeeded(pid_t pid) {
        int status = 0;
        return waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    }

    fs::path dir_;
};

// Child tests call this first: they run only under spawn_child.
#define CONVGEN_ONLY_AS_CHILD()                                                                  \
    if (!std::getenv("CONVGEN_CACHE_CHILD")) GTEST_SKIP() << "only run as a child process of a " \
                                                             "test sharing its cache directory"

}  // namespace convgen::testing
