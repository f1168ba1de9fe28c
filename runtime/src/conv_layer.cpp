// Conv and ConvTranspose layers: PyTorch's construction and forward checks, in PyTorch's order and
// wording, then lowering to the 2-D OpSpec the generator understands.
#include "convgen/detail/conv_layer.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "convgen/batch_norm.h"
#include "convgen/kernel_signature.h"
#include "convgen/errors.h"
#include "format.h"
#include "kernel_buffer.h"
#include "kernel_cache.h"
#include "kernel_limits.h"
#include "schedule_names.h"
#include "tuned_configs.h"
#include "convgen/threads.h"
#include "skipped_taps.h"
#include "view_checks.h"

namespace convgen::detail {
namespace {

bool any_of(const std::vector<int64_t> &values, bool (*predicate)(int64_t)) {
    for (int64_t v : values) {
        if (predicate(v)) return true;
    }
    return false;
}

// A rank-1 or rank-2 spatial vector as the (h, w) of the 2-D lowering.
Extent2 as_2d(const std::vector<int64_t> &v, int64_t fill) {
    return v.size() == 1 ? Extent2{fill, v[0]} : Extent2{v[0], v[1]};
}

std::string transpose_class_name(size_t rank) { return "ConvTranspose" + std::to_string(rank) + "d"; }

// Per spatial dim: padding before and after ('same' puts the odd unit at the end).
void resolve_padding(const ConvLayerParams &c, std::vector<int64_t> &begin, std::vector<int64_t> &end) {
    begin.assign(c.spatial_rank, 0);
    end.assign(c.spatial_rank, 0);
    for (size_t d = 0; d < c.spatial_rank; ++d) {
        if (c.same_padding.value_or(false)) {
            const int64_t total = c.dilation[d] * (c.kernel[d] - 1);
            begin[d] = total / 2;
            end[d] = total - begin[d];
        } else if (!c.same_padding) {
            begin[d] = end[d] = c.padding[d];
        }
    }
}

void check_padding_mode(const ConvLayerParams &c, const Shape &input, const std::vector<int64_t> &begin,
                        const std::vector<int64_t> &end) {
    // PyTorch pads with F.pad before convolving, so these come before the channel checks; the
    // last dim first.
    for (size_t d = c.spatial_rank; d-- > 0;) {
        const size_t dim = input.size() - c.spatial_rank + d;
        const int64_t size = input[dim];
        if (c.padding_mode == PaddingMode::Reflect && (begin[d] >= size || end[d] >= size)) {
            throw RuntimeError("Padding size should be less than the corresponding input dimension, but got: padding (" +
                               std::to_string(begin[d]) + ", " + std::to_string(end[d]) + ") at dimension " +
                               std::to_string(dim) + " of input " + format_shape(input));
        }
        if (c.padding_mode == PaddingMode::Circular && (begin[d] > size || end[d] > size)) {
            throw RuntimeError("Padding value causes wrapping around more than once.");
        }
    }
}

}  // namespace

std::string ConvLayerParams::op_name() const {
    return std::string(transposed ? "conv_transpose" : "conv") + std::to_string(spatial_rank) + "d";
}

Shape ConvLayerParams::weight_shape() const {
    Shape shape = transposed ? Shape{in_channels, out_channels / groups} : Shape{out_channels, in_channels / groups};
    shape.insert(shape.end(), kernel.begin(), kernel.end());
    return shape;
}

ConvLayer::ConvLayer(ConvLayerParams params) : params_(std::move(params)) {
    ConvLayerParams &c = params_;
    if (c.groups <= 0) throw ValueError("groups must be a positive integer");
    if (c.in_channels < 0 || c.out_channels < 0) {
        throw ValueError("Trying to create tensor with negative dimension " +
                         std::to_string(std::min(c.in_channels, c.out_channels)));
    }
    if (c.in_channels % c.groups != 0) throw ValueError("in_channels must be divisible by groups");
    if (c.out_channels % c.groups != 0) throw ValueError("out_channels must be divisible by groups");
    if (c.padding_string) {
        if (*c.padding_string != "same" && *c.padding_string != "valid") {
            throw ValueError("Invalid padding string '" + *c.padding_string + "', should be one of {'valid', 'same'}");
        }
        c.same_padding = *c.padding_string == "same";
    }
    if (c.same_padding.value_or(false) && any_of(c.stride, [](int64_t s) { return s != 1; })) {
        throw ValueError("padding='same' is not supported for strided convolutions");
    }
    if (!parse(c.padding_mode_name, c.padding_mode)) {
        throw ValueError("padding_mode must be one of {'zeros', 'reflect', 'replicate', 'circular'}, but got "
                         "padding_mode='" + c.padding_mode_name + "'");
    }
    if (c.transposed && c.padding_mode != PaddingMode::Zeros) {
        throw ValueError("Only \"zeros\" padding mode is supported for " + transpose_class_name(c.spatial_rank));
    }
    check_schedule_name(c.schedule);
    if (any_of(c.kernel, [](int64_t k) { return k <= 0; })) {
        throw ValueError("kernel_size must be positive, but got kernel_size=" + format_shape(c.kernel));
    }

    // PyTorch's default initialisation: kaiming_uniform(a=sqrt(5)), i.e. U(-1/sqrt(fan_in), +).
    const Shape shape = c.weight_shape();
    check_kernel_addressable<ValueError>("weight", shape);
    if (c.bias) check_kernel_addressable<ValueError>("bias", {c.out_channels});
    double fan_in = double(shape[1]);  // in double: a weight with no output channels may have huge other dims
    for (int64_t k : c.kernel) fan_in *= double(k);
    const float bound = fan_in > 0 ? float(1.0 / std::sqrt(fan_in)) : 0.0f;
    std::mt19937 engine(0x5eed);
    std::uniform_real_distribution<float> uniform(-bound, bound);
    weight_ = Tensor(shape);
    for (int64_t i = 0; i < weight_.numel(); ++i) weight_.data()[i] = uniform(engine);
    if (c.bias) {
        bias_ = Tensor({c.out_channels});
        for (int64_t i = 0; i < bias_->numel(); ++i) bias_->data()[i] = uniform(engine);
    }
}

void ConvLayer::set_weight(ConstTensorView weight) {
    const Shape expected = params_.weight_shape();
    if (weight.sizes != expected) {
        throw RuntimeError("expected weight of size " + format_shape(expected) + " for " + params_.op_name() +
                           " with groups=" + std::to_string(params_.groups) + ", but got weight of size " +
                           format_shape(weight.sizes));
    }
    copy_elements(weight, weight_.view());
    packs_ = std::make_shared<WeightPacks>();
}

const Tensor &ConvLayer::packed_weight(const OpSpec &spec) const {
    if (spec.weight_layout == WeightLayout::OIHW) return weight_;
    std::lock_guard lock(packs_->mutex);
    auto [it, inserted] = packs_->packed.try_emplace({spec.weight_layout, spec.weight_block, spec.winograd_tile});
    if (!inserted) return it->second;
    const Extents extents = weight_extents(spec);  // innermost first
    Tensor packed(Shape(extents.rbegin(), extents.rend()));
    pack_conv_weight(spec, weight_.data(), packed.data());
    it->second = std::move(packed);
    return it->second;
}

void ConvLayer::set_bias(ConstTensorView bias) {
    if (!bias_) throw ValueError("the layer was created with bias=false, so it has no bias to set");
    if (bias.sizes != Shape{params_.out_channels}) {
        throw RuntimeError("Given weight of size " + format_shape(weight_.sizes()) +
                           ", expected bias to be 1-dimensional with " + std::to_string(params_.out_channels) +
                           " elements, but got bias of size " + format_shape(bias.sizes) + " instead");
    }
    copy_elements(bias, bias_->view());
}

LoweredCall ConvLayer::lower(const Shape &input) const {
    const ConvLayerParams &c = params_;
    const size_t rank = c.spatial_rank;
    if (input.size() != rank + 1 && input.size() != rank + 2) {
        throw RuntimeError("Expected " + std::to_string(rank + 1) + "D (unbatched) or " + std::to_string(rank + 2) +
                           "D (batched) input to " + c.op_name() + ", but got input of size: " + format_shape(input));
    }
    check_kernel_values({{"input size", input}, {"kernel_size", c.kernel}, {"stride", c.stride},
                         {"padding", c.padding}, {"dilation", c.dilation}, {"output_padding", c.output_padding}});
    const bool batched = input.size() == rank + 2;
    Shape batched_input = input;
    if (!batched) batched_input.insert(batched_input.begin(), 1);

    std::vector<int64_t> pad_begin, pad_end;
    resolve_padding(c, pad_begin, pad_end);
    if (any_of(pad_begin, [](int64_t p) { return p < 0; })) throw RuntimeError("negative padding is not supported");
    if (c.transposed && any_of(c.output_padding, [](int64_t p) { return p < 0; })) {
        throw RuntimeError("negative output_padding is not supported");
    }
    if (any_of(c.stride, [](int64_t s) { return s <= 0; })) throw RuntimeError("non-positive stride is not supported");
    if (any_of(c.dilation, [](int64_t d) { return d <= 0; })) {
        throw RuntimeError("dilation should be greater than zero, but got " + format_shape(c.dilation));
    }
    if (c.out_channels == 0) {
        throw RuntimeError("Given groups=" + std::to_string(c.groups) +
                           ", expected weight to be at least 1 at dimension 0, but got weight of size " +
                           format_shape(weight_.sizes()) + " instead");
    }
    check_padding_mode(c, input, pad_begin, pad_end);

    const int64_t channels = batched_input[1];
    if (channels != c.in_channels) {
        const std::string prefix = c.transposed ? "Given transposed=1, weight of size "
                                                : "Given groups=" + std::to_string(c.groups) + ", weight of size ";
        throw RuntimeError(prefix + format_shape(weight_.sizes()) + ", expected input" + format_shape(batched_input) +
                           " to have " + std::to_string(c.in_channels) + " channels, but got " +
                           std::to_string(channels) + " channels instead");
    }
    const std::vector<int64_t> spatial(batched_input.begin() + 2, batched_input.end());
    if (channels == 0 || any_of(spatial, [](int64_t s) { return s == 0; })) {
        throw RuntimeError("Expected input with non-zero channel and spatial dimensions to " + c.op_name() +
                           ", but got input of size: " + format_shape(input));
    }

    std::vector<int64_t> out(rank);
    if (!c.transposed) {
        std::vector<int64_t> padded(rank), effective(rank);
        for (size_t d = 0; d < rank; ++d) {
            padded[d] = spatial[d] + pad_begin[d] + pad_end[d];
            effective[d] = c.dilation[d] * (c.kernel[d] - 1) + 1;
        }
        for (size_t d = 0; d < rank; ++d) {
            if (padded[d] < effective[d]) {
                throw RuntimeError("Calculated padded input size per channel: (" + join(padded, " x ") +
                                   "). Kernel size: (" + join(effective, " x ") +
                                   "). Kernel size can't be greater than actual input size");
            }
        }
        for (size_t d = 0; d < rank; ++d) {
            out[d] = sliding_positions(spatial[d], pad_begin[d] + pad_end[d], effective[d], c.stride[d]);
        }
    } else {
        // PyTorch reports both of these in 2-D terms, 1-D ops included (height 0/1).
        const Extent2 op = as_2d(c.output_padding, 0), s = as_2d(c.stride, 1), dl = as_2d(c.dilation, 1);
        if ((op.h >= s.h && op.h >= dl.h) || (op.w >= s.w && op.w >= dl.w)) {
            throw RuntimeError(
                "output padding must be smaller than either stride or dilation, but got output_padding_height: " +
                std::to_string(op.h) + " output_padding_width: " + std::to_string(op.w) +
                " stride_height: " + std::to_string(s.h) + " stride_width: " + std::to_string(s.w) +
                " dilation_height: " + std::to_string(dl.h) + " dilation_width: " + std::to_string(dl.w));
        }
        for (size_t d = 0; d < rank; ++d) {
            out[d] = (spatial[d] - 1) * c.stride[d] - 2 * pad_begin[d] + c.dilation[d] * (c.kernel[d] - 1) +
                     c.output_padding[d] + 1;
        }
        if (any_of(out, [](int64_t o) { return o <= 0; })) {
            const Extent2 in2 = as_2d(spatial, 1), out2 = as_2d(out, 1);
            throw RuntimeError("Given input size per channel: (" + std::to_string(in2.h) + " x " +
                               std::to_string(in2.w) + "). Calculated output size per channel: (" +
                               std::to_string(out2.h) + " x " + std::to_string(out2.w) +
                               "). Output size is too small");
        }
    }

    LoweredCall call;
    OpSpec &spec = call.spec;
    spec.op = c.transposed ? OpKind::ConvTranspose : OpKind::Conv;
    spec.batch = batched_input[0];
    spec.channels = channels;
    spec.image = as_2d(spatial, 1);
    spec.out_channels = c.out_channels;
    spec.out = as_2d(out, 1);
    spec.window.kernel = as_2d(c.kernel, 1);
    spec.window.stride = as_2d(c.stride, 1);
    spec.window.dilation = as_2d(c.dilation, 1);
    spec.window.pad_begin = as_2d(pad_begin, 0);
    spec.window.pad_end = as_2d(pad_end, 0);
    if (c.transposed) spec.window.output_padding = as_2d(c.output_padding, 0);
    spec.groups = c.groups;
    spec.bias = c.bias;
    spec.padding_mode = c.padding_mode;
    spec.activation = c.activation;
    spec.layout = c.layout;
    spec.algorithm = c.algorithm;
    configure_kernel(spec, c.schedule, c.schedule_config ? &*c.schedule_config : nullptr);

    call.schedule = c.schedule;
    call.output_sizes = batched ? Shape{spec.batch, spec.out_channels} : Shape{spec.out_channels};
    call.output_sizes.insert(call.output_sizes.end(), out.begin(), out.end());
    call.input_strides = layout_strides(input, batched ? 1 : 0, c.layout);
    call.output_strides = layout_strides(call.output_sizes, batched ? 1 : 0, c.layout);
    call.input_extents = image_extents(spec.batch, spec.channels, spec.image.h, spec.image.w, c.layout);
    call.output_extents = image_extents(spec.batch, spec.out_channels, spec.out.h, spec.out.w, c.layout);

    check_kernel_addressable("input", input);
    check_kernel_addressable("output", call.output_sizes);
    check_kernel_coordinates(spec);
    set_kernel_key(call);
    return call;
}

PlanKey plan_key(const Shape &input_sizes) { return {input_sizes, num_threads(), tuning_generation()}; }

std::shared_ptr<const LoweredCall> ConvLayer::plan(const Shape &input_sizes) const {
    return plans_.get(input_sizes, [&] { return lower(input_sizes); });
}

void ConvLayer::prepare(const Shape &input_sizes) const { detail::prepare(*plan(input_sizes)); }

bool ConvLayer::weight_finite() const {
    std::lock_guard lock(packs_->mutex);
    if (!packs_->finite) {
        const float *w = weight_.data();
        packs_->finite = std::all_of(w, w + weight_.numel(), [](float v) { return std::isfinite(v); });
    }
    return *packs_->finite;
}

std::optional<Tensor> ConvLayer::nan_bias_for_skipped_taps(OpSpec &spec) const {
    if (weight_finite()) return std::nullopt;
    const std::vector<int64_t> channels = channels_nan_from_skipped_taps(spec, weight_.data());
    if (channels.empty()) return std::nullopt;
    Tensor bias = bias_ ? Tensor::copy_of(*bias_) : Tensor({spec.out_channels});
    for (int64_t o : channels) bias.data()[o] = NAN;
    spec.bias = true;
    return bias;
}

std::vector<KernelParam> ConvLayer::params(const OpSpec &spec, const std::optional<Tensor> &nan_bias) const {
    std::vector<KernelParam> params{{packed_weight(spec).data(), weight_extents(spec)}};
    const std::optional<Tensor> &bias = nan_bias ? nan_bias : bias_;
    if (bias) params.push_back({bias->data(), Extents{bias->numel()}});
    return params;
}

KernelParams ConvLayer::kernel_params(OpSpec &spec) const {
    KernelParams result;
    if (!weight_finite()) {
        // PyTorch multiplies the padding too: inf * 0 and NaN * 0 make those outputs NaN.
        spec.padding_products = PaddingProducts::ComputedExactly;
        result.nan_bias = nan_bias_for_skipped_taps(spec);
    }
    result.params = params(spec, result.nan_bias);
    return result;
}

Tensor ConvLayer::forward(ConstTensorView input) const {
    const std::shared_ptr<const LoweredCall> call = plan(input.sizes);
    Tensor output = output_for(*call);
    run(*call, input, output.view());
    return output;
}

void ConvLayer::forward(ConstTensorView input, TensorView output) const { run(*plan(input.sizes), input, output); }

void ConvLayer::run(const LoweredCall &call, ConstTensorView input, TensorView output) const {
    if (weight_finite()) return execute(call, input, params(call.spec, std::nullopt), output);
    // Non-finite weights change the spec (kernel_params), and with it the kernel.
    LoweredCall with_nan = call;
    const KernelParams params = kernel_params(with_nan.spec);
    set_kernel_key(with_nan);
    execute(with_nan, input, params.params, output);
}

ConvLayer ConvLayer::fused_with(const BatchNormParams &bn) const {
    const int64_t channels = params_.out_channels;
    auto check = [&](const ConstTensorView &v, const char *name) {
        check_view_shape(v, name);
        if (v.sizes != Shape{channels}) {
            throw RuntimeError(std::string(name) + " should contain " + std::to_string(channels) + " elements not " +
                               std::to_string(v.numel()));
        }
    };
    check(bn.running_mean, "running_mean");
    check(bn.running_var, "running_var");
    if (bn.weight) check(*bn.weight, "weight");
    if (bn.bias) check(*bn.bias, "bias");
    auto at = [](const ConstTensorView &v, int64_t i) { return double(v.data[i * v.strides[0]]); };

    ConvLayerParams fused_params = params_;
    fused_params.bias = true;
    ConvLayer fused(fused_params);
    std::vector<double> scale(static_cast<size_t>(channels));
    for (int64_t o = 0; o < channels; ++o) {
        const double gamma = bn.weight ? at(*bn.weight, o) : 1.0, beta = bn.bias ? at(*bn.bias, o) : 0.0;
        scale[o] = gamma / std::sqrt(at(bn.running_var, o) + bn.eps);
        const double conv_bias = bias_ ? double(bias_->data()[o]) : 0.0;
        fused.bias_->data()[o] = float((conv_bias - at(bn.running_mean, o)) * scale[o] + beta);
    }
    // The output channel of each weight element: dim 0 for conv; for conv_transpose dim 1 within
    // the group that dim 0 (the input channel) belongs to.
    const Shape &shape = weight_.sizes();
    const int64_t per_filter = weight_.numel() / (shape[0] * shape[1]);
    const int64_t in_per_group = params_.in_channels / params_.groups, out_per_group = channels / params_.groups;
    for (int64_t i = 0; i < shape[0]; ++i)
        for (int64_t j = 0; j < shape[1]; ++j) {
            const int64_t o = params_.transposed ? (i / in_per_group) * out_per_group + j : i;
            const int64_t base = (i * shape[1] + j) * per_filter;
            for (int64_t k = 0; k < per_filter; ++k) {
                fused.weight_.data()[base + k] = float(double(weight_.data()[base + k]) * scale[o]);
            }
        }
    return fused;
}

}  // namespace convgen::detail
