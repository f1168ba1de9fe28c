#include "kernel_buffer.h"

#include <algorithm>
#include <stdexcept>

#include "convgen/errors.h"

namespace convgen::detail {

KernelExtents::KernelExtents(const std::vector<int64_t> &extents) : rank_(extents.size()) {
    if (rank_ > kMostDims) {
        throw std::logic_error("a kernel buffer of more than " + std::to_string(kMostDims) + " dimensions");
    }
    std::copy(extents.begin(), extents.end(), values_.begin());
}

halide_buffer_t dense_halide_buffer(const KernelParam &param, halide_dimension_t *dims) {
    const std::span<const int64_t> extents = param.extents.values();
    int64_t stride = 1;
    for (size_t d = 0; d < extents.size(); ++d) {
        dims[d] = halide_dimension_t(0, int32_t(extents[d]), int32_t(stride));
        stride *= extents[d];
    }
    halide_buffer_t buffer{};
    buffer.host = reinterpret_cast<uint8_t *>(const_cast<float *>(param.data));
    buffer.type = halide_type_t(halide_type_float, 32);
    buffer.dimensions = int32_t(extents.size());
    buffer.dim = dims;
    return buffer;
}

bool has_strides(ConstTensorView view, const Shape &dense_strides) {
    for (size_t d = 0; d < view.sizes.size(); ++d) {
        if (view.sizes[d] != 1 && view.strides[d] != dense_strides[d]) return false;
    }
    return true;
}

DenseOperand dense_operand(ConstTensorView view, const Shape &dense_strides) {
    if (has_strides(view, dense_strides)) return {view.data, std::nullopt};
    Tensor copy(view.sizes, dense_strides);
    copy_elements(view, copy.view());
    DenseOperand operand{copy.data(), std::move(copy)};
    return operand;
}

namespace {

// [first, last] addresses an element of the view can occupy.
std::pair<const float *, const float *> address_range(ConstTensorView v) {
    const float *lo = v.data, *hi = v.data;
    for (size_t d = 0; d < v.sizes.size(); ++d) {
        const int64_t reach = (v.sizes[d] - 1) * v.strides[d];
        if (reach < 0) lo += reach;
        else hi += reach;
    }
    return {lo, hi};
}

}  // namespace

void check_no_overlap(ConstTensorView input, ConstTensorView output) {
    if (input.numel() == 0 || output.numel() == 0) return;
    const auto [in_lo, in_hi] = address_range(input);
    const auto [out_lo, out_hi] = address_range(output);
    if (std::less_equal<>()(out_lo, in_hi) && std::less_equal<>()(in_lo, out_hi)) {
        throw RuntimeError("output tensor overlaps the input tensor; convgen does not compute in place");
    }
}

}  // namespace convgen::detail
