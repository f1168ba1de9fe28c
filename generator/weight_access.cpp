#include "generator/weight_access.h"

#include "convgen/kernel_signature.h"
#include "generator/dense_buffers.h"

namespace convgen::generator {

WeightInput conv_weight_input(const OpSpec &spec, const std::string &prefix) {
    const int kw = int(spec.window.kernel.w), kh = int(spec.window.kernel.h);
    const int in_per_group = int(spec.channels / spec.groups), out = int(spec.out_channels);
    Halide::Var kx("kx"), ky("ky"), ci("ci"), co("co");
    if (spec.weight_layout == WeightLayout::HWIO) {
        const int block = int(spec.weight_block);
        const Extents extents = weight_extents(spec);
        WeightInput w{dense_input(prefix + "weight", std::vector<int>(extents.begin(), extents.end())),
                      Halide::Func(prefix + "weight_logical")};
        w.logical(kx, ky, ci, co) = w.param(co % block, ci, kx, ky, co / block);
        return w;
    }
    WeightInput w{dense_input(prefix + "weight", {kw, kh, in_per_group, out}),
                  Halide::Func(prefix + "weight_logical")};
    w.logical(kx, ky, ci, co) = w.param(kx, ky, ci, co);
    return w;
}

}  // namespace convgen::generator
