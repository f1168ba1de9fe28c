#pragma once
// A chain of convs as one pipeline (convgen/chain_spec.h): layer i+1 reads layer i's result as
// its input Func, each layer's algorithm unchanged; the last result gets the residual add and the
// final activation before it is written in the layout's memory order.
#include <vector>

#include "convgen/chain_spec.h"
#include "generator/pipeline.h"

namespace convgen::generator {

struct GeneratedChain {
    // Each conv's stages under the usual stage names (their Funcs prefixed "layer<i>_"); a
    // layer's `output` is its result (x, y, c, n), its `arguments` its weight and bias.
    std::vector<GeneratedPipeline> layers;
    Halide::Func output;
    // Call order: input, each layer's weight [and bias], [residual], output.
    std::vector<Halide::Argument> arguments;
};

GeneratedChain generate_chain(const ChainSpec &chain);

}  // namespace convgen::generator
