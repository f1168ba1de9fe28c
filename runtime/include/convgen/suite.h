#pragma once
// Benchmark suites: one JSON object per line describing a real conv2d layer
// (see bench/suites/conv2d_public.jsonl).
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "convgen/conv.h"

namespace convgen {

struct SuiteLayer {
    std::string net, name;
    int64_t batch = 1, in_channels = 0, height = 0, width = 0, out_channels = 0;
    std::array<int64_t, 2> kernel{1, 1}, stride{1, 1}, padding{0, 0}, dilation{1, 1};
    int64_t groups = 1;
    bool bias = false;
    std::string padding_mode = "zeros";
    int64_t count = 1;  // how many times the layer occurs in its network

    Conv2dOptions options() const;
    Shape input_shape() const { return {batch, in_channels, height, width}; }
};

// Throws convgen::Error naming the file and line of a malformed entry.
std::vector<SuiteLayer> read_suite(const std::string &path);

}  // namespace convgen
