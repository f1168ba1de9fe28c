#include "generator/weight_access.h"

#include "convgen/kernel_signature.h"
#include "generator/dense_buffers.h"

namespace convgen::generator {

WeightInput conv_weight_input(const OpSpec &spec, const std::string &prefix) {
    // weight_extents: the one statement of the packed shape
    WeightInput w{dense_input(prefix + "weight", weight_extents(spec)),
                  Halide::Func(prefix + "weight_logical")};
    Halide::Var kx("kx"), ky("ky"), ci("ci"), co("co");
    const int block = int(spec.weight_block);
    if (spec.weight_layout == WeightLayout::BlockedHWIO) {
        w.logical(kx, ky, ci, co) = w.param(co % block, ci, kx, ky, co / block);
    } else if (spec.weight_layout == WeightLayout::Winograd) {
        w.logical(kx, ky, ci, co) = w.param(co % block, ci, co / block, kx, ky);
    } else {
        w.logical(kx, ky, ci, co) = w.param(kx, ky, ci, co);
    }
    return w;
}

}  // namespace convgen::generator
