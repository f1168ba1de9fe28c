#pragma once
// ChainSpec: a chain of convs computed as one kernel (a fused block, or its last layer with the
// block's residual add), already validated and configured. Plain C++, like OpSpec.
#include <string>
#include <string_view>
#include <vector>

#include "convgen/op_spec.h"

namespace convgen {

// What is added to the last layer's output before the chain's final activation.
enum class Residual {
    None,
    Input,  // the chain's input (its shape equals the output's)
    Given,  // one more input buffer with the output's shape and layout
};

std::string_view to_string(Residual);
bool parse(std::string_view name, Residual &out);

// How a fused chain is scheduled: every intermediate is computed per strip of `strip_rows` rows
// of the final output and kept only as long as the strips of one task need it (its rows slide
// down the task); each task owns `task_rows` consecutive output rows of one image. 0 means the
// chain is not fused (one layer, or each layer run on its own).
struct ChainConfig {
    int strip_rows = 0;
    int task_rows = 0;

    bool fused() const { return strip_rows > 0; }
    // "strip_rows=2 task_rows=14", or "unfused".
    std::string text() const;
    friend bool operator==(const ChainConfig &, const ChainConfig &) = default;
};

// Throws convgen::ValueError naming the problem when `text` is not a chain config's text.
ChainConfig parse_chain_config(std::string_view text);

struct ChainSpec {
    // Each layer a configured conv (OpSpec::config and weight layout set); layer i+1's input is
    // layer i's output. All share the batch and layout.
    std::vector<OpSpec> layers;
    Residual residual = Residual::None;
    Activation activation = Activation::None;  // after the residual add
    ChainConfig config;

    // The layers' keys in order, the epilogue and the config: the kernel cache key.
    std::string key() const;
    // The same without the schedule's choices (the layers' configs and the chain config): what a
    // tuning record of the chain is measured for.
    std::string problem_key() const;
    double flops() const;
    const OpSpec &first() const { return layers.front(); }
    const OpSpec &last() const { return layers.back(); }
    friend bool operator==(const ChainSpec &, const ChainSpec &) = default;
};

}  // namespace convgen
