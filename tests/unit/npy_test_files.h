#pragma once
// A scratch directory per test, and .npy files written byte by byte (valid or deliberately not).
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

namespace convgen::testing {

class ScratchDirectoryTest : public ::testing::Test {
protected:
    std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                ("convgen_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
                                 "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    void SetUp() override { std::filesystem::create_directories(dir); }
    void TearDown() override { std::filesystem::remove_all(dir); }

    // A .npy file with this header text (unpadded) followed by `data_bytes` zero bytes.
    std::string write_raw(const std::string &name, const std::string &header, size_t data_bytes, int version = 1) {
        const std::string path = (dir / name).string();
        std::ofstream f(path, std::ios::binary);
        f.write("\x93NUMPY", 6);
        f.put(char(version));
        f.put(0);
        if (version == 1) {
            f.put(char(header.size() & 0xff));
            f.put(char(header.size() >> 8));
        } else {
            const uint32_t n = uint32_t(header.size());
            f.write(reinterpret_cast<const char *>(&n), 4);
        }
        f << header;
        f << std::string(data_bytes, '\0');
        return path;
    }
};

}  // namespace convgen::testing
