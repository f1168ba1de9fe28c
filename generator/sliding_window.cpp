#include "generator/sliding_window.h"

#include "generator/pipeline.h"

namespace convgen::generator {

Halide::Func unfold_columns(const Halide::Func &padded, const Window &window) {
    Halide::Var bx("bx"), by("by"), kj("kj"), ki("ki"), c("c"), n("n");
    Halide::Func columns(stage::kColumns);
    columns(bx, by, kj, ki, c, n) =
        padded(bx * int(window.stride.w) - int(window.pad_begin.w) + kj * int(window.dilation.w),
               by * int(window.stride.h) - int(window.pad_begin.h) + ki * int(window.dilation.h), c, n);
    return columns;
}

Halide::Func fold_overlap_add(const Halide::Func &columns, const Window &window, Extent2 grid) {
    const Halide::Region grid_bounds{Halide::Range(0, int(grid.w)), Halide::Range(0, int(grid.h)),
                                     Halide::Range(), Halide::Range(), Halide::Range(), Halide::Range()};
    Halide::Func blocks = Halide::BoundaryConditions::constant_exterior(columns, 0.0f, grid_bounds);

    Halide::Var x("x"), y("y"), c("c"), n("n");
    Halide::RDom r(0, int(window.kernel.w), 0, int(window.kernel.h), "fold_window");
    // Output (x, y) receives kernel tap (kj, ki) of block (bx, by) when
    // bx*sW - pL + kj*dW == x, i.e. bx = (x + pL - kj*dW) / sW exactly.
    const Halide::Expr tx = x + int(window.pad_begin.w) - r.x * int(window.dilation.w);
    const Halide::Expr ty = y + int(window.pad_begin.h) - r.y * int(window.dilation.h);
    const int sw = int(window.stride.w), sh = int(window.stride.h);
    Halide::Expr value = blocks(tx / sw, ty / sh, r.x, r.y, c, n);
    if (sw != 1 || sh != 1) value = Halide::select(tx % sw == 0 && ty % sh == 0, value, 0.0f);

    Halide::Func image("fold_sum");
    image(x, y, c, n) = 0.0f;
    image(x, y, c, n) += value;
    return image;
}

}  // namespace convgen::generator
