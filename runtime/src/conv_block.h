#pragma once
// What is behind ConvBlock: the shared layers and, per input shape, a plan: one chain kernel for
// the whole block (fused), or the layers' own kernels in turn (layer by layer), the last layer
// then run as a chain of one when the block adds a residual or a final activation.
#include <memory>
#include <optional>
#include <vector>

#include "convgen/block.h"
#include "convgen/detail/conv_layer.h"
#include "convgen/detail/plan_cache.h"

namespace convgen::detail {

struct BlockPlan {
    std::vector<std::shared_ptr<const LoweredCall>> calls;  // each layer's call, validated in order
    bool fused = false;
    // Fused: the whole block. Layer by layer: the last layer with the block's epilogue (residual
    // Given: the block's input or the caller's tensor), when it has one.
    std::optional<ChainSpec> chain;
    std::string chain_schedule;  // the schedule of the chain's unfused layer
    std::string chain_kernel_key;  // chain_kernel_key(*chain, chain_schedule), made once
    ChainSpec block;             // the whole block, as it runs
};

class ConvBlockImpl {
public:
    ConvBlockImpl(std::vector<std::shared_ptr<const ConvLayer>> layers, ConvBlockOptions options);

    const ConvBlockOptions &options() const { return options_; }
    size_t size() const { return layers_.size(); }
    // Kept per (input sizes, threads, tuning generation), as the layers keep theirs.
    std::shared_ptr<const BlockPlan> plan(const Shape &input_sizes) const;
    // Into a new tensor dense in the layers' layout.
    Tensor forward(ConstTensorView input, const ConstTensorView *residual) const;
    void prepare(const Shape &input_sizes) const;
    // residual: the caller's tensor for Residual::Given, else null.
    void forward(ConstTensorView input, const ConstTensorView *residual, TensorView output) const;

private:
    BlockPlan make_plan(const Shape &input_sizes) const;
    // The plan for input, once the residual argument fits the block's Residual and the view is sound.
    std::shared_ptr<const BlockPlan> checked_plan(ConstTensorView input, const ConstTensorView *residual) const;
    // Checks the output and residual views, then runs the plan.
    void run(const BlockPlan &plan, ConstTensorView input, const ConstTensorView *residual, TensorView output) const;
    // Why the block cannot be fused for these calls; empty when it can.
    std::string fusion_refusal(const ChainSpec &chain) const;
    // Runs `chain` on `input` (the first chained layer's) with the chained layers' parameters.
    void run_chain(const BlockPlan &p, size_t first_layer, ConstTensorView input,
                   const LoweredCall &first_call, const std::optional<ConstTensorView> &residual,
                   const LoweredCall &last_call, TensorView output) const;

    std::vector<std::shared_ptr<const ConvLayer>> layers_;
    ConvBlockOptions options_;
    std::optional<ChainConfig> pinned_;  // options_.schedule_config, parsed
    mutable PlanCache<BlockPlan> plans_;
};

}  // namespace convgen::detail
