// conv_transpose1d/2d against the reference (a scatter formulation, unlike the generator's gather).
#include <tuple>

#include "test_support.h"

namespace convgen::testing {
namespace {

struct TransposeCase {
    std::string name;
    Shape input;
    int64_t out_channels;
    std::vector<int64_t> kernel, stride{1}, padding{0}, output_padding{0}, dilation{1};
    int64_t groups = 1;
    bool bias = true;
    Activation activation = Activation::None;
    Layout layout = Layout::NCHW;
};

std::vector<TransposeCase> cases() {
    return {
        {"basic", {2, 3, 5, 6}, 4, {3}},
        {"stride2", {1, 4, 5, 5}, 3, {3}, {2}},
        {"stride2_pad1_outpad1", {1, 4, 5, 5}, 3, {3}, {2}, {1}, {1}},
        {"stride_pair_outpad_pair", {1, 2, 4, 6}, 3, {3, 4}, {3, 2}, {1, 0}, {2, 1}},
        {"dilation", {1, 2, 5, 5}, 2, {3}, {1}, {1}, {0}, {2}},
        {"outpad_below_dilation", {1, 2, 4, 4}, 2, {3}, {1}, {0}, {1}, {2}},
        {"groups", {1, 4, 5, 5}, 6, {3}, {2}, {1}, {1}, {1}, 2},
        {"depthwise", {1, 4, 6, 6}, 4, {4}, {2}, {1}, {0}, {1}, 4},
        {"unbatched_no_bias", {3, 4, 5}, 2, {2}, {2}, {0}, {0}, {1}, 1, false},
        {"relu_nhwc", {2, 3, 4, 5}, 4, {3}, {2}, {1}, {1}, {1}, 1, true, Activation::Relu, Layout::NHWC},
        {"kernel1_stride3", {1, 2, 3, 3}, 2, {1}, {3}},
    };
}

using TransposeParam = std::tuple<TransposeCase, std::string, Algorithm>;
class ConvTranspose2dTest : public ::testing::TestWithParam<TransposeParam> {};

TEST_P(ConvTranspose2dTest, MatchesReference) {
    const auto &[c, schedule, algorithm] = GetParam();
    ConvTranspose2d conv(ConvTranspose2dOptions(c.input[c.input.size() - 3], c.out_channels, c.kernel)
                             .stride(c.stride)
                             .padding(c.padding)
                             .output_padding(c.output_padding)
                             .dilation(c.dilation)
                             .groups(c.groups)
                             .bias(c.bias)
                             .activation(c.activation)
                             .layout(c.layout)
                             .schedule(schedule)
                             .algorithm(algorithm));
    const bool batched = c.input.size() == 4;
    const Shape strides = layout_strides(c.input, batched ? 1 : 0, c.layout);
    expect_matches_reference(conv, random_tensor(c.input, 11, strides));
}

std::string param_name(const ::testing::TestParamInfo<TransposeParam> &info) {
    const auto &[c, schedule, algorithm] = info.param;
    return c.name + "_" + schedule + "_" + std::string(to_string(algorithm));
}

INSTANTIATE_TEST_SUITE_P(ConvTranspose2d, ConvTranspose2dTest,
                         ::testing::Combine(::testing::ValuesIn(cases()), ::testing::ValuesIn(kSchedules),
                                            ::testing::ValuesIn(kAlgorithms)),
                         param_name);

TEST(ConvTranspose1d, MatchesReference) {
    for (Algorithm algorithm : kAlgorithms) {
        ConvTranspose1d conv(
            ConvTranspose1dOptions(4, 6, 3).stride(2).padding(1).output_padding(1).groups(2).algorithm(algorithm));
        expect_matches_reference(conv, random_tensor({2, 4, 7}, 5));
        ConvTranspose1d unbatched(ConvTranspose1dOptions(3, 2, 4).dilation(2).algorithm(algorithm));
        expect_matches_reference(unbatched, random_tensor({3, 6}, 6));
    }
}

TEST(ConvTranspose2d, OutputShapeFollowsPyTorchFormula) {
    ConvTranspose2d conv(ConvTranspose2dOptions(2, 3, {3, 5}).stride({2, 3}).padding({1, 2}).output_padding({1, 2})
                             .dilation({1, 2}));
    // (in-1)*s - 2p + d(k-1) + op + 1
    EXPECT_EQ(conv.output_shape({1, 2, 4, 5}), (Shape{1, 3, (4 - 1) * 2 - 2 + 2 + 1 + 1, (5 - 1) * 3 - 4 + 8 + 2 + 1}));
}

}  // namespace
}  // namespace convgen::testing
