// ConvBlock against the reference chain (each layer's reference in turn, then the residual add
// and the final activation): fused and layer by layer, both layouts, every op kind in a chain
// (dense, grouped, depthwise, strided, dilated, conv1d), padding modes, odd sizes, the residual
// kinds; and the blocks and calls it refuses.
#include <cmath>

#include "expect_error.h"
#include "reference/reference.h"
#include "test_support.h"

namespace convgen::testing {
namespace {

struct LayerCase {
    int64_t out_channels;
    int64_t kernel = 1, stride = 1, padding = 0, dilation = 1, groups = 1;
    Activation activation = Activation::None;
    PaddingMode mode = PaddingMode::Zeros;
    bool bias = true;
};

struct BlockCase {
    std::string name;
    Shape input;  // (N, C, H, W), or (N, C, W) for conv1d
    std::vector<LayerCase> layers;
    Residual residual = Residual::None;
    Activation activation = Activation::None;
};

std::vector<BlockCase> block_cases() {
    const auto relu = Activation::Relu, relu6 = Activation::Relu6;
    return {
        {"inverted_residual", {2, 8, 9, 11}, {{48, 1, 1, 0, 1, 1, relu6}, {48, 3, 1, 1, 1, 48, relu6}, {8}},
         Residual::Input},
        {"inverted_residual_stride2", {1, 8, 13, 10}, {{32, 1, 1, 0, 1, 1, relu6}, {32, 3, 2, 1, 1, 32, relu6}, {16}}},
        {"bottleneck_relu_after_add", {1, 32, 7, 7}, {{16, 1, 1, 0, 1, 1, relu}, {16, 3, 1, 1, 1, 1, relu}, {32}},
         Residual::Input, relu},
        {"depthwise_separable_reflect", {1, 16, 10, 9},
         {{16, 3, 1, 1, 1, 16, relu, PaddingMode::Reflect}, {24, 1, 1, 0, 1, 1, relu}}},
        {"grouped_dilated_replicate_circular", {1, 8, 12, 12},
         {{16, 3, 1, 2, 2, 2, relu, PaddingMode::Replicate}, {20, 3, 1, 1, 1, 4, Activation::None, PaddingMode::Circular}}},
        {"ragged_channels_no_bias", {1, 12, 6, 17},
         {{20, 3, 1, 1, 1, 1, relu, PaddingMode::Zeros, false}, {12, 1, 1, 0, 1, 1, Activation::None, PaddingMode::Zeros, false}},
         Residual::Input, relu6},
        // 4-channel groups: the rules copy the group input (ResNeXt's bottleneck, narrower).
        {"narrow_groups_bottleneck", {1, 32, 9, 11},
         {{64, 1, 1, 0, 1, 1, relu}, {64, 3, 1, 1, 1, 16, relu}, {32}}, Residual::Input, relu},
        {"wide_ragged_groups_bottleneck", {1, 40, 7, 9},
         {{40, 1, 1, 0, 1, 1, relu}, {40, 3, 1, 1, 1, 2, relu}, {40}}, Residual::Input, relu},
        {"valid_then_strided", {1, 8, 11, 11}, {{16, 3, 1, 0}, {8, 3, 2, 0, 1, 1, relu}}},
        {"given_residual", {1, 8, 8, 8}, {{16, 3, 1, 1, 1, 1, relu}, {16, 1}}, Residual::Given, relu},
        {"conv1d", {2, 8, 19}, {{16, 3, 1, 1, 1, 1, relu}, {16, 3, 1, 1, 1, 16, relu6}, {8}}, Residual::Input},
    };
}

template <size_t D>
ConvNd<D> make_layer(int64_t in_channels, const LayerCase &l, Layout layout, unsigned seed) {
    ConvNd<D> layer(ConvOptions<D>(in_channels, l.out_channels, l.kernel)
                        .stride(l.stride)
                        .padding(l.padding)
                        .dilation(l.dilation)
                        .groups(l.groups)
                        .bias(l.bias)
                        .padding_mode(l.mode)
                        .activation(l.activation)
                        .layout(layout));
    layer.set_weight(random_tensor(layer.weight().sizes, seed));
    if (l.bias) layer.set_bias(random_tensor({l.out_channels}, seed + 1));
    return layer;
}

template <size_t D>
std::vector<ConvNd<D>> make_layers(const BlockCase &c, Layout layout) {
    std::vector<ConvNd<D>> layers;
    int64_t channels = c.input[1];
    unsigned seed = 10;
    for (const LayerCase &l : c.layers) {
        layers.push_back(make_layer<D>(channels, l, layout, seed += 2));
        channels = l.out_channels;
    }
    return layers;
}

float activate(float v, Activation a) {
    if (std::isnan(v)) return v;
    if (a == Activation::Relu) return std::max(v, 0.0f);
    if (a == Activation::Relu6) return std::clamp(v, 0.0f, 6.0f);
    return v;
}

// Each layer's reference in turn; tensors dense in the layout.
template <size_t D>
std::vector<float> reference_chain(const std::vector<ConvNd<D>> &layers, const BlockCase &c, const Tensor &input,
                                   const Tensor *residual) {
    Shape sizes = input.sizes();
    std::vector<float> current(input.data(), input.data() + input.numel());
    for (const ConvNd<D> &layer : layers) {
        const OpSpec spec = layer.spec(sizes);
        const float *bias = layer.bias() ? layer.bias()->data : nullptr;
        current = reference::run(spec, current.data(), layer.weight().data, bias);
        sizes = layer.output_shape(sizes);
    }
    for (size_t i = 0; i < current.size(); ++i) {
        if (c.residual == Residual::Input) current[i] += input.data()[i];
        if (c.residual == Residual::Given) current[i] += residual->data()[i];
        current[i] = activate(current[i], c.activation);
    }
    return current;
}

template <size_t D>
void check_block(const BlockCase &c, Layout layout, BlockFusion fusion) {
    const std::vector<ConvNd<D>> layers = make_layers<D>(c, layout);
    const ConvBlock block(layers, ConvBlockOptions().residual(c.residual).activation(c.activation).fusion(fusion));
    const Tensor input = random_tensor(c.input, 1, layout_strides(c.input, 1, layout));
    const Shape out = block.output_shape(c.input);
    const Tensor residual = random_tensor(out, 2, layout_strides(out, 1, layout));
    const bool given = c.residual == Residual::Given;
    const Tensor output = given ? block.forward(input, residual) : block.forward(input);
    ASSERT_EQ(output.sizes(), out);
    const std::vector<float> expected = reference_chain<D>(layers, c, input, given ? &residual : nullptr);
    EXPECT_LE(reference::relative_error(output.data(), expected), 10 * kTolerance)
        << c.name << ' ' << to_string(layout) << ' ' << to_string(fusion) << ": " << block.plan(c.input);
    if (fusion == BlockFusion::Fused) {
        EXPECT_EQ(block.plan(c.input).rfind("fused(", 0), 0u);
    } else {
        EXPECT_EQ(block.plan(c.input), "layer_by_layer");
    }
}

class ConvBlockCases : public ::testing::TestWithParam<std::tuple<BlockCase, Layout, BlockFusion>> {};

TEST_P(ConvBlockCases, MatchesTheReferenceChain) {
    const auto &[c, layout, fusion] = GetParam();
    if (c.input.size() == 3) {
        check_block<1>(c, layout, fusion);
    } else {
        check_block<2>(c, layout, fusion);
    }
}

INSTANTIATE_TEST_SUITE_P(Blocks, ConvBlockCases,
                         ::testing::Combine(::testing::ValuesIn(block_cases()),
                                            ::testing::Values(Layout::NCHW, Layout::NHWC),
                                            ::testing::Values(BlockFusion::Fused, BlockFusion::LayerByLayer)),
                         [](const auto &info) {
                             return std::get<0>(info.param).name + "_" +
                                    std::string(to_string(std::get<1>(info.param))) + "_" +
                                    std::string(to_string(std::get<2>(info.param)));
                         });

TEST(ConvBlock, AutoFusesAChainOfDirectConvs) {
    const BlockCase c = block_cases()[0];
    const ConvBlock block(make_layers<2>(c, Layout::NHWC), ConvBlockOptions().residual(Residual::Input));
    EXPECT_EQ(block.plan(c.input).rfind("fused(", 0), 0u) << block.plan(c.input);
}

// A bottleneck whose 3x3 conv computes with Winograd (named, or chosen by algorithm auto): the
// fused pipeline takes direct convs only, so auto runs it layer by layer (the last 1x1 conv with
// the residual add and activation), within the Winograd layer's error bound; fused refuses it.
TEST(ConvBlock, AutoRunsWinogradLayersLayerByLayer) {
    const Tensor input = random_tensor({1, 32, 14, 14}, 1, layout_strides({1, 32, 14, 14}, 1, Layout::NHWC));
    for (const Algorithm algorithm : {Algorithm::Winograd, Algorithm::Auto}) {
        std::vector<Conv2d> layers{
            Conv2d(Conv2dOptions(32, 32, 1).activation(Activation::Relu).layout(Layout::NHWC)),
            Conv2d(Conv2dOptions(32, 32, 3).padding(1).activation(Activation::Relu).layout(Layout::NHWC).algorithm(algorithm)),
            Conv2d(Conv2dOptions(32, 32, 1).layout(Layout::NHWC))};
        unsigned seed = 20;
        for (Conv2d &layer : layers) {
            layer.set_weight(random_tensor(layer.weight().sizes, seed += 2));
            layer.set_bias(random_tensor({32}, seed + 1));
        }
        const OpSpec middle = layers[1].spec(input.sizes());
        ASSERT_EQ(middle.algorithm, Algorithm::Winograd) << "the rules take Winograd for a 32-channel 14x14 3x3 conv";
        const BlockCase c{"bottleneck", input.sizes(), {}, Residual::Input, Activation::Relu};
        const ConvBlock block(layers, ConvBlockOptions().residual(c.residual).activation(c.activation));
        EXPECT_EQ(block.plan(input.sizes()), "layer_by_layer");
        const Tensor output = block.forward(input);
        EXPECT_LE(reference::relative_error(output.data(), reference_chain<2>(layers, c, input, nullptr)),
                  10 * tolerance(middle))
            << to_string(algorithm);
        expect_error<ValueError>(
            [&] {
                ConvBlock(layers, ConvBlockOptions().residual(c.residual).fusion(BlockFusion::Fused)).plan(input.sizes());
            },
            "this block cannot be fused: layer 1 is not a direct conv on a CPU target (algorithm 'winograd')");
    }
}

TEST(ConvBlock, UnbatchedInputAndCallerOutput) {
    const BlockCase c = block_cases()[0];
    const std::vector<Conv2d> layers = make_layers<2>(c, Layout::NCHW);
    const ConvBlock block(layers, ConvBlockOptions().residual(Residual::Input).fusion(BlockFusion::Fused));
    const Shape unbatched{8, 9, 11};
    const Tensor input = random_tensor(unbatched, 3);
    Tensor output(block.output_shape(unbatched));
    block.forward(input, output.view());
    BlockCase one = c;
    one.input = {1, 8, 9, 11};
    const std::vector<float> expected =
        reference_chain<2>(layers, one, random_tensor(one.input, 3), nullptr);
    EXPECT_LE(reference::relative_error(output.data(), expected), 10 * kTolerance);
}

TEST(ConvBlock, NonFiniteWeightsPropagateAsInPyTorch) {
    BlockCase c = block_cases()[6];  // valid then strided: every tap live
    std::vector<Conv2d> layers = make_layers<2>(c, Layout::NHWC);
    Tensor weight = Tensor::copy_of(layers[0].weight());
    weight.data()[5] = NAN;
    layers[0].set_weight(weight);
    const ConvBlock block(layers, ConvBlockOptions().fusion(BlockFusion::Fused));
    const Tensor input = random_tensor(c.input, 1, layout_strides(c.input, 1, Layout::NHWC));
    const Tensor output = block.forward(input);
    const std::vector<float> expected = reference_chain<2>(layers, c, input, nullptr);
    EXPECT_LE(reference::relative_error(output.data(), expected), 10 * kTolerance);
}

TEST(ConvBlock, RefusesBadChains) {
    const auto conv = [](int64_t in, int64_t out, Layout layout = Layout::NCHW) {
        return Conv2d(Conv2dOptions(in, out, 1).layout(layout));
    };
    expect_error<ValueError>([] { ConvBlock(std::vector<Conv2d>{}); }, "a ConvBlock needs at least one layer");
    expect_error<ValueError>([&] { ConvBlock({conv(8, 16), conv(8, 4)}); },
                             "layer 1 of the block expects 8 input channels, but layer 0 gives 16");
    expect_error<ValueError>([&] { ConvBlock({conv(8, 16), conv(16, 4, Layout::NHWC)}); },
                             "a block's layers share one layout");
}

TEST(ConvBlock, RefusesBadCalls) {
    const Conv2d a(Conv2dOptions(8, 16, 3).padding(1)), b(Conv2dOptions(16, 8, 1).stride(2));
    const Tensor input = random_tensor({1, 8, 6, 6}, 1);
    expect_error<RuntimeError>([&] { ConvBlock({a, b}, ConvBlockOptions().residual(Residual::Input)).forward(input); },
                               "the block adds its input to its output, but the input has size [1, 8, 6, 6] and the "
                               "output [1, 8, 3, 3]");
    expect_error<ValueError>([&] { ConvBlock({a, b}, ConvBlockOptions().residual(Residual::Given)).forward(input); },
                             "pass it to forward");
    expect_error<ValueError>([&] { ConvBlock({a, b}).forward(input, input); }, "forward takes no residual tensor");
    expect_error<RuntimeError>(
        [&] { ConvBlock({a, b}, ConvBlockOptions().residual(Residual::Given)).forward(input, input); },
        "expected a residual of size [1, 8, 3, 3], but got [1, 8, 6, 6]");
    expect_error<RuntimeError>([&] { ConvBlock({a, b}).forward(random_tensor({1, 4, 6, 6}, 1)); },
                               "expected input[1, 4, 6, 6] to have 8 channels, but got 4 channels instead");
    const Conv2d naive(Conv2dOptions(16, 8, 1).schedule("naive"));
    expect_error<ValueError>(
        [&] { ConvBlock({a, naive}, ConvBlockOptions().fusion(BlockFusion::Fused)).forward(input); },
        "this block cannot be fused: layer 1 uses schedule 'naive'");
    EXPECT_EQ(ConvBlock({a, naive}).plan({1, 8, 6, 6}), "layer_by_layer");
}

TEST(ConvBlock, PinnedChainConfigsAreChecked) {
    const BlockCase c = block_cases()[0];  // output 9 rows
    const auto block_with = [&](const std::string &config) {
        return ConvBlock(make_layers<2>(c, Layout::NHWC),
                         ConvBlockOptions().fusion(BlockFusion::Fused).schedule_config(config));
    };
    EXPECT_EQ(block_with("strip_rows=3 task_rows=9").plan(c.input), "fused(strip_rows=3 task_rows=9)");
    expect_error<ValueError>([&] { block_with("strip_rows=2 task_rows=5").plan(c.input); },
                             "strip_rows must divide task_rows");
    expect_error<ValueError>([&] { block_with("strip_rows=1 task_rows=10").plan(c.input); },
                             "at most the 9 output rows");
    expect_error<ValueError>([&] { block_with("strip_rows=x"); }, "chain config 'strip_rows=x'");
}

TEST(ConvBlock, AutoRunsChainsWithLargeWeightsLayerByLayer) {
    // 1x1 convs 1024 -> 512 -> 1024: 4 MiB of weights, streamed again by every strip when fused.
    const std::vector<Conv2d> layers{Conv2d(Conv2dOptions(1024, 512, 1).layout(Layout::NHWC)),
                                     Conv2d(Conv2dOptions(512, 1024, 1).layout(Layout::NHWC))};
    EXPECT_EQ(ConvBlock(layers).plan({1, 1024, 4, 4}), "layer_by_layer");
    EXPECT_EQ(ConvBlock(layers, ConvBlockOptions().fusion(BlockFusion::Fused)).plan({1, 1024, 4, 4}).rfind("fused(", 0),
              0u);
}

// Two bands of a 7-row image both compute 2 of the 7 intermediate rows the depthwise window
// shares across their boundary (of a 14-row one, 2 of 14): on 2 threads the rule runs it layer
// by layer, on 1 (one band) fused.
TEST(ConvBlock, AutoRunsSmallImagesLayerByLayerWhenBandsShareTooManyRows) {
    const std::vector<Conv2d> layers{
        Conv2d(Conv2dOptions(16, 64, 1).activation(Activation::Relu6).layout(Layout::NHWC)),
        Conv2d(Conv2dOptions(64, 64, 3).groups(64).padding(1).activation(Activation::Relu6).layout(Layout::NHWC)),
        Conv2d(Conv2dOptions(64, 16, 1).layout(Layout::NHWC))};
    const ConvBlock block(layers, ConvBlockOptions().residual(Residual::Input));
    set_num_threads(1);
    EXPECT_EQ(block.plan({1, 16, 7, 7}).rfind("fused(", 0), 0u) << block.plan({1, 16, 7, 7});
    EXPECT_EQ(block.plan({1, 16, 28, 28}).rfind("fused(", 0), 0u);
    set_num_threads(2);
    EXPECT_EQ(block.plan({1, 16, 7, 7}), "layer_by_layer");
    EXPECT_EQ(block.plan({1, 16, 14, 14}), "layer_by_layer");
    EXPECT_EQ(block.plan({1, 16, 28, 28}).rfind("fused(", 0), 0u) << block.plan({1, 16, 28, 28});
    set_num_threads(0);
}

}  // namespace
}  // namespace convgen::testing
