#include "generator/sliding_window.h"

#include "generator/pipeline.h"

namespace convgen::generator {

Halide::Func unfold_columns(const Halide::Func &padded, const Window &window, const std::string &prefix) {
    Halide::Var bx("bx"), by("by"), kj("kj"), ki("ki"), c("c"), n("n");
    Halide::Func columns(prefix + stage::kColumns);
    columns(bx, by, kj, ki, c, n) =
        padded(bx * int(window.stride.w) - int(window.pad_begin.w) + kj * int(window.dilation.w),
               by * int(window.stride.h) - int(window.pad_begin.h) + ki * int(window.dilation.h), c, n);
    return columns;
}

FoldStages fold_overlap_add(const Halide::Func &columns, const Window &window, Extent2 grid) {
    const Halide::Region grid_bounds{Halide::Range(0, int(grid.w)), Halide::Range(0, int(grid.h)),
                                     Halide::Range(), Halide::Range(), Halide::Range(), Halide::Range()};
    Halide::Func blocks = Halide::BoundaryConditions::constant_exterior(columns, 0.0f, grid_bounds);

    // Output x receives tap kj of block bx when bx*sW - pL + kj*dW == x. Writing x = sW*xo + px,
    // which taps reach phase px does not depend on xo, and bx = xo + (px + pL - kj*dW)/sW: so
    // each phase sums a fixed subset of taps over contiguous blocks, with no per-element test.
    const int sw = int(window.stride.w), sh = int(window.stride.h);
    const int pw = int(window.pad_begin.w), ph = int(window.pad_begin.h);
    const int dw = int(window.dilation.w), dh = int(window.dilation.h);
    Halide::Var xo("xo"), px("px"), yo("yo"), py("py"), c("c"), n("n");
    Halide::RDom r(0, int(window.kernel.w), 0, int(window.kernel.h), "fold_window");
    const Halide::Expr tx = px + pw - r.x * dw, ty = py + ph - r.y * dh;
    r.where(tx % sw == 0);
    r.where(ty % sh == 0);
    Halide::Func phases(stage::kFoldPhases);
    phases(xo, px, yo, py, c, n) = 0.0f;
    phases(xo, px, yo, py, c, n) += blocks(xo + tx / sw, yo + ty / sh, r.x, r.y, c, n);

    const ImageDims dims;
    const Halide::Var &x = dims.x, &y = dims.y;
    Halide::Func image("fold_sum");
    image(x, y, c, n) = phases(x / sw, x % sw, y / sh, y % sh, c, n);
    return {phases, image};
}

}  // namespace convgen::generator
