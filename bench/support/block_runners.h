#pragma once
// Benchmarkable runs of a suite block (bench/suites/blocks_public.jsonl): set up in the
// constructor (JIT, weight packing, oneDNN primitive creation), timed through run().
#include <memory>

#include "convgen/block_suite.h"
#include "runners.h"

namespace convgen::bench {

// A ConvBlock on channels-last tensors (random input, the layers' default weights), its layers
// computed with `algorithm`; its plan() is the block's own ("fused(rows=4)", "layer_by_layer").
std::unique_ptr<Runner> make_convgen_block_runner(const SuiteBlock &block, BlockFusion fusion, Algorithm algorithm,
                                                  int threads);

// oneDNN layer by layer as a framework runs the block through it: each conv a primitive in the
// layout it prefers, activations as eltwise post-ops, the residual add as a sum post-op on the
// last conv; with `depthwise_post_op`, each 1x1 conv followed by a 3x3 depthwise conv (stride 1
// or 2) is one primitive with oneDNN's depthwise post-op where oneDNN accepts it. plan() says how
// many primitives, reorders and depthwise post-ops it runs. With `winograd`, each conv oneDNN has
// a Winograd kernel for (3x3, stride 1) uses it, post-ops included, as issue 11's oneDNN baseline
// does for single layers.
struct OnednnBlockChoices {
    bool depthwise_post_op = false;
    bool winograd = false;
};
class OnednnBlockRunner : public Runner {
public:
    // 0: the same primitives as without the choice.
    virtual int depthwise_post_ops() const = 0;
    virtual int winograd_convs() const = 0;
};
std::unique_ptr<OnednnBlockRunner> make_onednn_block_runner(const SuiteBlock &block, OnednnBlockChoices choices,
                                                            int threads);

}  // namespace convgen::bench
