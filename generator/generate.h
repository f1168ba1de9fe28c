#pragma once
// Entry point: an OpSpec in, an unscheduled Halide pipeline out.
#include "convgen/op_spec.h"
#include "generator/pipeline.h"

namespace convgen::generator {

GeneratedPipeline generate(const OpSpec &spec);

GeneratedPipeline generate_conv(const OpSpec &spec);
// One conv reading `input` (logical x, y, c, n), as a stage of a larger pipeline (a chain): its
// Funcs and parameters are named with `prefix`, so several coexist. Its `output` is the conv's
// result (x, y, c, n) and its `arguments` its parameters: weight, [bias].
GeneratedPipeline conv_stages(const OpSpec &spec, const Halide::Func &input, const std::string &prefix);
GeneratedPipeline generate_conv_transpose(const OpSpec &spec);
GeneratedPipeline generate_unfold(const OpSpec &spec);
GeneratedPipeline generate_fold(const OpSpec &spec);

}  // namespace convgen::generator
