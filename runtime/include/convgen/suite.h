#pragma once
// Benchmark suites: one JSON object per line describing a real conv2d layer
// (see bench/suites/conv2d_public.jsonl).
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "convgen/conv.h"

namespace convgen {

// A conv's own fields in a suite entry. Its input channels are not among them: a layer entry
// states them, a block's layer takes its predecessor's output channels.
struct SuiteConv {
    int64_t out_channels = 0;
    std::array<int64_t, 2> kernel{1, 1}, stride{1, 1}, padding{0, 0}, dilation{1, 1};
    int64_t groups = 1;
    bool bias = false;
    std::string padding_mode = "zeros";

    Conv2dOptions conv_options(int64_t in_channels) const;
};

// What every suite entry (a layer, a block) states of itself: its network and name, its input's
// (N, C, H, W), and how many times it occurs in the network.
struct SuiteEntry {
    std::string net, name;
    int64_t batch = 1, in_channels = 0, height = 0, width = 0;
    int64_t count = 1;

    Shape input_shape() const { return {batch, in_channels, height, width}; }
};

struct SuiteLayer : SuiteConv, SuiteEntry {
    Conv2dOptions options() const { return conv_options(in_channels); }
    // Whether Winograd can compute the layer (convgen/winograd.h: winograd_refusal).
    bool winograd_applies() const;
};

// Throws convgen::Error naming the file, line and field of a malformed entry.
std::vector<SuiteLayer> read_suite(const std::string &path);

}  // namespace convgen
