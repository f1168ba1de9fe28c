// The CLI's .npy reader and writer: round trips, and a clear error for every malformed file.
#include <fstream>

#include "npy.h"
#include "npy_test_files.h"
#include "test_support.h"

namespace convgen::testing {
namespace {

class NpyTest : public ScratchDirectoryTest {
protected:
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

// Every other dtype NumPy writes, byte orders, layouts and corruptions: each a clear error that
// names the problem (convgen converts nothing: float32 little-endian C order is the only format).
TEST_F(NpyTest, RefusesEveryOtherDtypeLayoutAndCorruption) {
    const auto header = [](const std::string &descr, const std::string &shape, const std::string &order = "False") {
        return "{'descr': '" + descr + "', 'fortran_order': " + order + ", 'shape': " + shape + ", }";
    };
    for (const std::string descr : {"<f2", "<f8", ">f8", "<i1", "<i8", "|u1", "|b1", "<c8", "<c16", "|O", "<U3",
                                    "|S4", "<M8[s]", ">f4", "=f4", "|f4", "f4"}) {
        SCOPED_TRACE(descr);
        expect_error(write_raw("dtype.npy", header(descr, "(2,)"), 8), "unsupported dtype");
    }
    expect_error(write_raw("fortran1d.npy", header("<f4", "(2,)", "True"), 8), "Fortran");
    expect_error(write_raw("order.npy", header("<f4", "(2,)", "1"), 8), "no 'fortran_order'");
    expect_error(write_raw("negative.npy", header("<f4", "(-2,)"), 0), "bad shape");
    expect_error(write_raw("float_shape.npy", header("<f4", "(2.0,)"), 0), "bad shape");
    expect_error(write_raw("digits.npy", header("<f4", "(99999999999999999999999,)"), 0), "bad shape");
    expect_error(write_raw("overflow.npy", header("<f4", "(4294967296, 4294967296)"), 0), "too large");
    expect_error(write_raw("huge.npy", header("<f4", "(1099511627776,)"), 16), "file is truncated");
    expect_error(write_raw("empty_data.npy", header("<f4", "(3, 4)"), 0), "file is truncated");
    expect_error(write_raw("short_header.npy", std::string(10, ' '), 0), "no 'descr'");
    {
        std::ofstream f((dir / "cut.npy").string(), std::ios::binary);
        f.write("\x93NUMPY\x01\x00\x76\x00{'descr'", 18);  // declares 118 header bytes, has 8
    }
    expect_error((dir / "cut.npy").string(), "truncated .npy header");
    {
        std::ofstream f((dir / "magic_only.npy").string(), std::ios::binary);
        f.write("\x93NUMPY", 6);
    }
    expect_error((dir / "magic_only.npy").string(), "not a .npy file");
    EXPECT_EQ(cli::read_npy(write_raw("v3.npy", header("<f4", "(2,)"), 8, 3)).sizes(), Shape{2});
    // NumPy itself refuses headers over 10000 bytes; so does convgen, before parsing one.
    expect_error(write_raw("long_header.npy", header("<f4", "(" + std::string(20000, ' ') + "2,)"), 8, 2),
                 "header length 20057 is over 10000 bytes");
}

}  // namespace
}  // namespace convgen::testing
