// The path every layer's forward takes once its input is validated: dense operands, the cached
// kernel, and the call.
#include "convgen/detail/conv_layer.h"
#include "convgen/errors.h"
#include "format.h"
#include "kernel_buffer.h"
#include "kernel_cache.h"
#include "kernel_call.h"
#include "view_checks.h"

namespace convgen::detail {
namespace {

bool runs_kernel(const LoweredCall &call) { return element_count(call.output_sizes) > 0; }

}  // namespace

void prepare(const LoweredCall &call) {
    if (runs_kernel(call)) kernel_for(call);
}

void check_output_view(const LoweredCall &call, ConstTensorView input, TensorView output) {
    check_view_shape(input, "input");
    check_view_shape(output, "output");
    if (output.sizes != call.output_sizes) {
        throw RuntimeError("expected an output of size " + format_shape(call.output_sizes) + ", but got " +
                           format_shape(output.sizes));
    }
    if (!has_strides(output, call.output_strides)) {
        throw RuntimeError("output must be dense in the layer's " + std::string(to_string(call.spec.layout)) +
                           " layout: expected strides " + format_shape(call.output_strides) + ", but got " +
                           format_shape(output.strides));
    }
    check_no_overlap(input, output);
}

void execute(const LoweredCall &call, ConstTensorView input, const std::vector<KernelParam> &params,
             TensorView output) {
    check_output_view(call, input, output);
    if (!runs_kernel(call)) return;

    const std::shared_ptr<const CompiledKernel> kernel = kernel_for(call);
    const DenseOperand dense_input = dense_operand(input, call.input_strides);
    std::vector<KernelParam> buffers;
    buffers.reserve(params.size() + 2);
    buffers.push_back({dense_input.data, call.input_extents});
    buffers.insert(buffers.end(), params.begin(), params.end());
    buffers.push_back({output.data, call.output_extents});
    run_kernel(*kernel, buffers);
}

Tensor output_for(const LoweredCall &call) {
    // The kernel writes every element (an empty output runs none).
    return Tensor::empty(call.output_sizes, call.output_strides);
}

Tensor execute(const LoweredCall &call, ConstTensorView input, const std::vector<KernelParam> &params) {
    Tensor output = output_for(call);
    execute(call, input, params, output.view());
    return output;
}

}  // namespace convgen::detail
