#pragma once
// The two halves of every windowed op: gathering blocks (im2col) and scattering them back with
// overlap-add (col2im). Unfold, fold, and the unfold+matmul+fold algorithms are built from these.
#include <Halide.h>

#include "convgen/op_spec.h"

namespace convgen::generator {

// columns(bx, by, kj, ki, c, n) = padded(bx*sW - pL + kj*dW, by*sH - pT + ki*dH, c, n).
// padded must already be defined outside the image (see with_padding). Named prefix + kColumns.
Halide::Func unfold_columns(const Halide::Func &padded, const Window &window, const std::string &prefix = "");

// image(x, y, c, n) = sum of every block element that lands on (x, y); columns is read only
// inside the block grid, so it may be undefined elsewhere. The sums are computed per stride
// phase in `phases` (stage::kFoldPhases), which `image` reads.
struct FoldStages {
    Halide::Func phases;
    Halide::Func image;
};
FoldStages fold_overlap_add(const Halide::Func &columns, const Window &window, Extent2 grid);

}  // namespace convgen::generator
