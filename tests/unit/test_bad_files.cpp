// The bad-input matrix, part 3: the command line (run in-process, cli/app.h) on bad .npy files
// and invalid options. Each must exit 2 with one "error: ..." line naming the problem, and write
// no output.
#include <cstdio>

#include "app.h"
#include "npy.h"
#include "npy_test_files.h"
#include "test_support.h"

namespace convgen::testing {
namespace {

class BadFiles : public ScratchDirectoryTest {
protected:
    void SetUp() override {
        ScratchDirectoryTest::SetUp();
        write("x.npy", {1, 2, 5, 5});
        write("w.npy", {2, 2, 3, 3});
        write("w1d.npy", {2, 2, 3});
        write("x1d.npy", {1, 3, 7});
        write("v.npy", {2});
    }

    void write(const std::string &name, const Shape &shape) {
        const Tensor t = random_tensor(shape, 1);
        cli::write_npy(path(name), shape, t.data());
    }
    std::string path(const std::string &name) const { return (dir / name).string(); }

    // Runs `convgen run OP --input x.npy --output y.npy ARGS...` with file names in the scratch
    // directory; returns the exit status and what was written to the error stream.
    std::pair<int, std::string> run(const std::string &op, std::vector<std::string> args,
                                     const std::string &input = "x.npy") {
        std::vector<std::string> words{"convgen", "run", op, "--input", path(input), "--output", path("y.npy")};
        for (std::string &a : args) words.push_back(a.ends_with(".npy") ? path(a) : a);
        std::vector<const char *> argv;
        for (const std::string &w : words) argv.push_back(w.c_str());
        std::FILE *errors = std::tmpfile();
        const int status = cli::run_command_line(int(argv.size()), argv.data(), cli::Execution::Full, errors);
        std::rewind(errors);
        std::string text(4096, '\0');
        text.resize(std::fread(text.data(), 1, text.size(), errors));
        std::fclose(errors);
        return {status, text};
    }

