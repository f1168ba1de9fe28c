#pragma once
// Generated kernels index buffers and compute coordinates with 32-bit integers; larger tensors and
// option values are refused up front, before any arithmetic on them can overflow and before any
// allocation.
#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "convgen/errors.h"
#include "convgen/op_spec.h"
#include "format.h"

namespace convgen::detail {

inline constexpr int64_t kMaxKernelElements = INT32_MAX;

inline std::string beyond_32_bits(const std::string &what) {
    return what + ", beyond the 2147483647 that convgen's 32-bit kernel indexing supports";
}

// Throws ErrorType when a tensor of `sizes` has a dimension or an element count beyond 32-bit
// indexing. Counts in double, so huge sizes cannot overflow on the way.
template <typename ErrorType = RuntimeError>
void check_kernel_addressable(const std::string &what, const std::vector<int64_t> &sizes) {
    double elements = 1;
    for (int64_t s : sizes) {
        if (s > kMaxKernelElements) {
            throw ErrorType(beyond_32_bits(what + " of size " + format_shape(sizes) + " has a dimension"));
        }
        elements *= double(s);
    }
    if (elements > double(kMaxKernelElements)) {
        throw ErrorType(beyond_32_bits(what + " of size " + format_shape(sizes) + " has more elements"));
    }
}

// Throws RuntimeError when an option value (kernel_size, stride, padding, ...) is beyond 32 bits
// in magnitude; below that, lowering arithmetic in int64 cannot overflow.
inline void check_kernel_values(std::initializer_list<std::pair<const char *, std::vector<int64_t>>> options) {
    for (const auto &[name, values] : options) {
        for (int64_t v : values) {
            if (v > kMaxKernelElements || v < -kMaxKernelElements) {
                throw RuntimeError(beyond_32_bits(std::string(name) + "=" + format_shape(values) + " has a value"));
            }
        }
    }
}

// Throws RuntimeError when a kernel for `spec` would compute a coordinate beyond 32 bits: the
// image or output extent plus padding, the dilated kernel and one stride, per spatial dim.
inline void check_kernel_coordinates(const OpSpec &spec) {
    const Window &w = spec.window;
    auto span = [&](int64_t image, int64_t out, int64_t pad_begin, int64_t pad_end, int64_t dilation, int64_t kernel,
                    int64_t stride, int64_t output_padding) {
        return std::max(image, out) + pad_begin + pad_end + dilation * (kernel - 1) + stride + output_padding;
    };
    const int64_t h = span(spec.image.h, spec.out.h, w.pad_begin.h, w.pad_end.h, w.dilation.h, w.kernel.h, w.stride.h,
                           w.output_padding.h);
    const int64_t wd = span(spec.image.w, spec.out.w, w.pad_begin.w, w.pad_end.w, w.dilation.w, w.kernel.w, w.stride.w,
                            w.output_padding.w);
    if (std::max(h, wd) > kMaxKernelElements) {
        throw RuntimeError(beyond_32_bits("the sliding window spans " + std::to_string(std::max(h, wd)) +
                                          " positions (input, padding, dilated kernel and stride)"));
    }
}

}  // namespace convgen::detail
