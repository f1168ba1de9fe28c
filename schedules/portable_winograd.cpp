// The portable schedule of Winograd convs: each stage computed whole, parallel over tiles and
// vectorised over channels, the points unrolled so each transform row is constant.
#include "schedules/registry.h"

#include "convgen/winograd.h"

namespace convgen::schedules {
namespace {

namespace stage = generator::stage;

// A (point, point, channel, t, n) stage with channels innermost in memory and in the loop.
void channels_innermost(Halide::Func f) {
    const std::vector<Halide::Var> d = f.args();
    f.reorder(d[2], d[0], d[1], d[3], d[4]).reorder_storage(d[2], d[0], d[1], d[3], d[4]);
}

}  // namespace

void vectorize_unroll_points(Halide::Func f, int vector_width) {
    const std::vector<Halide::Var> d = f.args();
    f.vectorize(d[0], vector_width, Halide::TailStrategy::GuardWithIf).unroll(d[1]).unroll(d[2]);
}

Halide::LoopLevel schedule_winograd_output_tiles(generator::GeneratedPipeline &p, Extent2 tile, int vector_width,
                                                 int tile_rows, int channels) {
    Halide::Func output = p.output;
    const generator::ImageDims &dims = p.dims;
    const Halide::Var &x = dims.x, &y = dims.y, &c = dims.c, &n = dims.n;
    Halide::Var tx("tx"), ty("ty"), ex("ex"), ey("ey");
    Halide::Var row_block("row_block"), channel_block("channel_block"), task("task");
    output.split(x, tx, ex, int(tile.w), Halide::TailStrategy::GuardWithIf)
        .split(y, ty, ey, int(tile.h), Halide::TailStrategy::GuardWithIf)
        .split(ty, row_block, ty, tile_rows, Halide::TailStrategy::GuardWithIf);
    if (channels > 0) {
        // Whole vectors per block; blocks that do not divide the channels would shift inwards.
        Halide::Var block("block");
        output.split(c, channel_block, c, channels, Halide::TailStrategy::ShiftInwards)
            .reorder(c, ex, ey, tx, ty, channel_block, row_block, n)
            .fuse(channel_block, row_block, block)
            .fuse(block, n, task)
            .vectorize(c, vector_width);
    } else {
        output.reorder(c, ex, ey, tx, ty, row_block, n)
            .fuse(row_block, n, task)
            .vectorize(c, vector_width, Halide::TailStrategy::GuardWithIf);
    }
    output.parallel(task);
    // A tile's transform covers exactly one tile; bounds inference cannot prove it through the
    // guarded last tile (min(y, h - 1) / m), so this says it: constant-size buffers and loops.
    for (const char *name : {stage::kWinogradOutput, stage::kWinogradOutputRows}) {
        Halide::Func f = p.stage(name);
        f.compute_at(output, tx).bound_extent(f.args()[3], 1);
        vectorize_unroll_points(f, vector_width);
    }
    return Halide::LoopLevel(output, task);
}

void schedule_portable_winograd(generator::GeneratedPipeline &p, const OpSpec &spec, const Halide::Target &target) {
    const int vector_width = target.natural_vector_size<float>();
    // The output per tile, all channels at once, after that tile's output transform.
    schedule_winograd_output_tiles(p, winograd_output_tile(spec, int(spec.winograd_tile)), vector_width, 1, 0);

    // The product per tile: output channels in vectors accumulated over the input channels.
    Halide::Func product = p.stage(stage::kWinogradProduct);
    const std::vector<Halide::Var> d = product.args();  // (k, xi, eta, t, n)
    Halide::Var k_outer("k_outer"), k_inner("k_inner");
    product.compute_root().parallel(d[3]);
    vectorize_unroll_points(product, vector_width);
    product.update()
        .split(d[0], k_outer, k_inner, vector_width, Halide::TailStrategy::GuardWithIf)
        .reorder(k_inner, p.reduction.x, k_outer, d[1], d[2], d[3], d[4])
        .vectorize(k_inner)
        .parallel(d[3]);

    // The input transform per tile, channels in vectors.
    Halide::Func input = p.stage(stage::kWinogradInput);
    const std::vector<Halide::Var> v = input.args();  // (xi, eta, c, t, n)
    input.compute_root();
    channels_innermost(input);
    input.vectorize(v[2], vector_width, Halide::TailStrategy::GuardWithIf).unroll(v[0]).unroll(v[1]).parallel(v[3]);
    Halide::Func rows = p.stage(stage::kWinogradInputRows);
    rows.compute_at(input, v[3]);
    channels_innermost(rows);
    const std::vector<Halide::Var> r = rows.args();
    rows.vectorize(r[2], vector_width, Halide::TailStrategy::GuardWithIf).unroll(r[0]).unroll(r[1]);
}

}  // namespace convgen::schedules
