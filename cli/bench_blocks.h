#pragma once
// `convgen bench --blocks`: each block of a block suite run by convgen (fused, layer by layer,
// and as ConvBlock chooses) and by oneDNN layer by layer with its post-ops, at each thread count,
// in one process; beside them, the time the block's multiply-adds take at the measured FMA peak.
#include <string>
#include <vector>

namespace convgen::cli {

struct BlockBenchOptions {
    std::string suite;
    std::vector<std::string> nets;          // empty: every network of the suite
    std::vector<int> threads;
    std::vector<std::string> variants;      // convgen's: fused, layers, auto, auto_winograd (oneDNN's always run)
    std::string format = "table";           // table, json or csv
    double min_seconds = 0.2;
};

// The variant names --schedules takes with --blocks.
const std::vector<std::string> &block_bench_variants();

// Throws convgen::Error for bad options or suite; a variant that fails on a block is reported in
// the output and the run goes on.
void run_block_bench(const BlockBenchOptions &options);

}  // namespace convgen::cli
