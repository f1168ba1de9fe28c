#include "generator/image_access.h"

#include "convgen/kernel_signature.h"
#include "generator/dense_buffers.h"
#include "generator/pipeline.h"

namespace convgen::generator {

ImageInput image_input(const std::string &name, int64_t batch, int64_t channels, Extent2 size,
                       Layout layout) {
    const ImageDims dims;
    const Halide::Var &x = dims.x, &y = dims.y, &c = dims.c, &n = dims.n;
    ImageInput in{dense_input(name, image_extents(batch, channels, size.h, size.w, layout)),
                  Halide::Func(name + "_logical")};
    if (layout == Layout::NHWC) {
        in.logical(x, y, c, n) = in.param(c, x, y, n);
    } else {
        in.logical(x, y, c, n) = in.param(x, y, c, n);
    }
    return in;
}

Halide::Func image_output(const Halide::Func &result, int64_t batch, int64_t channels, Extent2 size,
                          Layout layout) {
    const ImageDims dims;
    const Halide::Var &x = dims.x, &y = dims.y, &c = dims.c, &n = dims.n;
    Halide::Func output("output");
    if (layout == Layout::NHWC) {
        output(c, x, y, n) = result(x, y, c, n);
    } else {
        output(x, y, c, n) = result(x, y, c, n);
    }
    constrain_dense_output(output, image_extents(batch, channels, size.h, size.w, layout));
    return output;
}

Halide::Func with_padding(const Halide::Func &logical, Extent2 size, PaddingMode mode, bool pad_h,
                          bool pad_w, const std::string &prefix) {
    using namespace Halide::BoundaryConditions;
    const Halide::Region bounds{pad_w ? Halide::Range(0, int(size.w)) : Halide::Range(),
                                pad_h ? Halide::Range(0, int(size.h)) : Halide::Range(),
                                Halide::Range(), Halide::Range()};
    Halide::Func extended = logical;
    if (pad_h || pad_w) {
        switch (mode) {
        case PaddingMode::Zeros: extended = constant_exterior(logical, 0.0f, bounds); break;
        case PaddingMode::Reflect: extended = mirror_interior(logical, bounds); break;
        case PaddingMode::Replicate: extended = repeat_edge(logical, bounds); break;
        case PaddingMode::Circular: extended = repeat_image(logical, bounds); break;
        }
    }
    const ImageDims dims;
    const Halide::Var &x = dims.x, &y = dims.y, &c = dims.c, &n = dims.n;
    Halide::Func padded(prefix + stage::kPaddedInput);
    padded(x, y, c, n) = extended(x, y, c, n);
    return padded;
}

}  // namespace convgen::generator
