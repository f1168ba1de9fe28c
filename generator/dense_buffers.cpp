#include "generator/dense_buffers.h"

namespace convgen::generator {

namespace {

Halide::Region region_of(const Extents &extents) {
    Halide::Region region;
    for (int64_t extent : extents) region.emplace_back(0, int(extent));
    return region;
}

void constrain_dense(Halide::OutputImageParam buffer, const Extents &extents) {
    int stride = 1;
    for (size_t d = 0; d < extents.size(); ++d) {
        buffer.dim(int(d)).set_bounds(0, int(extents[d])).set_stride(stride);
        stride *= int(extents[d]);
    }
}

}  // namespace

Halide::ImageParam dense_input(const std::string &name, const Extents &extents) {
    Halide::ImageParam param(Halide::Float(32), int(extents.size()), name);
    constrain_dense(param, extents);
    param.set_estimates(region_of(extents));
    return param;
}

void constrain_dense_output(Halide::Func output, const Extents &extents) {
    constrain_dense(output.output_buffer(), extents);
    output.set_estimates(region_of(extents));
}

}  // namespace convgen::generator
