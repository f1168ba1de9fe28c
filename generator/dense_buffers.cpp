#include "generator/dense_buffers.h"

namespace convgen::generator {

void constrain_dense(Halide::OutputImageParam buffer, const std::vector<int> &extents) {
    int stride = 1;
    for (size_t d = 0; d < extents.size(); ++d) {
        buffer.dim(int(d)).set_bounds(0, extents[d]).set_stride(stride);
        stride *= extents[d];
    }
}

Halide::ImageParam dense_input(const std::string &name, const std::vector<int> &extents) {
    Halide::ImageParam param(Halide::Float(32), int(extents.size()), name);
    constrain_dense(param, extents);
    return param;
}

}  // namespace convgen::generator
