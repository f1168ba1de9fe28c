#include "generator/winograd.h"

#include <algorithm>

#include "convgen/winograd.h"
#include "generator/dense_buffers.h"
#include "generator/epilogue.h"
#include "generator/groups.h"
#include "generator/image_access.h"
#include "generator/weight_access.h"

namespace convgen::generator {
namespace {

// sum_j matrix(row, j) * term(j) for each row, skipping zero entries, as one expression per row
// chosen by `index`: schedules unroll the point dims, so the mux folds to one row per point.
template <typename Entry, typename Term>
Halide::Expr transform_rows(const Halide::Expr &index, int rows, int columns, Entry matrix, Term term) {
    std::vector<Halide::Expr> per_row;
    for (int row = 0; row < rows; ++row) {
        Halide::Expr sum;
        for (int j = 0; j < columns; ++j) {
            const double entry = matrix(row, j);
            if (entry == 0) continue;
            const Halide::Expr t = entry == 1 ? term(j) : Halide::Expr(float(entry)) * term(j);
            sum = sum.defined() ? sum + t : t;
        }
        per_row.push_back(sum.defined() ? sum : Halide::Expr(0.0f));
    }
    return rows == 1 ? per_row[0] : Halide::mux(index, per_row);
}

}  // namespace

GeneratedPipeline winograd_conv_stages(const OpSpec &spec, const Halide::Func &input, const std::string &prefix) {
    // Across (the width) F(m, 3); down (the height) the same, or F(1, 1) for a 1x3 kernel.
    const WinogradMatrices &across = winograd_matrices(int(spec.winograd_tile));
    const WinogradMatrices &down = winograd_height_matrices(spec, int(spec.winograd_tile));
    const int in_per_group = int(spec.channels / spec.groups);
    const int out_per_group = int(spec.out_channels / spec.groups);
    const Window &w = spec.window;

    const WeightInput weight = conv_weight_input(spec, prefix);
    std::optional<Halide::ImageParam> bias;
    if (spec.bias) bias = dense_input(prefix + "bias", {spec.out_channels});

    Halide::Func padded =
        with_padding(input, spec.image, spec.padding_mode, w.pads_height(), w.pads_width(), prefix);

    // Tiles are numbered in one index t = tx + tiles_across * ty (row-major), so a schedule can
    // block any run of them, across tile rows too (a 7x7 output has 2 tiles per row at m = 4).
    // Input tile (tx, ty) starts at padded column tx*m - pad_left. Tiles past the last output
    // read clamped coordinates (within what the valid outputs read, where `padded` is defined):
    // their outputs are never written.
    const int tiles_across = int(winograd_tile_counts(spec, across.m).w);
    Halide::Var i("i"), xi("xi"), eta("eta"), c("c"), t("t"), nb("n"), k("k");
    const Halide::Expr tx = t % tiles_across, ty = t / tiles_across;
    const auto coordinate = [&](const Halide::Expr &tile, int m, int pad, int64_t size, int64_t pad_end,
                                const Halide::Expr &at) {
        return Halide::clamp(tile * m - pad + at, -pad, int(size + pad_end) - 1);
    };
    const auto tile_input = [&](const Halide::Expr &x, const Halide::Expr &y) {
        return padded(coordinate(tx, across.m, int(w.pad_begin.w), spec.image.w, w.pad_end.w, x),
                      coordinate(ty, down.m, int(w.pad_begin.h), spec.image.h, w.pad_end.h, y), c, nb);
    };

    // V = B^T d B, as rows then columns: (B^T d)(i, eta) over the tile's columns i, then B^T of that.
    Halide::Func input_rows(prefix + stage::kWinogradInputRows);
    input_rows(i, eta, c, t, nb) =
        transform_rows(eta, down.n, down.n, [&](int r, int col) { return down.BT(r, col); },
                       [&](int row) { return tile_input(i, row); });
    Halide::Func transformed_input(prefix + stage::kWinogradInput);
    transformed_input(xi, eta, c, t, nb) = transform_rows(
        xi, across.n, across.n, [&](int r, int col) { return across.BT(r, col); },
        [&](int col) { return input_rows(col, eta, c, t, nb); });

    // The product per point: M(k, xi, eta, t) = sum_c U(k, c, xi, eta) V(xi, eta, c, tile).
    Halide::RDom r(0, in_per_group, prefix + "winograd_channels");
    Halide::Func product(prefix + stage::kWinogradProduct);
    product(k, xi, eta, t, nb) = 0.0f;
    product(k, xi, eta, t, nb) +=
        weight.logical(xi, eta, r, k) *
        transformed_input(xi, eta, group_input_channel(k, out_per_group, in_per_group, r, spec.groups), t, nb);

    // Y = A^T M A, columns then rows, with the epilogue.
    Halide::Var ex("ex"), ey("ey");
    Halide::Func output_rows(prefix + stage::kWinogradOutputRows);
    output_rows(k, xi, ey, t, nb) = transform_rows(
        ey, down.m, down.n, [&](int r, int col) { return down.AT(r, col); },
        [&](int e) { return product(k, xi, e, t, nb); });
    Halide::Func tiles(prefix + stage::kWinogradOutput);
    tiles(k, ex, ey, t, nb) = transform_rows(
        ex, across.m, across.n, [&](int r, int col) { return across.AT(r, col); },
        [&](int x) { return output_rows(k, x, ey, t, nb); });

    const ImageDims dims;
    const Halide::Var &x = dims.x, &y = dims.y;
    Halide::Func result(prefix + stage::kResult);
    const Halide::Expr tile = x / across.m + tiles_across * (y / down.m);
    result(x, y, c, nb) =
        activate(initial_value(bias, c) + tiles(c, x % across.m, y % down.m, tile, nb), spec.activation);

    GeneratedPipeline pipeline;
    pipeline.stages[stage::kPaddedInput] = padded;
    pipeline.stages[stage::kWinogradInputRows] = input_rows;
    pipeline.stages[stage::kWinogradInput] = transformed_input;
    pipeline.stages[stage::kWinogradProduct] = product;
    pipeline.stages[stage::kWinogradOutputRows] = output_rows;
    pipeline.stages[stage::kWinogradOutput] = tiles;
    pipeline.stages[stage::kResult] = result;
    pipeline.reduction = r;
    pipeline.output = result;
    pipeline.arguments = {weight.param};
    if (bias) pipeline.arguments.push_back(*bias);
    return pipeline;
}

}  // namespace convgen::generator