    struct Case {
        std::string name, op;
        std::vector<std::string> args;
        std::string message;
        std::string input = "x.npy";
    };
    void expect_refused(const std::vector<Case> &cases) {
        for (const Case &c : cases) {
            SCOPED_TRACE(c.name);
            const auto [status, text] = run(c.op, c.args, c.input);
            EXPECT_EQ(status, 2) << text;
            EXPECT_TRUE(text.starts_with("error: ")) << text;
            EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << text;
            EXPECT_NE(text.find(c.message), std::string::npos) << text;
            EXPECT_FALSE(std::filesystem::exists(path("y.npy")));
        }
    }
};

TEST_F(BadFiles, AValidRunWritesItsOutput) {
    const auto [status, text] = run("conv2d", {"--weight", "w.npy", "--padding", "same"});
    EXPECT_EQ(status, 0) << text;
    EXPECT_EQ(cli::read_npy(path("y.npy")).sizes(), (Shape{1, 2, 5, 5}));
}

TEST_F(BadFiles, BadNpyFilesAreRefused) {
    write_raw("f8.npy", "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2, 3, 3), }", 288);
    write_raw("big_endian.npy", "{'descr': '>f4', 'fortran_order': False, 'shape': (2, 2, 3, 3), }", 144);
    write_raw("fortran.npy", "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2, 3, 3), }", 144);
    write_raw("truncated.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2, 5, 5), }", 199);
    write_raw("int.npy", "{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }", 8);
    expect_refused({
        {"float64 weight", "conv2d", {"--weight", "f8.npy"}, "unsupported dtype '<f8'"},
        {"big-endian weight", "conv2d", {"--weight", "big_endian.npy"}, "unsupported dtype '>f4'"},
        {"Fortran-order weight", "conv2d", {"--weight", "fortran.npy"}, "Fortran-ordered arrays are not supported"},
        {"truncated input", "conv2d", {"--weight", "w.npy"}, "file is truncated", "truncated.npy"},
        {"int32 bias", "conv2d", {"--weight", "w.npy", "--bias", "int.npy"}, "unsupported dtype '<i4'"},
        {"missing weight file", "conv2d", {"--weight", "nope.npy"}, "cannot open file"},
        {"missing input file", "unfold", {"--kernel-size", "2"}, "cannot open file", "nope.npy"},
        {"bn var of another dtype", "conv2d", {"--weight", "w.npy", "--bn-mean", "v.npy", "--bn-var", "int.npy"},
         "unsupported dtype"},
    });
}

TEST_F(BadFiles, InvalidOptionsAreRefused) {
    expect_refused({
        {"unknown op", "conv3d", {}, "conv3d not in"},
        {"stride text", "conv2d", {"--weight", "w.npy", "--stride", "x"}, "invalid --stride 'x'"},
        {"three strides", "conv2d", {"--weight", "w.npy", "--stride", "1,2,3"}, "expected 1 or 2 value(s)"},
        {"two strides for 1-D", "conv1d", {"--weight", "w1d.npy", "--stride", "1,2"}, "for a 1-D op, got 2"},
        {"stride overflow", "conv2d", {"--weight", "w.npy", "--stride", "99999999999999999999"}, "invalid --stride"},
        {"empty dilation", "conv2d", {"--weight", "w.npy", "--dilation", ""}, "--dilation"},
        {"padding string", "conv2d", {"--weight", "w.npy", "--padding", "full"}, "Invalid padding string 'full'"},
        {"transpose string padding", "conv_transpose2d", {"--weight", "w.npy", "--padding", "same"},
         "does not support string padding 'same'"},
        {"padding mode", "conv2d", {"--weight", "w.npy", "--padding-mode", "edge"}, "padding_mode must be one of"},
        {"groups 0", "conv2d", {"--weight", "w.npy", "--groups", "0"}, "groups must be a positive integer"},
        {"groups text", "conv2d", {"--weight", "w.npy", "--groups", "two"}, "--groups"},
        {"activation", "conv2d", {"--weight", "w.npy", "--activation", "gelu"}, "invalid --activation 'gelu'"},
        {"layout", "conv2d", {"--weight", "w.npy", "--layout", "chw"}, "invalid --layout 'chw'"},
        {"algorithm", "conv2d", {"--weight", "w.npy", "--algorithm", "fft"}, "invalid --algorithm 'fft'"},
        {"schedule", "conv2d", {"--weight", "w.npy", "--schedule", "fastest"}, "unknown schedule 'fastest'"},
        {"no weight", "conv2d", {}, "--weight is required for conv2d"},
        {"weight of the wrong rank", "conv2d", {"--weight", "w1d.npy"}, "expected a 4-dimensional weight"},
        {"weight of the wrong channels", "conv1d", {"--weight", "w1d.npy"}, "to have 2 channels, but got 3", "x1d.npy"},
        {"kernel-size for conv", "conv2d", {"--weight", "w.npy", "--kernel-size", "3"}, "--kernel-size does not apply"},
        {"output-padding for conv", "conv2d", {"--weight", "w.npy", "--output-padding", "1"},
         "--output-padding does not apply to conv2d"},
        {"groups for unfold", "unfold", {"--kernel-size", "2", "--groups", "2"}, "--groups does not apply to unfold"},
        {"unfold without kernel", "unfold", {}, "--kernel-size is required for unfold"},
        {"fold without output size", "fold", {"--kernel-size", "2"}, "--output-size is required for fold"},
        {"bn mean alone", "conv2d", {"--weight", "w.npy", "--bn-mean", "v.npy"}, "--bn-mean and --bn-var are both required"},
        {"unknown option", "conv2d", {"--weight", "w.npy", "--fast"}, "--fast"},
        {"huge padding", "conv2d", {"--weight", "w.npy", "--padding", "3000000000"}, "32-bit kernel indexing"},
        {"negative padding", "conv2d", {"--weight", "w.npy", "--padding", "-1"}, "negative padding is not supported"},
    });
}

}  // namespace
}  // namespace convgen::testing
