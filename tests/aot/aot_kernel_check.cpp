#include "aot_kernel_check.h"

#include <cstdio>

#include "convgen/kernel_signature.h"
#include "reference/reference.h"

namespace convgen::test {
namespace {

struct DenseBuffer {
    std::vector<float> values;
    std::vector<halide_dimension_t> dims;
    halide_buffer_t buffer{};

    explicit DenseBuffer(const Extents &extents) {
        int64_t count = 1;
        for (int64_t e : extents) {
            dims.emplace_back(0, int32_t(e), int32_t(count));
            count *= e;
        }
        values.resize(size_t(count));
        buffer.host = reinterpret_cast<uint8_t *>(values.data());
        buffer.type = halide_type_t(halide_type_float, 32);
        buffer.dimensions = int32_t(dims.size());
        buffer.dim = dims.data();
    }
};

KernelCheck failed(const AotKernel &kernel, const std::string &why) {
    return {false, std::string("FAIL ") + kernel.function_name + ": " + why};
}

}  // namespace

KernelCheck check_kernel(const AotKernel &kernel, std::mt19937 &engine,
                         void (*after_call)(const std::vector<halide_buffer_t *> &)) {
    const OpSpec &spec = kernel.spec;
    std::vector<DenseBuffer> buffers;
    buffers.reserve(4);
    for (const Extents &e : kernel_buffer_extents(spec)) buffers.emplace_back(e);
    std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
    for (size_t i = 0; i + 1 < buffers.size(); ++i) {
        for (float &v : buffers[i].values) v = uniform(engine);
    }
    std::vector<void *> arguments;
    std::vector<halide_buffer_t *> raw;
    for (DenseBuffer &b : buffers) {
        arguments.push_back(&b.buffer);
        raw.push_back(&b.buffer);
    }
    if (const int status = kernel.entry(arguments.data()); status != 0) {
        return failed(kernel, "status " + std::to_string(status));
    }
    if (after_call) after_call(raw);

    const bool has_params = spec.op == OpKind::Conv || spec.op == OpKind::ConvTranspose;
    // The kernel took its weights in its own layout; the reference takes PyTorch's.
    std::vector<float> pytorch_weight;
    if (spec.op == OpKind::Conv) {
        pytorch_weight.resize(buffers[1].values.size());
        unpack_conv_weight(spec, buffers[1].values.data(), pytorch_weight.data());
    }
    const float *weight = spec.op == OpKind::Conv ? pytorch_weight.data()
                          : has_params             ? buffers[1].values.data()
                                                   : nullptr;
    const float *bias = has_params && spec.bias ? buffers[2].values.data() : nullptr;
    const std::vector<float> expected = reference::run(spec, buffers[0].values.data(), weight, bias);
    const double error = reference::relative_error(buffers.back().values.data(), expected);
    char text[64];
    std::snprintf(text, sizeof text, "relative error %.3g", error);
    if (error >= 1e-4) return failed(kernel, text);
    return {true, std::string("PASS ") + kernel.function_name + " (" + kernel.key + "): " + text};
}

}  // namespace convgen::test
