#pragma once
// Block suites: one JSON object per line describing a real chain of convs with its residual add
// (see bench/suites/blocks_public.jsonl):
//   {"net": "resnet50", "name": "resnet50_s1_identity", "N": 1, "C": 256, "H": 56, "W": 56, "count": 2,
//    "layers": [{<a conv2d suite layer's conv fields>, "activation": "relu"}, ...],
//    "residual": "input", "activation": "relu"}
// A layer's input channels are the block's C for the first, its predecessor's out_channels after.
#include <string>
#include <vector>

#include "convgen/block.h"
#include "convgen/suite.h"

namespace convgen {

struct SuiteBlockLayer : SuiteConv {
    Activation activation = Activation::None;
};

struct SuiteBlock : SuiteEntry {
    std::vector<SuiteBlockLayer> layers;
    Residual residual = Residual::None;
    Activation activation = Activation::None;  // after the residual add

    // The chain's layers (default weights), each with its activation, in `layout`, computed with
    // `algorithm` (Auto: Winograd where the layer is a 3x3 conv that runs faster so, else direct).
    std::vector<Conv2d> make_layers(Layout layout, const std::string &schedule = std::string(kDefaultSchedule),
                                    Algorithm algorithm = Algorithm::Direct) const;
    ConvBlockOptions block_options(BlockFusion fusion) const;
    ConvBlock make_block(Layout layout, BlockFusion fusion, const std::string &schedule = std::string(kDefaultSchedule),
                         Algorithm algorithm = Algorithm::Direct) const;
};

// One block from its JSON text; throws convgen::Error naming the field at fault.
SuiteBlock parse_block(const std::string &json);
// Throws convgen::Error naming the file, line and field of a malformed entry.
std::vector<SuiteBlock> read_block_suite(const std::string &path);

}  // namespace convgen
