// Unfold and Fold: PyTorch's im2col/col2im shape checks in its order and wording, then lowering.
#include "convgen/unfold_fold.h"

#include "convgen/detail/conv_layer.h"
#include "convgen/errors.h"
#include "format.h"
#include "kernel_buffer.h"
#include "kernel_cache.h"
#include "kernel_limits.h"
#include "schedule_names.h"

namespace convgen {
namespace {

using detail::LoweredCall;

std::string pair_text(const ExpandingArray<2> &a) {
    return "(" + std::to_string(a[0]) + ", " + std::to_string(a[1]) + ")";
}

void check_window(const ExpandingArray<2> &kernel, const ExpandingArray<2> &dilation,
                  const ExpandingArray<2> &padding, const ExpandingArray<2> &stride) {
    auto require = [](const ExpandingArray<2> &v, bool ok, const std::string &what, const std::string &name) {
        if (!ok) {
            throw RuntimeError(what + ", but got " + name + "_height: " + std::to_string(v[0]) + " " + name +
                               "_width: " + std::to_string(v[1]));
        }
    };
    require(kernel, kernel[0] > 0 && kernel[1] > 0, "kernel size should be greater than zero", "kernel");
    require(dilation, dilation[0] > 0 && dilation[1] > 0, "dilation should be greater than zero", "dilation");
    require(padding, padding[0] >= 0 && padding[1] >= 0, "padding should be non-negative", "pad");
    require(stride, stride[0] > 0 && stride[1] > 0, "stride should be greater than zero", "stride");
}

Window make_window(const ExpandingArray<2> &kernel, const ExpandingArray<2> &dilation,
                   const ExpandingArray<2> &padding, const ExpandingArray<2> &stride) {
    Window w;
    w.kernel = {kernel[0], kernel[1]};
    w.dilation = {dilation[0], dilation[1]};
    w.pad_begin = w.pad_end = {padding[0], padding[1]};
    w.stride = {stride[0], stride[1]};
    return w;
}

Extent2 block_grid(Extent2 image, const Window &w) {
    const Extent2 k = w.effective_kernel();
    return {sliding_positions(image.h, 2 * w.pad_begin.h, k.h, w.stride.h),
            sliding_positions(image.w, 2 * w.pad_begin.w, k.w, w.stride.w)};
}

bool any_zero(const Shape &sizes, size_t from) {
    for (size_t d = from; d < sizes.size(); ++d) {
        if (sizes[d] == 0) return true;
    }
    return false;
}

std::vector<int64_t> values(const ExpandingArray<2> &a) { return {a[0], a[1]}; }

// Refuses sizes and options beyond 32-bit kernel indexing before lowering does arithmetic on them.
template <typename Options>
void check_32_bit_values(const Options &o, const Shape &input) {
    detail::check_kernel_values({{"input size", input}, {"kernel_size", values(o.kernel_size())},
                                 {"dilation", values(o.dilation())}, {"padding", values(o.padding())},
                                 {"stride", values(o.stride())}});
}

template <typename Options>
void finish(LoweredCall &call, const Options &options) {
    call.spec.layout = options.layout();
    // Unfold and fold have one algorithm; Auto names it.
    call.spec.algorithm = options.algorithm() == Algorithm::Auto ? Algorithm::Direct : options.algorithm();
    call.schedule = options.schedule();
    detail::check_kernel_addressable("input", call.input_extents);
    detail::check_kernel_addressable("output", call.output_sizes);
    detail::set_kernel_key(call);
}

LoweredCall lower_unfold(const UnfoldOptions &o, const Shape &input) {
    check_window(o.kernel_size(), o.dilation(), o.padding(), o.stride());
    check_32_bit_values(o, input);
    if ((input.size() != 3 && input.size() != 4) || any_zero(input, input.size() - 3)) {
        throw RuntimeError("Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other non-zero "
                           "dimensions for input, but got: " + format_shape(input));
    }
    const bool batched = input.size() == 4;
    LoweredCall call;
    OpSpec &s = call.spec;
    s.op = OpKind::Unfold;
    s.batch = batched ? input[0] : 1;
    s.channels = input[input.size() - 3];
    s.image = {input[input.size() - 2], input[input.size() - 1]};
    s.window = make_window(o.kernel_size(), o.dilation(), o.padding(), o.stride());
    s.out = block_grid(s.image, s.window);
    detail::check_kernel_coordinates(s);
    if (s.out.h < 1 || s.out.w < 1) {
        throw RuntimeError("Given input with spatial size (" + std::to_string(s.image.h) + ", " +
                           std::to_string(s.image.w) + "), kernel_size=" + pair_text(o.kernel_size()) +
                           ", dilation=" + pair_text(o.dilation()) + ", padding=" + pair_text(o.padding()) +
                           ", calculated shape of the array of sliding blocks as (" + std::to_string(s.out.h) +
                           ", " + std::to_string(s.out.w) + "), but its components must be at least one.");
    }
    detail::check_kernel_addressable("output",
                                     {s.batch, s.channels, s.window.kernel.h, s.window.kernel.w, s.out.h, s.out.w});
    s.out_channels = s.channels * s.window.kernel.h * s.window.kernel.w;
    call.output_sizes = {s.out_channels, s.out.h * s.out.w};
    if (batched) call.output_sizes.insert(call.output_sizes.begin(), s.batch);
    call.input_strides = layout_strides(input, batched ? 1 : 0, o.layout());
    call.input_extents = detail::image_extents(s.batch, s.channels, s.image.h, s.image.w, o.layout());
    call.output_strides = contiguous_strides(call.output_sizes);
    call.output_extents = detail::column_extents(s);
    finish(call, o);
    return call;
}

LoweredCall lower_fold(const FoldOptions &o, const Shape &input) {
    check_window(o.kernel_size(), o.dilation(), o.padding(), o.stride());
    check_32_bit_values(o, input);
    detail::check_kernel_values({{"output_size", values(o.output_size())}});
    if ((input.size() != 2 && input.size() != 3) || any_zero(input, input.size() - 2)) {
        throw RuntimeError("Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and "
                           "non-zero dimensions for input, but got: " + format_shape(input));
    }
    const bool batched = input.size() == 3;
    const int64_t rows = input[input.size() - 2], blocks = input[input.size() - 1];
    const int64_t kernel_area = o.kernel_size()[0] * o.kernel_size()[1];
    if (rows % kernel_area != 0) {
        throw RuntimeError("Expected size of input's dimension 1 to be divisible by the product of kernel_size, but "
                           "got input.size(1)=" + std::to_string(rows) + " and kernel_size=" +
                           pair_text(o.kernel_size()) + ".");
    }
    LoweredCall call;
    OpSpec &s = call.spec;
    s.op = OpKind::Fold;
    s.batch = batched ? input[0] : 1;
    s.channels = rows / kernel_area;
    s.out_channels = rows;
    s.image = {o.output_size()[0], o.output_size()[1]};
    s.window = make_window(o.kernel_size(), o.dilation(), o.padding(), o.stride());
    s.out = block_grid(s.image, s.window);
    detail::check_kernel_coordinates(s);
    const std::string given = "Given output_size=" + pair_text(o.output_size()) + ", kernel_size=" +
                              pair_text(o.kernel_size()) + ", dilation=" + pair_text(o.dilation()) +
                              ", padding=" + pair_text(o.padding()) + ", stride=" + pair_text(o.stride()) + ", ";
    if (s.out.h * s.out.w != blocks) {
        throw RuntimeError(given + "expected size of input's dimension 2 to match the calculated number of sliding "
                           "blocks " + std::to_string(s.out.h) + " * " + std::to_string(s.out.w) + " = " +
                           std::to_string(s.out.h * s.out.w) + ", but got input.size(2)=" + std::to_string(blocks) +
                           ".");
    }
    if (s.out.h < 1 || s.out.w < 1) {
        throw RuntimeError(given + "calculated shape of the array of sliding blocks as (" + std::to_string(s.out.h) +
                           ", " + std::to_string(s.out.w) + "), which is too small (non-positive).");
    }
    call.output_sizes = {s.channels, s.image.h, s.image.w};
    if (batched) call.output_sizes.insert(call.output_sizes.begin(), s.batch);
    call.input_strides = contiguous_strides(input);
    call.input_extents = detail::column_extents(s);
    call.output_strides = layout_strides(call.output_sizes, batched ? 1 : 0, o.layout());
    call.output_extents = detail::image_extents(s.batch, s.channels, s.image.h, s.image.w, o.layout());
    finish(call, o);
    return call;
}

}  // namespace

Unfold::Unfold(UnfoldOptions options) : options_(std::move(options)) { detail::check_schedule_name(options_.schedule()); }
Fold::Fold(FoldOptions options) : options_(std::move(options)) { detail::check_schedule_name(options_.schedule()); }

Shape Unfold::output_shape(const Shape &input_sizes) const { return lower_unfold(options_, input_sizes).output_sizes; }
OpSpec Unfold::spec(const Shape &input_sizes) const { return lower_unfold(options_, input_sizes).spec; }
void Unfold::prepare(const Shape &input_sizes) const { detail::prepare(lower_unfold(options_, input_sizes)); }
Tensor Unfold::forward(ConstTensorView input) const {
    return detail::execute(lower_unfold(options_, input.sizes), input, {});
}
void Unfold::forward(ConstTensorView input, TensorView output) const {
    detail::execute(lower_unfold(options_, input.sizes), input, {}, output);
}

Shape Fold::output_shape(const Shape &input_sizes) const { return lower_fold(options_, input_sizes).output_sizes; }
OpSpec Fold::spec(const Shape &input_sizes) const { return lower_fold(options_, input_sizes).spec; }
void Fold::prepare(const Shape &input_sizes) const { detail::prepare(lower_fold(options_, input_sizes)); }
Tensor Fold::forward(ConstTensorView input) const {
    return detail::execute(lower_fold(options_, input.sizes), input, {});
}
void Fold::forward(ConstTensorView input, TensorView output) const {
    detail::execute(lower_fold(options_, input.sizes), input, {}, output);
}

}  // namespace convgen
