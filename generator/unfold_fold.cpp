// unfold (im2col) and fold (col2im). The (N, C*kH*kW, L) tensor is addressed as the dense 6-D
// array (bx, by, kj, ki, c, n): row c*kH*kW + ki*kW + kj and column by*nW + bx of the same memory.
#include "convgen/kernel_signature.h"
#include "generator/dense_buffers.h"
#include "generator/generate.h"
#include "generator/image_access.h"
#include "generator/sliding_window.h"

namespace convgen::generator {

GeneratedPipeline generate_unfold(const OpSpec &spec) {
    const Window &w = spec.window;
    ImageInput input = image_input("input", spec.batch, spec.channels, spec.image, spec.layout);
    Halide::Func padded = with_padding(input.logical, spec.image, PaddingMode::Zeros, w.pads_height(), w.pads_width());
    Halide::Func columns = unfold_columns(padded, w);

    GeneratedPipeline pipeline;
    pipeline.stages[stage::kPaddedInput] = padded;
    pipeline.stages[stage::kColumns] = columns;
    pipeline.output = Halide::Func("output");
    pipeline.output(columns.args()) = columns(columns.args());
    constrain_dense_output(pipeline.output, column_extents(spec));
    pipeline.arguments = {input.param};
    return pipeline;
}

GeneratedPipeline generate_fold(const OpSpec &spec) {
    Halide::ImageParam columns = dense_input("input", column_extents(spec));
    const FoldStages folded = fold_overlap_add(columns, spec.window, spec.out);

    GeneratedPipeline pipeline;
    pipeline.stages[stage::kFoldPhases] = folded.phases;
    pipeline.output = image_output(folded.image, spec.batch, spec.channels, spec.image, spec.layout);
    pipeline.arguments = {columns};
    return pipeline;
}

}  // namespace convgen::generator
