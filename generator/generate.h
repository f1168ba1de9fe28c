#pragma once
// Entry point: an OpSpec in, an unscheduled Halide pipeline out.
#include "convgen/op_spec.h"
#include "generator/pipeline.h"

namespace convgen::generator {

GeneratedPipeline generate(const OpSpec &spec);

GeneratedPipeline generate_conv(const OpSpec &spec);
GeneratedPipeline generate_conv_transpose(const OpSpec &spec);
GeneratedPipeline generate_unfold(const OpSpec &spec);
GeneratedPipeline generate_fold(const OpSpec &spec);

}  // namespace convgen::generator
