#pragma once
// Generated kernels index buffers with 32-bit integers; larger tensors are refused up front.
#include <cstdint>
#include <string>

#include "convgen/errors.h"

namespace convgen::detail {

inline constexpr int64_t kMaxKernelElements = INT32_MAX;

inline void check_kernel_addressable(const std::string &what, double elements) {
    if (elements > double(kMaxKernelElements)) {
        throw RuntimeError(what + " has " + std::to_string(int64_t(elements)) +
                           " elements, more than the 2147483647 that convgen's 32-bit kernel indexing "
                           "supports");
    }
}

}  // namespace convgen::detail
