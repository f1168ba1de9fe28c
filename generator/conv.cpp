// conv1d/conv2d: direct, or via im2col columns and a matmul (the col2im of a conv's columns
// with a 1x1 kernel and unit stride is the identity, so the matmul writes the output grid).
#include "convgen/kernel_signature.h"
#include "convgen/live_taps.h"
#include "generator/dense_buffers.h"
#include "generator/epilogue.h"
#include "generator/groups.h"
#include "generator/generate.h"
#include "generator/image_access.h"
#include "generator/sliding_window.h"
#include "generator/weight_access.h"
#include "generator/winograd.h"

namespace convgen::generator {

GeneratedPipeline conv_stages(const OpSpec &spec, const Halide::Func &input, const std::string &prefix) {
    if (spec.algorithm == Algorithm::Winograd) return winograd_conv_stages(spec, input, prefix);
    const Window &w = spec.window;
    const int in_per_group = int(spec.channels / spec.groups);
    const int out_per_group = int(spec.out_channels / spec.groups);

    WeightInput weight = conv_weight_input(spec, prefix);
    std::optional<Halide::ImageParam> bias;
    if (spec.bias) bias = dense_input(prefix + "bias", {spec.out_channels});

    // Only the taps that read the image for some output (under zero padding the others add zeros;
    // what they do to non-finite weights the layer restores: runtime/src/skipped_taps.h), and a
    // boundary condition only along dims where those taps read outside the image. Constant
    // extents, so schedules may unroll the taps.
    const LiveTaps taps = live_taps(spec);
    Halide::Func padded =
        with_padding(input, spec.image, spec.padding_mode, taps.pads_height, taps.pads_width, prefix);

    GeneratedPipeline pipeline;
    pipeline.stages[stage::kPaddedInput] = padded;

    const ImageDims dims;
    const Halide::Var &x = dims.x, &y = dims.y, &c = dims.c, &n = dims.n;
    Halide::RDom r(int(taps.x.first), int(taps.x.count), int(taps.y.first), int(taps.y.count), 0, in_per_group,
                   prefix + "conv_window");
    const Halide::Expr in_channel = group_input_channel(c, out_per_group, in_per_group, r.z, spec.groups);

    // Ragged register tiles also compute the zero channels the packed weights hold past the last
    // one (kernel_signature.h): their bias reads stay in bounds, and their results are never stored.
    const Halide::Expr bias_channel =
        packed_out_channels(spec) > spec.out_channels ? Halide::min(c, int(spec.out_channels) - 1) : Halide::Expr(c);
    Halide::Func accumulator(prefix + stage::kAccumulator);
    accumulator(x, y, c, n) = initial_value(bias, bias_channel);
    // Products with the zero padding, skipped as the schedule chose (op_spec.h). Rows without
    // `likely`: Halide then bounds each row's kernel-row loop instead of peeling the border rows,
    // whose column tests it would leave unpeeled. Columns with it: the border tiles are peeled off
    // the interior ones, which run free of tests. Exactly computed products stay NaN for a
    // non-finite weight (PyTorch's inf * 0), which Halide's simplifier folds to zero where the
    // boundary select is inlined into the product: strict_float keeps them.
    const bool zeros = spec.padding_mode == PaddingMode::Zeros;
    const PaddingProducts skipped = zeros ? spec.padding_products : PaddingProducts::Computed;
    const auto accumulate = [&](Halide::Expr product) {
        if (skipped == PaddingProducts::ComputedExactly && taps.pads()) product = Halide::strict_float(product);
        accumulator(x, y, c, n) += product;
    };
    if (spec.algorithm == Algorithm::Direct) {
        const Halide::Expr read_x = x * int(w.stride.w) - int(w.pad_begin.w) + r.x * int(w.dilation.w);
        const Halide::Expr read_y = y * int(w.stride.h) - int(w.pad_begin.h) + r.y * int(w.dilation.h);
        const bool per_row = skipped == PaddingProducts::SkippedPerRow || skipped == PaddingProducts::SkippedPerPosition;
        if (per_row && taps.pads_height) {
            r.where(read_y >= 0 && read_y < int(spec.image.h));
        }
        if (skipped == PaddingProducts::SkippedPerPosition && taps.pads_width) {
            r.where(Halide::likely(read_x >= 0 && read_x < int(spec.image.w)));
        }
        // Grouped: through the group-input stage, which a schedule may store (pipeline.h).
        if (has_group_input(spec)) {
            Halide::Var ci("ci");
            Halide::Func group_input(prefix + stage::kGroupInput);
            group_input(x, y, ci, c, n) =
                padded(x, y, group_input_channel(c, out_per_group, in_per_group, ci, spec.groups), n);
            pipeline.stages[stage::kGroupInput] = group_input;
            accumulate(weight.logical(r.x, r.y, r.z, c) * group_input(read_x, read_y, r.z, c, n));
        } else {
            accumulate(weight.logical(r.x, r.y, r.z, c) * padded(read_x, read_y, in_channel, n));
        }
    } else {
        Halide::Func columns = unfold_columns(padded, w, prefix);
        pipeline.stages[stage::kColumns] = columns;
        accumulate(weight.logical(r.x, r.y, r.z, c) * columns(x, y, r.x, r.y, in_channel, n));
    }

    Halide::Func result(prefix + stage::kResult);
    result(x, y, c, n) = activate(accumulator(x, y, c, n), spec.activation);

    pipeline.stages[stage::kAccumulator] = accumulator;
    pipeline.stages[stage::kResult] = result;
    pipeline.reduction = r;
    pipeline.output = result;
    pipeline.arguments = {weight.param};
    if (bias) pipeline.arguments.push_back(*bias);
    return pipeline;
}

GeneratedPipeline generate_conv(const OpSpec &spec) {
    ImageInput input = image_input("input", spec.batch, spec.channels, spec.image, spec.layout);
    GeneratedPipeline pipeline = conv_stages(spec, input.logical, "");
    pipeline.output = image_output(pipeline.output, spec.batch, spec.out_channels, spec.out, spec.layout);
    pipeline.arguments.insert(pipeline.arguments.begin(), input.param);
    return pipeline;
}

}  // namespace convgen::generator
