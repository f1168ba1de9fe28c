#pragma once
// `convgen tune --blocks`: for each block of a block suite, at each thread count, measures how
// ConvBlock can run it on this machine -- layer by layer, and fused under each strip config the
// space holds -- and appends every measurement to the tuning database, where a block with
// BlockFusion::Auto finds the fastest.
#include <string>
#include <vector>

namespace convgen::cli {

struct BlockTuneOptions {
    std::string suite;
    std::vector<std::string> nets;  // empty: every network of the suite
    std::vector<int> threads;
    std::string db;
    double min_seconds = 0.2;  // timed calls per candidate, over all rounds
};

// Throws convgen::Error for a bad suite; a candidate that fails is reported and skipped.
void tune_blocks(const BlockTuneOptions &options);

}  // namespace convgen::cli
