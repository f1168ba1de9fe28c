// The block suite: its parser's errors, and the public suite's blocks against the networks.
#include <cstdio>
#include <fstream>
#include <map>

#include <gtest/gtest.h>

#include "convgen/block_suite.h"
#include "expect_error.h"

namespace convgen {
namespace {

using testing::expect_error;

const std::string kBlock =
    R"({"net": "t", "name": "t_b1", "N": 1, "C": 8, "H": 10, "W": 10, "count": 2, "layers": [)"
    R"({"out_channels": 24, "kernel": [1, 1], "stride": [1, 1], "padding": [0, 0], "dilation": [1, 1], "groups": 1, )"
    R"("bias": true, "padding_mode": "zeros", "activation": "relu6"}, )"
    R"({"out_channels": 8, "kernel": [3, 3], "stride": [1, 1], "padding": [1, 1], "dilation": [1, 1], "groups": 8, )"
    R"("bias": false, "padding_mode": "reflect", "activation": "none"}], "residual": "input", "activation": "relu"})";

std::string replaced(std::string text, const std::string &from, const std::string &to) {
    const size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return text.replace(at, from.size(), to);
}

TEST(BlockSuite, ParsesEveryField) {
    const SuiteBlock b = parse_block(kBlock);
    EXPECT_EQ(b.name, "t_b1");
    EXPECT_EQ(b.input_shape(), (Shape{1, 8, 10, 10}));
    EXPECT_EQ(b.count, 2);
    ASSERT_EQ(b.layers.size(), 2u);
    EXPECT_EQ(b.layers[0].out_channels, 24);
    EXPECT_EQ(b.layers[0].activation, Activation::Relu6);
    EXPECT_EQ(b.layers[1].groups, 8);
    EXPECT_EQ(b.layers[1].padding_mode, "reflect");
    EXPECT_FALSE(b.layers[1].bias);
    EXPECT_EQ(b.residual, Residual::Input);
    EXPECT_EQ(b.activation, Activation::Relu);
}

TEST(BlockSuite, LayersTakeTheirPredecessorsChannels) {
    const std::vector<Conv2d> layers = parse_block(kBlock).make_layers(Layout::NHWC);
    ASSERT_EQ(layers.size(), 2u);
    EXPECT_EQ(layers[0].options().in_channels(), 8);
    EXPECT_EQ(layers[1].options().in_channels(), 24);
    EXPECT_EQ(layers[1].options().layout(), Layout::NHWC);
    EXPECT_EQ(layers[0].options().activation(), Activation::Relu6);
}

TEST(BlockSuite, ErrorsNameTheField) {
    expect_error<Error>([&] { parse_block(replaced(kBlock, R"("groups": 8, )", "")); },
                        "missing field 'layers[1].groups'");
    expect_error<Error>([&] { parse_block(replaced(kBlock, R"("C": 8)", R"("C": "8")")); }, "field 'C'");
    expect_error<Error>([&] { parse_block(replaced(kBlock, R"("activation": "relu6")", R"("activation": "gelu")")); },
                        "field 'layers[0].activation': unknown value 'gelu'");
    expect_error<Error>([&] { parse_block(replaced(kBlock, R"("residual": "input")", R"("residual": "output")")); },
                        "field 'residual': unknown value 'output'");
    expect_error<Error>([&] { parse_block(replaced(kBlock, R"("kernel": [3, 3])", R"("kernel": [3])")); },
                        "field 'layers[1].kernel'");
    expect_error<Error>([&] { parse_block(R"({"net": "t", "name": "t", "N": 1, "C": 8, "H": 4, "W": 4, "layers": [],
                                           "residual": "none", "activation": "none"})"); },
                        "field 'layers': expected a non-empty array");
    expect_error<Error>([&] { parse_block("{\"net\": "); }, "invalid JSON");
}

TEST(BlockSuite, FileErrorsNameTheFileAndLine) {
    const std::string path = ::testing::TempDir() + "block_suite_errors.jsonl";
    {
        std::ofstream file(path);
        file << kBlock << "\n\n" << replaced(kBlock, R"("N": 1, )", "") << "\n";
    }
    expect_error<Error>([&] { read_block_suite(path); }, path + ":3: invalid block entry: missing field 'N'");
    std::remove(path.c_str());
    expect_error<Error>([&] { read_block_suite(path); }, "cannot open block suite file '" + path + "'");
}

TEST(BlockSuite, ConvSuiteErrorsNameTheFieldToo) {
    const std::string path = ::testing::TempDir() + "conv_suite_errors.jsonl";
    {
        std::ofstream file(path);
        file << R"({"net": "t", "name": "t", "N": 1, "C": 8, "H": 4, "W": 4, "out_channels": 8, "kernel": [3, 3],)"
             << R"( "stride": [1, 1], "padding": [1, 1], "dilation": [1, 1], "groups": "one", "bias": true,)"
             << R"( "padding_mode": "zeros"})" << "\n";
    }
    expect_error<Error>([&] { read_suite(path); }, path + ":1: invalid suite entry: field 'groups'");
    std::remove(path.c_str());
}

// MobileNetV2 (torchvision, 224x224) has 17 inverted residual blocks, ResNet-50 12 identity
// bottlenecks; every block's chain is consistent and its residual has the output's shape.
TEST(BlockSuite, PublicSuiteHoldsTheNetworksBlocks) {
    std::map<std::string, int64_t> blocks_per_net;
    for (const SuiteBlock &b : read_block_suite(CONVGEN_BLOCK_SUITE)) {
        blocks_per_net[b.net] += b.count;
        int64_t channels = b.in_channels, height = b.height;
        for (const SuiteBlockLayer &l : b.layers) {
            EXPECT_EQ(channels % l.groups, 0) << b.name;
            EXPECT_TRUE(l.bias) << b.name << ": BatchNorm is folded into a bias";
            height = (height + 2 * l.padding[0] - l.dilation[0] * (l.kernel[0] - 1) - 1) / l.stride[0] + 1;
            channels = l.out_channels;
        }
        if (b.residual == Residual::Input) {
            EXPECT_EQ(channels, b.in_channels) << b.name;
            EXPECT_EQ(height, b.height) << b.name;
        }
    }
    EXPECT_EQ(blocks_per_net["mobilenet_v2"], 17);
    EXPECT_EQ(blocks_per_net["resnet50"], 12);
    EXPECT_EQ(blocks_per_net["mobilenet_v1"], 1);
}

}  // namespace
}  // namespace convgen
