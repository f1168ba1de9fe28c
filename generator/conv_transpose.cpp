// conv_transpose1d/2d: a gather over the input positions that land on each output, or the
// matmul of the weight with the input followed by col2im (fold), which is the same sum.
#include "convgen/kernel_signature.h"
#include "generator/dense_buffers.h"
#include "generator/epilogue.h"
#include "generator/groups.h"
#include "generator/generate.h"
#include "generator/image_access.h"
#include "generator/sliding_window.h"

namespace convgen::generator {

GeneratedPipeline generate_conv_transpose(const OpSpec &spec) {
    const Window &w = spec.window;
    const int in_per_group = int(spec.channels / spec.groups);
    const int out_per_group = int(spec.out_channels / spec.groups);

    ImageInput input = image_input("input", spec.batch, spec.channels, spec.image, spec.layout);
    // PyTorch's weight (C_in, C_out/g, kH, kW), innermost first.
    Halide::ImageParam weight = dense_input("weight", weight_extents(spec));
    std::optional<Halide::ImageParam> bias;
    if (spec.bias) bias = dense_input("bias", {spec.out_channels});

    GeneratedPipeline pipeline;
    const ImageDims dims;
    const Halide::Var &x = dims.x, &y = dims.y, &c = dims.c, &n = dims.n;
    Halide::Func accumulator(stage::kAccumulator);
    accumulator(x, y, c, n) = initial_value(bias, c);

    if (spec.algorithm == Algorithm::Direct) {
        // Zeros outside the input: an output position may gather from beyond either edge.
        Halide::Func padded = with_padding(input.logical, spec.image, PaddingMode::Zeros, true, true);
        pipeline.stages[stage::kPaddedInput] = padded;
        Halide::RDom r(0, int(w.kernel.w), 0, int(w.kernel.h), 0, in_per_group, "transpose_window");
        const Halide::Expr in_channel = group_input_channel(c, out_per_group, in_per_group, r.z, spec.groups);
        const Halide::Expr tx = x + int(w.pad_begin.w) - r.x * int(w.dilation.w);
        const Halide::Expr ty = y + int(w.pad_begin.h) - r.y * int(w.dilation.h);
        const int sw = int(w.stride.w), sh = int(w.stride.h);
        Halide::Expr value = padded(tx / sw, ty / sh, in_channel, n);
        if (sw != 1 || sh != 1) value = Halide::select(tx % sw == 0 && ty % sh == 0, value, 0.0f);
        accumulator(x, y, c, n) += weight(r.x, r.y, c % out_per_group, in_channel) * value;
        pipeline.reduction = r;
    } else {
        Halide::Var bx("bx"), by("by"), kj("kj"), ki("ki");
        Halide::RDom r(0, in_per_group, "transpose_matmul");
        const Halide::Expr in_channel = group_input_channel(c, out_per_group, in_per_group, r.x, spec.groups);
        Halide::Func columns(stage::kColumns);
        columns(bx, by, kj, ki, c, n) = 0.0f;
        columns(bx, by, kj, ki, c, n) +=
            weight(kj, ki, c % out_per_group, in_channel) * input.logical(bx, by, in_channel, n);
        pipeline.stages[stage::kColumns] = columns;
        pipeline.reduction = r;
        const FoldStages folded = fold_overlap_add(columns, w, spec.image);
        pipeline.stages[stage::kFoldPhases] = folded.phases;
        accumulator(x, y, c, n) += folded.image(x, y, c, n);
    }

    Halide::Func result(stage::kResult);
    result(x, y, c, n) = activate(accumulator(x, y, c, n), spec.activation);
    pipeline.stages[stage::kAccumulator] = accumulator;
    pipeline.stages[stage::kResult] = result;
    pipeline.output = image_output(result, spec.batch, spec.out_channels, spec.out, spec.layout);
    pipeline.arguments = {input.param, weight};
    if (bias) pipeline.arguments.push_back(*bias);
    return pipeline;
}

}  // namespace convgen::generator
