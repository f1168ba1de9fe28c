// Winograd F(m x m, 3x3) against the float64 reference: every tile size, groups, padding modes,
// layouts, epilogues, sizes that leave partial tiles, under the portable and hand schedules;
// its error over real layer shapes within the bound convgen states; and the convs it refuses.
#include <cstdio>

#include "convgen/kernel_signature.h"
#include "expect_error.h"
#include "reference/reference.h"
#include "test_support.h"

namespace convgen::testing {
namespace {

TEST(WinogradMatrices, SatisfyTheMinimalFilteringIdentity) {
    // y_i = sum_k g_k d_{i+k} for every g and d: sum_j A^T[i][j] G[j][k] B^T[j][l] = [l == i + k].
    for (int m : kWinogradTiles) {
        const WinogradMatrices &t = winograd_matrices(m);
        ASSERT_EQ(t.n, m + 2);
        for (int i = 0; i < m; ++i)
            for (int k = 0; k < 3; ++k)
                for (int l = 0; l < t.n; ++l) {
                    double sum = 0;
                    for (int j = 0; j < t.n; ++j) sum += t.AT(i, j) * t.G(j, k) * t.BT(j, l);
                    EXPECT_NEAR(sum, l == i + k ? 1.0 : 0.0, 1e-12) << "m=" << m << " i=" << i << " k=" << k << " l=" << l;
                }
    }
}

struct WinogradCase {
    std::string name;
    Shape input;  // (N, C, H, W)
    int64_t out_channels;
    Padding<2> padding = 1;
    int64_t groups = 1;
    bool bias = true;
    PaddingMode mode = PaddingMode::Zeros;
    Activation activation = Activation::None;
    Layout layout = Layout::NCHW;
};

std::vector<WinogradCase> winograd_cases() {
    const auto nhwc = Layout::NHWC;
    return {
        {"batch2_partial_tiles", {2, 8, 9, 11}, 8},
        {"valid_no_padding", {1, 6, 10, 7}, 12, 0},
        {"same_asymmetric_pad", {1, 5, 13, 6}, 8, {2, 1}},
        {"no_bias_relu", {1, 4, 8, 8}, 16, 1, 1, false, PaddingMode::Zeros, Activation::Relu},
        {"grouped", {1, 8, 7, 9}, 12, 1, 4},
        {"depthwise_relu6", {1, 8, 11, 10}, 8, 1, 8, true, PaddingMode::Zeros, Activation::Relu6},
        {"reflect", {1, 4, 7, 13}, 8, 1, 1, true, PaddingMode::Reflect},
        {"replicate", {2, 3, 6, 5}, 4, 1, 1, true, PaddingMode::Replicate},
        {"circular_pad2", {1, 4, 5, 9}, 8, 2, 1, true, PaddingMode::Circular},
        {"nhwc", {2, 6, 9, 8}, 16, 1, 1, true, PaddingMode::Zeros, Activation::Relu, nhwc},
        {"nhwc_depthwise_reflect", {1, 16, 7, 12}, 16, 1, 16, true, PaddingMode::Reflect, Activation::None, nhwc},
        {"nhwc_grouped_ragged_channels", {1, 12, 10, 6}, 36, 1, 3, true, PaddingMode::Replicate, Activation::None, nhwc},
    };
}

Conv2dOptions options_for(const WinogradCase &c) {
    return Conv2dOptions(c.input[1], c.out_channels, 3)
        .padding(c.padding)
        .groups(c.groups)
        .bias(c.bias)
        .padding_mode(c.mode)
        .activation(c.activation)
        .layout(c.layout)
        .algorithm(Algorithm::Winograd);
}

// The hand schedule's own config for `input`, with tile m.
Conv2dOptions with_tile(Conv2dOptions options, const Shape &input, int m) {
    ScheduleConfig config = Conv2d(Conv2dOptions(options).schedule("hand")).spec(input).config;
    config.winograd_tile = m;
    return options.schedule("hand").schedule_config(config.text());
}

// 0: the portable schedule (the default tile); else the hand schedule with tile m.
using WinogradParam = std::tuple<WinogradCase, int>;
class WinogradTest : public ::testing::TestWithParam<WinogradParam> {};

TEST_P(WinogradTest, MatchesReferenceWithinItsBound) {
    const auto &[c, m] = GetParam();
    const Conv2dOptions options = m ? with_tile(options_for(c), c.input, m) : options_for(c).schedule("portable");
    Conv2d conv(options);
    const OpSpec spec = conv.spec(c.input);
    ASSERT_EQ(spec.weight_layout, WeightLayout::Winograd);
    ASSERT_EQ(spec.winograd_tile, m ? m : kDefaultWinogradTile);
    expect_matches_reference(conv, random_tensor(c.input, 11, layout_strides(c.input, 1, c.layout)));
}

std::string param_name(const ::testing::TestParamInfo<WinogradParam> &info) {
    const auto &[c, m] = info.param;
    return c.name + (m ? "_hand_m" + std::to_string(m) : "_portable");
}

INSTANTIATE_TEST_SUITE_P(Winograd, WinogradTest,
                         ::testing::Combine(::testing::ValuesIn(winograd_cases()), ::testing::Values(0, 2, 4, 6)),
                         param_name);

// The bound of each tile holds over the 3x3 layers of ResNet and VGG (smaller maps, same
// channel counts), for inputs U(-1, 1) and scaled by 100.
TEST(WinogradAccuracy, RealLayersWithinTheStatedBound) {
    struct Layer {
        int64_t channels, size;
    };
    for (const Layer &l : {Layer{64, 28}, Layer{128, 28}, Layer{256, 14}, Layer{512, 7}}) {
        const Shape input_shape{1, l.channels, l.size, l.size};
        for (float scale : {1.0f, 100.0f}) {
            Tensor input = random_tensor(input_shape, 5);
            for (int64_t i = 0; i < input.numel(); ++i) input.data()[i] *= scale;
            const Conv2dOptions base = Conv2dOptions(l.channels, l.channels, 3).padding(1).algorithm(Algorithm::Winograd);
            std::vector<float> expected;
            for (int m : kWinogradTiles) {
                Conv2d conv(with_tile(base, input_shape, m));
                const OpSpec spec = conv.spec(input_shape);
                if (expected.empty()) {
                    expected = reference::run(spec, input.data(), conv.weight().data, conv.bias()->data);
                }
                const double error = reference::relative_error(conv.forward(input).data(), expected);
                std::printf("winograd m=%d channels=%lld size=%lld scale=%g: relative error %.3g\n", m,
                            static_cast<long long>(l.channels), static_cast<long long>(l.size), double(scale), error);
                EXPECT_LE(error, winograd_error_bound(m)) << spec.key();
            }
        }
    }
}

// conv1d: F(m, 3) along the length alone, every tile size, under both schedules: padding modes,
// groups, batches and unbatched inputs, channels-last, lengths that leave a partial tile.
TEST(WinogradConv1d, MatchesReferenceWithinItsBound) {
    struct Case {
        const char *name;
        Conv1dOptions options;
        Shape input;
    };
    const std::vector<Case> cases{
        {"batch2_partial_tile", Conv1dOptions(8, 12, 3).padding(1), {2, 8, 23}},
        {"reflect_relu", Conv1dOptions(6, 16, 3).padding(1).padding_mode(PaddingMode::Reflect).activation(Activation::Relu),
         {1, 6, 17}},
        {"grouped_valid_no_bias", Conv1dOptions(8, 8, 3).groups(2).bias(false), {1, 8, 14}},
        {"circular_nhwc", Conv1dOptions(16, 32, 3).padding(1).padding_mode(PaddingMode::Circular).layout(Layout::NHWC),
         {2, 16, 30}},
        {"unbatched_same", Conv1dOptions(5, 8, 3).padding("same"), {5, 19}},
    };
    for (const Case &c : cases) {
        for (int m : {0, 2, 4, 6}) {
            SCOPED_TRACE(std::string(c.name) + " m=" + std::to_string(m));
            Conv1dOptions options = Conv1dOptions(c.options).algorithm(Algorithm::Winograd);
            if (m) {
                ScheduleConfig config = Conv1d(Conv1dOptions(options).schedule("hand")).spec(c.input).config;
                config.winograd_tile = m;
                options.schedule("hand").schedule_config(config.text());
            } else {
                options.schedule("portable");
            }
            Conv1d conv(options);
            const OpSpec spec = conv.spec(c.input);
            ASSERT_EQ(spec.weight_layout, WeightLayout::Winograd);
            ASSERT_EQ(winograd_output_tile(spec, int(spec.winograd_tile)).h, 1);
            const Shape strides = c.input.size() == 3 ? layout_strides(c.input, 1, options.layout()) : Shape{};
            expect_matches_reference(conv, random_tensor(c.input, 13, strides));
        }
    }
}

// The product's blocking never changes a result: tasks of channel blocks and of several rows of
// tiles, register tiles spanning tile rows, weights in blocks of one channel tile (zero-padded
// past the last channel when ungrouped), a ragged grouped conv's one plain block.
TEST(WinogradBlocks, ChannelBlocksTaskRowsAndPaddedWeightBlocks) {
    struct Case {
        int64_t in, out, groups;
        Shape input;
        std::string config;
        int64_t weight_block, packed_channels;
    };
    const std::vector<Case> cases{
        {24, 40, 1, {1, 24, 9, 11}, "winograd vw=8 vectors=4 scalars=5 unroll=2 tiles_per_task=0 rows_per_task=2 tile=4", 32, 64},
        {24, 64, 1, {2, 24, 13, 10}, "winograd vw=8 vectors=4 scalars=7 unroll=4 tiles_per_task=1 rows_per_task=3 tile=2", 32, 64},
        {24, 64, 1, {1, 24, 14, 9}, "winograd vw=8 vectors=2 scalars=3 unroll=1 tiles_per_task=2 rows_per_task=9 tile=6", 16, 64},
        {24, 36, 3, {1, 24, 8, 12}, "winograd vw=4 vectors=3 scalars=4 unroll=8 tiles_per_task=1 rows_per_task=1 tile=4", 12, 36},
        {24, 40, 2, {1, 24, 7, 7}, "winograd vw=8 vectors=2 scalars=6 unroll=1 tiles_per_task=0 rows_per_task=1 tile=4", 40, 40},
    };
    for (const Layout layout : {Layout::NCHW, Layout::NHWC}) {
        for (const Case &c : cases) {
            SCOPED_TRACE(c.config + (layout == Layout::NHWC ? " nhwc" : " nchw"));
            Conv2d conv(Conv2dOptions(c.in, c.out, 3).groups(c.groups).padding(1).activation(Activation::Relu)
                            .layout(layout).algorithm(Algorithm::Winograd).schedule("hand").schedule_config(c.config));
            const OpSpec spec = conv.spec(c.input);
            EXPECT_EQ(spec.weight_block, c.weight_block);
            EXPECT_EQ(packed_out_channels(spec), c.packed_channels);
            expect_matches_reference(conv, random_tensor(c.input, 8, layout_strides(c.input, 1, layout)));
        }
    }
}

TEST(WinogradRefusals, NameWhatTheConvLacks) {
    const auto refused = [](Conv2dOptions options, const Shape &input, const std::string &why) {
        expect_error<ValueError>([&] { Conv2d(options.algorithm(Algorithm::Winograd)).spec(input); },
                                 "algorithm 'winograd' cannot compute this conv: " + why);
    };
    refused(Conv2dOptions(4, 4, 3).stride(2).padding(1), {1, 4, 8, 8}, "it needs stride 1");
    refused(Conv2dOptions(4, 4, 5).padding(2), {1, 4, 8, 8}, "it needs a 3x3 or 1x3 kernel, got 5x5");
    refused(Conv2dOptions(4, 4, {3, 1}).padding({1, 0}), {1, 4, 8, 8}, "it needs a 3x3 or 1x3 kernel, got 3x1");
    refused(Conv2dOptions(4, 4, 3).dilation(2).padding(2), {1, 4, 8, 8}, "it needs dilation 1");
    refused(Conv2dOptions(4, 4, 3).padding(1), {1, 4, 1, 1}, "some taps read only zero padding");
    expect_error<ValueError>(
        [] { Conv1d(Conv1dOptions(4, 4, 5).padding(1).algorithm(Algorithm::Winograd)).spec({1, 4, 9}); },
        "it needs a 3x3 or 1x3 kernel, got 1x5");
    expect_error<ValueError>(
        [] { Conv1d(Conv1dOptions(4, 4, 3).stride(2).algorithm(Algorithm::Winograd)).spec({1, 4, 9}); },
        "it needs stride 1");
    expect_error<ValueError>(
        [] {
            ConvTranspose2d(ConvTranspose2dOptions(4, 4, 3).algorithm(Algorithm::Winograd)).spec({1, 4, 5, 5});
        },
        "algorithm 'winograd' cannot compute this conv_transpose: it computes convolutions only");
}

}  // namespace
}  // namespace convgen::testing
