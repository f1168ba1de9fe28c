#pragma once
// ConvBlock: a chain of conv layers (conv1d/2d, grouped, depthwise, each with its bias, folded
// BatchNorm and activation), optionally followed by a residual add and a final activation, run
// as one Halide pipeline whose intermediates are computed per strip of rows and never written
// to memory (fused), or layer by layer through the layers' own kernels.
//   ConvBlock block({expand, depthwise, project}, ConvBlockOptions().residual(Residual::Input));
//   Tensor y = block.forward(x);
// The block shares its layers (a later set_weight on one is seen by the block), so weights,
// validation and errors are the layers' own. forward is thread-safe, like the layers'.
#include <memory>
#include <string>
#include <vector>

#include "convgen/chain_spec.h"
#include "convgen/conv.h"
#include "convgen/options.h"

namespace convgen {

namespace detail {
class ConvBlockImpl;
}

// How a block runs. Auto: what the tuning database measured fastest on this machine and thread
// count (`convgen tune --blocks`) when it has the block; else fused where the schedules can fuse
// the chain (every layer a direct conv under the hand or tuned schedule with a channel vector of
// outputs) and its weights are small enough to stream again per strip (2 MiB), else layer by layer.
enum class BlockFusion { Auto, Fused, LayerByLayer };

// Residual (what is added before the final activation) and its names: convgen/chain_spec.h.
std::string_view to_string(BlockFusion);
bool parse(std::string_view name, BlockFusion &out);

struct ConvBlockOptions {
    CONVGEN_ARG(Residual, residual) = Residual::None;
    // Applied after the residual add (each layer's own activation comes before it).
    CONVGEN_ARG(Activation, activation) = Activation::None;
    CONVGEN_ARG(BlockFusion, fusion) = BlockFusion::Auto;
    // A fused chain's config in its canonical text ("strip_rows=1 task_rows=14",
    // convgen/chain_spec.h) instead of the rules'; checked per input shape (ValueError when it
    // cannot be honoured there). Empty: the rules.
    CONVGEN_ARG(std::string, schedule_config);
};

class ConvBlock {
public:
    // ValueError when the chain is empty, a layer's in_channels is not its predecessor's
    // out_channels, or the layers do not share one layout.
    explicit ConvBlock(std::vector<Conv2d> layers, ConvBlockOptions options = {});
    explicit ConvBlock(std::vector<Conv1d> layers, ConvBlockOptions options = {});

    const ConvBlockOptions &options() const;
    size_t size() const;

    Shape output_shape(const Shape &input_sizes) const;
    // How forward runs on this shape, e.g. "fused(strip_rows=1 task_rows=28)" or "layer_by_layer".
    std::string plan(const Shape &input_sizes) const;
    // The validated chain a forward on this shape computes: every layer's OpSpec, the residual and
    // the final activation; its config says how it runs ("unfused": layer by layer).
    ChainSpec spec(const Shape &input_sizes) const;
    // Compiles the kernels for this shape now rather than on the first forward.
    void prepare(const Shape &input_sizes) const;

    Tensor forward(ConstTensorView input) const;
    // Residual::Given: `residual` is added before the final activation.
    Tensor forward(ConstTensorView input, ConstTensorView residual) const;
    // Into caller memory, dense in the layers' layout with output_shape() sizes.
    void forward(ConstTensorView input, TensorView output) const;
    void forward(ConstTensorView input, ConstTensorView residual, TensorView output) const;

private:
    static std::shared_ptr<const detail::ConvLayer> layer_impl(const ConvLayerBase &layer);
    std::shared_ptr<const detail::ConvBlockImpl> impl_;
};

}  // namespace convgen
