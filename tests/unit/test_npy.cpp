// The CLI's .npy reader and writer: round trips, and a clear error for every malformed file.
#include <filesystem>
#include <fstream>

#include "npy.h"
#include "test_support.h"

namespace convgen::testing {
namespace {

class NpyTest : public ::testing::Test {
protected:
    std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                ("convgen_npy_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
                                 "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    void SetUp() override { std::filesystem::create_directories(dir); }
    void TearDown() override { std::filesystem::remove_all(dir); }

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

    void expect_error(const std::string &path, const std::string &message) {
        try {
            cli::read_npy(path);
            ADD_FAILURE() << "no error for " << path;
        } catch (const Error &e) {
            EXPECT_NE(std::string(e.what()).find(message), std::string::npos) << e.what();
        }
    }
};

TEST_F(NpyTest, RoundTripsEveryRank) {
    for (const Shape &shape : {Shape{}, Shape{3}, Shape{2, 3}, Shape{0, 4}, Shape{1, 2, 3, 4}}) {
        const Tensor t = random_tensor(shape, 3);
        const std::string path = (dir / "t.npy").string();
        cli::write_npy(path, shape, t.data());
        const Tensor back = cli::read_npy(path);
        ASSERT_EQ(back.sizes(), shape);
        for (int64_t i = 0; i < t.numel(); ++i) EXPECT_EQ(back.data()[i], t.data()[i]);
    }
}

TEST_F(NpyTest, ReadsVersion2Headers) {
    const Tensor t = cli::read_npy(write_raw("v2.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\n", 8, 2));
    EXPECT_EQ(t.sizes(), Shape{2});
}

TEST_F(NpyTest, RefusesMalformedFiles) {
    expect_error((dir / "missing.npy").string(), "cannot open");
    {
        std::ofstream((dir / "text.npy").string()) << "hello world";
    }
    expect_error((dir / "text.npy").string(), "not a .npy file");
    expect_error(write_raw("f8.npy", "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", 16), "unsupported dtype '<f8'");
    expect_error(write_raw("be.npy", "{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", 8), "unsupported dtype '>f4'");
    expect_error(write_raw("i4.npy", "{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }", 8), "unsupported dtype");
    expect_error(write_raw("fortran.npy", "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", 16), "Fortran");
    expect_error(write_raw("short.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", 12), "truncated");
    expect_error(write_raw("long.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 12), "does not match");
    expect_error(write_raw("noshape.npy", "{'descr': '<f4', 'fortran_order': False}", 0), "no 'shape'");
    expect_error(write_raw("badshape.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (2, x), }", 0), "bad shape");
    expect_error(write_raw("v9.npy", "{}", 0, 9), "unsupported .npy format version 9");
}

}  // namespace
}  // namespace convgen::testing
