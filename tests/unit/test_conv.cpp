// conv1d/conv2d through the layer API against the plain-loop reference, for every option, both
// algorithms and every schedule.
#include <cmath>
#include <tuple>

#include "test_support.h"

namespace convgen::testing {
namespace {

struct ConvCase {
    std::string name;
    Shape input;  // logical (N, C, H, W) or unbatched (C, H, W)
    int64_t out_channels;
    std::vector<int64_t> kernel, stride{1}, dilation{1};
    Padding<2> padding = 0;
    int64_t groups = 1;
    bool bias = true;
    PaddingMode mode = PaddingMode::Zeros;
    Activation activation = Activation::None;
    Layout layout = Layout::NCHW;
};

std::vector<ConvCase> conv2d_cases() {
    std::vector<ConvCase> cases{
        {"basic3x3", {2, 3, 9, 11}, 4, {3}},
        {"pad1", {1, 4, 8, 8}, 5, {3}, {1}, {1}, 1},
        {"pad_pair", {1, 3, 7, 9}, 2, {3, 5}, {1}, {1}, {2, 1}},
        {"stride2", {1, 3, 11, 10}, 4, {3}, {2}, {1}, 1},
        {"stride_pair", {1, 2, 12, 9}, 3, {3, 2}, {3, 2}, {1}, {1, 0}},
        {"dilation2", {1, 3, 12, 12}, 4, {3}, {1}, {2}, 2},
        {"dilation_pair", {1, 2, 13, 10}, 3, {3}, {1}, {3, 2}, {1, 2}},
        {"groups2", {1, 4, 8, 8}, 6, {3}, {1}, {1}, 1, 2},
        {"depthwise", {1, 8, 9, 9}, 8, {3}, {1}, {1}, 1, 8},
        {"depthwise_multiplier", {2, 4, 7, 7}, 12, {3}, {2}, {1}, 1, 4},
        {"no_bias_1x1", {1, 16, 5, 5}, 8, {1}, {1}, {1}, 0, 1, false},
        {"kernel7_stride2", {1, 3, 20, 20}, 8, {7}, {2}, {1}, 3},
        {"same_odd", {1, 3, 8, 9}, 4, {3}, {1}, {1}, kSame},
        {"same_even", {1, 3, 8, 9}, 4, {4, 2}, {1}, {1}, kSame},
        {"same_even_dilated", {1, 2, 10, 9}, 3, {4}, {1}, {3}, "same"},
        {"valid", {1, 3, 8, 9}, 4, {3}, {1}, {1}, kValid},
        {"unbatched", {3, 7, 8}, 4, {3}, {1}, {1}, 1},
        {"zero_batch", {0, 3, 7, 8}, 4, {3}, {1}, {1}, 1},
        {"relu", {1, 3, 8, 8}, 4, {3}, {1}, {1}, 1, 1, true, PaddingMode::Zeros, Activation::Relu},
        {"relu6", {1, 3, 8, 8}, 4, {3}, {1}, {1}, 1, 1, true, PaddingMode::Zeros, Activation::Relu6},
        {"nhwc", {2, 5, 7, 6}, 6, {3}, {2}, {1}, 1, 1, true, PaddingMode::Zeros, Activation::None, Layout::NHWC},
        {"nhwc_depthwise", {1, 6, 7, 6}, 6, {3}, {1}, {1}, 1, 6, true, PaddingMode::Reflect, Activation::Relu,
         Layout::NHWC},
    };
    // Every non-zeros padding mode, with symmetric, asymmetric ('same') and pad == size cases.
    for (PaddingMode mode : {PaddingMode::Reflect, PaddingMode::Replicate, PaddingMode::Circular}) {
        const std::string m(to_string(mode));
        cases.push_back({m + "_pad1", {1, 3, 6, 7}, 4, {3}, {1}, {1}, 1, 1, true, mode});
        cases.push_back({m + "_pad_pair_stride", {2, 2, 9, 8}, 3, {5, 3}, {2}, {1}, {2, 1}, 1, true, mode});
        cases.push_back({m + "_same_even", {1, 2, 6, 7}, 3, {4}, {1}, {2}, kSame, 1, true, mode});
        cases.push_back({m + "_grouped_dilated", {1, 4, 9, 9}, 4, {3}, {1}, {2}, 3, 2, false, mode});
    }
    cases.push_back({"circular_pad_equals_size", {1, 2, 3, 4}, 2, {3}, {1}, {1}, {3, 4}, 1, true,
                     PaddingMode::Circular});
    cases.push_back({"replicate_large_pad", {1, 2, 3, 3}, 2, {2}, {1}, {1}, 5, 1, true, PaddingMode::Replicate});
    // Shapes that take the hand schedule's tuned paths: channel rows 4 KiB apart (restrided
    // staging), input channels blocked for L1, rows wide enough to vectorise along columns.
    const auto nhwc = Layout::NHWC;
    cases.push_back({"aliasing_1x1_nhwc", {1, 1024, 3, 5}, 32, {1}, {1}, {1}, 0, 1, false, PaddingMode::Zeros,
                     Activation::None, nhwc});
    cases.push_back({"aliasing_stride2_nhwc", {1, 512, 6, 7}, 48, {1}, {2}, {1}, 0, 1, true, PaddingMode::Zeros,
                     Activation::Relu, nhwc});
    cases.push_back({"blocked_inputs_3x3", {1, 320, 5, 6}, 64, {3}, {1}, {1}, 1});
    // Channels not a whole number of tiles, split into blocks (the last shifted back).
    cases.push_back({"ragged_channel_blocks_1x1", {1, 512, 3, 4}, 300, {1}, {1}, {1}, 0});
    cases.push_back({"ragged_channel_blocks_nhwc", {1, 160, 4, 4}, 40, {3}, {1}, {1}, 1, 1, true, PaddingMode::Zeros,
                     Activation::None, nhwc});
    cases.push_back({"wide_rows_3x3", {1, 5, 4, 41}, 24, {3}, {1}, {1}, 1});
    cases.push_back({"planar_few_inputs", {2, 3, 5, 41}, 20, {3}, {1}, {1}, 1, 1, true, PaddingMode::Circular,
                     Activation::Relu});
    cases.push_back({"planar_aliasing_planes", {1, 8, 32, 32}, 16, {3}, {1}, {1}, 1});
    // Groups narrower than a vector run planar, one group per tile and a task per group.
    cases.push_back({"planar_narrow_groups", {2, 32, 7, 37}, 32, {3}, {1}, {1}, 1, 8, true, PaddingMode::Reflect,
                     Activation::Relu});
    cases.push_back({"planar_narrow_groups_expand", {1, 24, 5, 20}, 48, {3, 1}, {1}, {1}, {1, 0}, 6});
    cases.push_back({"planar_narrow_groups_stride2", {1, 16, 9, 41}, 16, {3}, {2}, {1}, 1, 4, true, PaddingMode::Zeros,
                     Activation::Relu6});
    // Groups a vector or more wide that no channel tile divides (RegNet's): tiles shift within a group.
    cases.push_back({"groups_wider_than_tiles", {2, 40, 6, 19}, 40, {3}, {1}, {1}, 1, 2, true, PaddingMode::Replicate,
                     Activation::Relu, Layout::NHWC});
    cases.push_back({"groups_wider_than_tiles_stride2", {1, 36, 7, 9}, 72, {3, 1}, {2}, {1}, {1, 0}, 2});
    // Fewer output channels than a vector's lanes (an RGB output): planar tiles on NCHW, a
    // padded narrowest-vector channel tile on NHWC.
    cases.push_back({"rgb_output", {1, 16, 9, 21}, 3, {3}, {1}, {1}, 1, 1, true, PaddingMode::Reflect,
                     Activation::Relu});
    cases.push_back({"rgb_output_nhwc", {2, 16, 9, 11}, 3, {3}, {1}, {1}, 1, 1, true, PaddingMode::Zeros,
                     Activation::None, Layout::NHWC});
    // Depthwise filters of more taps than are unrolled (ConvNeXt's 7x7): a loop over the taps.
    cases.push_back({"nhwc_depthwise_7x7", {1, 16, 9, 10}, 16, {7}, {1}, {1}, 3, 16, true, PaddingMode::Reflect,
                     Activation::Relu, Layout::NHWC});
    // A 5x5 depthwise filter on rows of 7: one 7-column tile, its weights past the registers.
    cases.push_back({"nhwc_depthwise_5x5_short_rows", {1, 32, 7, 7}, 32, {5}, {1}, {1}, 2, 32, true,
                     PaddingMode::Zeros, Activation::Relu6, Layout::NHWC});
    cases.push_back({"wide_rows_reflect_stride2", {2, 6, 5, 70}, 16, {3}, {2}, {1}, 1, 1, true, PaddingMode::Reflect});
    cases.push_back({"wide_rows_depthwise", {1, 6, 5, 45}, 6, {3}, {1}, {1}, 1, 6});
    cases.push_back({"wide_rows_depthwise_stride2", {1, 4, 7, 40}, 8, {5}, {2}, {1}, 2, 4, true,
                     PaddingMode::Zeros, Activation::Relu6});
    // Dilations as large as the map or larger (atrous pyramids): under zero padding the taps that
    // read only padding are skipped, those that read the image for some outputs kept.
    cases.push_back({"atrous_dead_taps", {1, 16, 5, 5}, 8, {3}, {1}, {20}, 20});
    cases.push_back({"atrous_partial_taps", {1, 8, 9, 9}, 16, {3}, {1}, {6}, 6});
    cases.push_back({"atrous_same_asymmetric", {1, 3, 6, 7}, 4, {4}, {1}, {5}, kSame});
    cases.push_back({"atrous_rows_dead_columns_partial", {2, 4, 5, 12}, 6, {3, 5}, {1}, {10, 3}, {10, 6}});
    cases.push_back({"atrous_stride2", {1, 6, 11, 10}, 8, {3}, {2}, {12}, 12});
    cases.push_back({"atrous_channel_tiles", {1, 64, 6, 6}, 64, {3}, {1}, {12}, 12, 1, false});
    cases.push_back({"atrous_grouped_nhwc", {1, 8, 7, 7}, 12, {3}, {1}, {4}, 4, 2, true, PaddingMode::Zeros,
                     Activation::Relu, nhwc});
    cases.push_back({"atrous_dead_taps_nhwc", {1, 32, 5, 5}, 64, {3}, {1}, {9}, 9, 1, true, PaddingMode::Zeros,
                     Activation::None, nhwc});
    cases.push_back({"atrous_depthwise", {1, 8, 6, 6}, 8, {3}, {1}, {7}, 7, 8});
    cases.push_back({"atrous_depthwise_nhwc", {1, 16, 6, 5}, 16, {5}, {1}, {4}, 8, 16, true, PaddingMode::Zeros,
                     Activation::Relu6, nhwc});
    cases.push_back({"atrous_wide_rows", {1, 4, 3, 40}, 16, {3}, {1}, {8}, 8});
    // Taps that read padding for some outputs only, skipped per output row by planar tiles and per
    // output position by register tiles.
    cases.push_back({"atrous_partial_planar_rows", {1, 4, 9, 40}, 16, {3}, {1}, {4}, 4});
    cases.push_back({"atrous_partial_stride2_nhwc", {2, 24, 13, 11}, 32, {3}, {2}, {5}, 5, 1, true, PaddingMode::Zeros,
                     Activation::Relu, nhwc});
    cases.push_back({"atrous_same_asymmetric_nhwc", {1, 16, 9, 8}, 16, {4}, {1}, {3}, kSame, 1, true,
                     PaddingMode::Zeros, Activation::None, nhwc});
    // The other modes read real data at every tap: nothing is skipped.
    cases.push_back({"atrous_circular", {1, 2, 5, 5}, 3, {3}, {1}, {5}, 5, 1, true, PaddingMode::Circular});
    cases.push_back({"atrous_reflect", {1, 3, 9, 9}, 4, {3}, {1}, {4}, 4, 1, true, PaddingMode::Reflect});
    return cases;
}

using Conv2dParam = std::tuple<ConvCase, std::string, Algorithm>;

class Conv2dTest : public ::testing::TestWithParam<Conv2dParam> {};

TEST_P(Conv2dTest, MatchesReference) {
    const auto &[c, schedule, algorithm] = GetParam();
    const int64_t in_channels = c.input[c.input.size() - 3];
    Conv2d conv(Conv2dOptions(in_channels, c.out_channels, c.kernel)
                    .stride(c.stride)
                    .padding(c.padding)
                    .dilation(c.dilation)
                    .groups(c.groups)
                    .bias(c.bias)
                    .padding_mode(c.mode)
                    .activation(c.activation)
                    .layout(c.layout)
                    .schedule(schedule)
                    .algorithm(algorithm));
    const bool batched = c.input.size() == 4;
    const Shape strides = layout_strides(c.input, batched ? 1 : 0, c.layout);
    expect_matches_reference(conv, random_tensor(c.input, 7, strides));
}

std::string param_name(const ::testing::TestParamInfo<Conv2dParam> &info) {
    const auto &[c, schedule, algorithm] = info.param;
    return c.name + "_" + schedule + "_" + std::string(to_string(algorithm));
}

INSTANTIATE_TEST_SUITE_P(Conv2d, Conv2dTest,
                         ::testing::Combine(::testing::ValuesIn(conv2d_cases()), ::testing::ValuesIn(kSchedules),
                                            ::testing::ValuesIn(kAlgorithms)),
                         param_name);

TEST(Conv1d, MatchesReferenceAcrossOptions) {
    struct Case {
        Shape input;
        int64_t out, kernel, stride, dilation, padding, groups;
        PaddingMode mode;
    };
    const std::vector<Case> cases{
        {{2, 4, 17}, 6, 3, 1, 1, 1, 1, PaddingMode::Zeros},   {{4, 9}, 2, 2, 2, 1, 0, 1, PaddingMode::Zeros},
        {{1, 4, 12}, 8, 3, 1, 2, 2, 4, PaddingMode::Reflect}, {{1, 3, 10}, 3, 5, 2, 1, 4, 3, PaddingMode::Circular},
        {{2, 2, 8}, 4, 4, 1, 1, 3, 2, PaddingMode::Replicate},
        // Atrous: every off-centre tap reads only padding; some taps read the image for some outputs.
        {{1, 4, 6}, 4, 3, 1, 10, 10, 1, PaddingMode::Zeros}, {{2, 4, 9}, 6, 3, 2, 5, 5, 2, PaddingMode::Zeros},
    };
    for (const Case &c : cases) {
        for (Algorithm algorithm : kAlgorithms) {
            Conv1d conv(Conv1dOptions(c.input[c.input.size() - 2], c.out, c.kernel)
                            .stride(c.stride)
                            .dilation(c.dilation)
                            .padding(c.padding)
                            .groups(c.groups)
                            .padding_mode(c.mode)
                            .algorithm(algorithm));
            expect_matches_reference(conv, random_tensor(c.input, 3));
        }
    }
}

TEST(Conv1d, SameWithEvenKernelPutsTheExtraPadAtTheEnd) {
    Conv1d conv(Conv1dOptions(1, 1, 2).padding(kSame).bias(false));
    const float w[] = {1.0f, 10.0f};
    conv.set_weight(ConstTensorView(w, {1, 1, 2}));
    const float x[] = {1, 2, 3};
    const Tensor y = conv.forward(ConstTensorView(x, {1, 1, 3}));
    ASSERT_EQ(y.sizes(), (Shape{1, 1, 3}));
    // Padded input [1, 2, 3, 0]: y[i] = x[i] + 10 x[i+1].
    EXPECT_FLOAT_EQ(y.data()[0], 21.0f);
    EXPECT_FLOAT_EQ(y.data()[1], 32.0f);
    EXPECT_FLOAT_EQ(y.data()[2], 3.0f);
}

TEST(Conv2d, ReflectPaddingMirrorsWithoutRepeatingTheEdge) {
    // A 1x1 identity conv exposes the padded input: [0,1,2,3,4] padded (3,2) by reflection.
    Conv1d conv(Conv1dOptions(1, 1, 1).padding(3).padding_mode(PaddingMode::Reflect).bias(false));
    const float one = 1.0f;
    conv.set_weight(ConstTensorView(&one, {1, 1, 1}));
    const float x[] = {0, 1, 2, 3, 4};
    const Tensor y = conv.forward(ConstTensorView(x, {1, 1, 5}));
    const std::vector<float> expected{3, 2, 1, 0, 1, 2, 3, 4, 3, 2, 1};
    ASSERT_EQ(y.numel(), int64_t(expected.size()));
    for (size_t i = 0; i < expected.size(); ++i) EXPECT_FLOAT_EQ(y.data()[i], expected[i]) << i;
}

TEST(Conv2d, ZeroBatchGivesAnEmptyOutputOfTheRightShape) {
    Conv2d conv(Conv2dOptions(3, 4, 3).stride(2));
    const Tensor y = conv.forward(Tensor({0, 3, 9, 9}));
    EXPECT_EQ(y.sizes(), (Shape{0, 4, 4, 4}));
}

TEST(Conv2d, ActivationPropagatesNaNLikePyTorch) {
    for (Activation activation : {Activation::Relu, Activation::Relu6}) {
        Conv2d conv(Conv2dOptions(1, 1, 1).bias(false).activation(activation));
        const float one = 1.0f;
        conv.set_weight(ConstTensorView(&one, {1, 1, 1, 1}));
        const float x[] = {NAN, -1.0f, 3.0f, 9.0f};
        const Tensor y = conv.forward(ConstTensorView(x, {1, 1, 2, 2}));
        EXPECT_TRUE(std::isnan(y.data()[0]));
        EXPECT_EQ(y.data()[1], 0.0f);
        EXPECT_EQ(y.data()[2], 3.0f);
        EXPECT_EQ(y.data()[3], activation == Activation::Relu ? 9.0f : 6.0f);
    }
}

}  // namespace
}  // namespace convgen::testing
