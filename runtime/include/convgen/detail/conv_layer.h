#pragma once
// The one implementation behind Conv1d/2d and ConvTranspose1d/2d: options resolved to a
// rank-generic config, the layer's weights, and forward. The public classes are thin wrappers.
#include <array>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include "convgen/detail/plan_cache.h"
#include "convgen/op_spec.h"
#include "convgen/tensor.h"

namespace convgen {
struct BatchNormParams;
}

namespace convgen::detail {

struct ConvLayerParams {
    size_t spatial_rank = 2;
    bool transposed = false;
    int64_t in_channels = 0, out_channels = 0, groups = 1;
    std::vector<int64_t> kernel, stride, dilation, output_padding;
    // Padding as requested: a string ('same', 'valid', or a bad one, rejected at construction) or
    // explicit values. The layer resolves the string into same_padding.
    std::optional<std::string> padding_string;
    std::vector<int64_t> padding;
    std::optional<bool> same_padding;  // resolved: true for 'same', false for 'valid'
    std::string padding_mode_name = "zeros";
    PaddingMode padding_mode = PaddingMode::Zeros;  // resolved from padding_mode_name
    bool bias = true;
    Activation activation = Activation::None;
    Layout layout = Layout::NCHW;
    Algorithm algorithm = Algorithm::Direct;
    std::string schedule;
    std::optional<ScheduleConfig> schedule_config;  // pinned by the user, else chosen per shape

    // PyTorch's functional name: conv1d, conv2d, conv_transpose1d, conv_transpose2d.
    std::string op_name() const;
    // (O, I/g, k...) for conv, (I, O/g, k...) for conv_transpose.
    Shape weight_shape() const;
};

// A validated call: the OpSpec, and how the user's tensors map onto the kernel's dense buffers.
struct LoweredCall {
    OpSpec spec;
    std::string schedule;
    Shape input_strides;                 // dense strides the kernel wants for the input's sizes
    std::vector<int64_t> input_extents;  // the input as the kernel sees it, innermost first
    Shape output_sizes;
    Shape output_strides;
    std::vector<int64_t> output_extents;
    // The kernel cache's key for spec and schedule, made once when the call is lowered (and again
    // whenever spec changes: set_kernel_key) so a call does no string work.
    std::string kernel_key;
};

// A kernel buffer's extents, innermost first, held inline so that setting up a call's buffers
// takes nothing from the heap.
class KernelExtents {
public:
    static constexpr size_t kMostDims = 8;
    KernelExtents(const std::vector<int64_t> &extents);  // std::logic_error past kMostDims
    std::span<const int64_t> values() const { return {values_.data(), rank_}; }

private:
    std::array<int64_t, kMostDims> values_{};
    size_t rank_ = 0;
};

// A dense tensor (input, weight, bias, output) as the kernel sees it.
struct KernelParam {
    const float *data;
    KernelExtents extents;
};

// A layer's parameters for one kernel call, with the storage of any it made for the call.
struct KernelParams {
    std::optional<Tensor> nan_bias;  // see ConvLayer::kernel_params
    std::vector<KernelParam> params;
};

// Throws RuntimeError unless `output` is a view the call can write: its sizes, dense in the
// call's layout, not overlapping `input`.
void check_output_view(const LoweredCall &call, ConstTensorView input, TensorView output);
// Runs a lowered call with the op's parameters, if it has any.
void execute(const LoweredCall &call, ConstTensorView input, const std::vector<KernelParam> &params,
             TensorView output);
Tensor execute(const LoweredCall &call, ConstTensorView input, const std::vector<KernelParam> &params);
// A new tensor for the call's output, dense in its layout, left uninitialised for the kernel.
Tensor output_for(const LoweredCall &call);
// Compiles the call's kernel now, if it will ever run one.
void prepare(const LoweredCall &call);

class ConvLayer {
public:
    // Validates the construction rules (PyTorch's ValueErrors) and initialises the weights as
    // PyTorch does (uniform in +-1/sqrt(fan_in)).
    explicit ConvLayer(ConvLayerParams params);

    const ConvLayerParams &params() const { return params_; }
    void set_weight(ConstTensorView weight);
    void set_bias(ConstTensorView bias);
    const Tensor &weight() const { return weight_; }
    const std::optional<Tensor> &bias() const { return bias_; }

    LoweredCall lower(const Shape &input_sizes) const;
    // lower(), kept per input shape (and thread count and tuning database generation, which
    // choose the config): a forward on a known shape skips validation and configuration.
    std::shared_ptr<const LoweredCall> plan(const Shape &input_sizes) const;
    void prepare(const Shape &input_sizes) const;
    Tensor forward(ConstTensorView input) const;
    void forward(ConstTensorView input, TensorView output) const;

    // The weight packed for spec's layout, and the bias. When a non-finite weight sits on a tap
    // the kernel skips (runtime/src/skipped_taps.h), spec.bias is set and the bias returned makes
    // its channels NaN, as PyTorch's would be.
    KernelParams kernel_params(OpSpec &spec) const;

    // A copy with the eval-mode BatchNorm folded into weights and bias.
    ConvLayer fused_with(const BatchNormParams &bn) const;

private:
    // Runs `call` (the plan for input's sizes) into `output`, with the weights' kernel params.
    void run(const LoweredCall &call, ConstTensorView input, TensorView output) const;
    // nan_bias, when set, replaces the layer's bias (see nan_bias_for_skipped_taps).
    std::vector<KernelParam> params(const OpSpec &spec, const std::optional<Tensor> &nan_bias) const;
    // The weight in spec's layout, packed on first use and kept until the weight changes.
    const Tensor &packed_weight(const OpSpec &spec) const;
    // Whether every weight is finite, found on first use and kept until the weight changes.
    bool weight_finite() const;
    // When a non-finite weight sits on a tap the kernel skips (runtime/src/skipped_taps.h): the
    // bias that makes its channels NaN, with spec.bias set so the kernel adds it.
    std::optional<Tensor> nan_bias_for_skipped_taps(OpSpec &spec) const;

    // What is derived from weight_: packed copies by layout and block, and whether it is all finite.
    // Replaced (not cleared) by set_weight so a layer copy keeps its own.
    struct WeightPacks {
        std::mutex mutex;
        std::map<std::tuple<WeightLayout, int64_t, int64_t>, Tensor> packed;  // layout, block, m
        std::optional<bool> finite;
    };

    ConvLayerParams params_;
    // A copy of the layer starts empty: fused_with changes what lowering gives.
    mutable PlanCache<LoweredCall> plans_;
    Tensor weight_;  // PyTorch's layout
    std::optional<Tensor> bias_;
    std::shared_ptr<WeightPacks> packs_ = std::make_shared<WeightPacks>();
};

}  // namespace convgen::detail
