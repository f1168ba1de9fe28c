// Winograd convs on a CPU: each parallel task takes one row of output tiles of one image. For
// the row: the input transform for every channel; then per point of the (m+2)^2 and block of
// output channels, the product as a matmul in register tiles of `vectors` channel vectors x
// `scalars` tiles accumulated over the input channels, sweeping the row while that block's
// transformed weights stay in cache; then the output transform and the epilogue per tile.
#include "convgen/winograd.h"
#include "schedules/hand/hand.h"

namespace convgen::schedules::hand {
namespace {

namespace stage = generator::stage;

int64_t tiles_across(const OpSpec &spec, int m) { return (spec.out.w + m - 1) / m; }

RegisterTile winograd_tile(const OpSpec &spec, const Halide::Target &target) {
    return choose_tile(spec.out_channels, tiles_across(spec, kDefaultWinogradTile), target);
}

}  // namespace

bool uses_winograd(const OpSpec &spec, const Halide::Target &target) {
    return spec.op == OpKind::Conv && spec.algorithm == Algorithm::Winograd && !target.has_gpu_feature() &&
           winograd_tile(spec, target).vector_width > 0;
}

ScheduleConfig default_winograd_config(const OpSpec &spec, const Halide::Target &target) {
    const RegisterTile tile = winograd_tile(spec, target);
    ScheduleConfig config = tiled_config(ScheduleFamily::Winograd, tile);
    config.winograd_tile = kDefaultWinogradTile;
    return config;
}

void schedule_winograd(GeneratedPipeline &p, const OpSpec &spec, const Halide::Target &) {
    const ScheduleConfig &config = spec.config;
    const int m = config.winograd_tile, vw = config.vector_width, block = config.scalars;
    const int channel_tile = vw * config.vectors;

    schedule_winograd_output_tiles(p, m, vw);
    Halide::Func output = p.output;
    Halide::Var task("task");  // the output's (tile row, image) loop

    // The row's products, copied out of registers one register tile at a time.
    Halide::Func product = p.stage(stage::kWinogradProduct);
    Halide::Func products = product.in();
    const std::vector<Halide::Var> d = product.args();  // (k, xi, eta, tx, ty, n)
    Halide::Var k_tile("k_tile"), k_in("k_in"), k_vector("k_vector"), k_lane("k_lane");
    Halide::Var tile_block("tile_block"), tile_in("tile_in");
    products.compute_at(output, task);
    bound_to_one_tile(products, false);
    products.split(d[0], k_tile, k_in, channel_tile, Halide::TailStrategy::ShiftInwards)
        .split(d[3], tile_block, tile_in, block, Halide::TailStrategy::GuardWithIf)
        .reorder(k_in, tile_in, tile_block, k_tile, d[1], d[2])
        .vectorize(k_in, vw);
    // Register tile: channel_tile output channels x `block` tiles, accumulated over the inputs
    // (tiles past the row's end compute clamped reads and are dropped).
    product.compute_at(products, tile_block).bound_extent(d[3], block);
    product.split(d[0], k_vector, k_lane, vw).vectorize(k_lane).unroll(k_vector).unroll(d[3]);
    product.update()
        .split(d[0], k_vector, k_lane, vw)
        .reorder(k_lane, k_vector, d[3], p.reduction.x, d[1], d[2])
        .vectorize(k_lane)
        .unroll(k_vector)
        .unroll(d[3]);

    // The row's transformed input, every channel, channels innermost.
    Halide::Func input = p.stage(stage::kWinogradInput);
    const std::vector<Halide::Var> v = input.args();  // (xi, eta, c, tx, ty, n)
    input.compute_at(output, task);
    bound_to_one_tile(input, false);
    input.reorder(v[2], v[0], v[1], v[3])
        .reorder_storage(v[2], v[0], v[1], v[3], v[4], v[5])
        .vectorize(v[2], vw, Halide::TailStrategy::GuardWithIf)
        .unroll(v[0])
        .unroll(v[1]);
    Halide::Func rows = p.stage(stage::kWinogradInputRows);
    const std::vector<Halide::Var> r = rows.args();  // (i, eta, c, tx, ty, n)
    rows.compute_at(input, v[3])
        .reorder(r[2], r[0], r[1])
        .reorder_storage(r[2], r[0], r[1], r[3], r[4], r[5])
        .vectorize(r[2], vw, Halide::TailStrategy::GuardWithIf)
        .unroll(r[0])
        .unroll(r[1]);
}

}  // namespace convgen::schedules::hand
