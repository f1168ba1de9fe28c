// The portable schedule of Winograd convs: each stage computed whole, parallel over tile rows x
// batch and vectorised over channels, the points unrolled so each transform row is constant.
#include "schedules/registry.h"

namespace convgen::schedules {
namespace {

namespace stage = generator::stage;

// A (point, point, channel, tx, ty, n) stage with channels innermost in memory and in the loop.
void channels_innermost(Halide::Func f) {
    const std::vector<Halide::Var> d = f.args();
    f.reorder(d[2], d[0], d[1], d[3], d[4], d[5]).reorder_storage(d[2], d[0], d[1], d[3], d[4], d[5]);
}

}  // namespace

void vectorize_unroll_points(Halide::Func f, int vector_width) {
    const std::vector<Halide::Var> d = f.args();
    f.vectorize(d[0], vector_width, Halide::TailStrategy::GuardWithIf).unroll(d[1]).unroll(d[2]);
}

void schedule_winograd_output_tiles(generator::GeneratedPipeline &p, int m, int vector_width) {
    Halide::Func output = p.output;
    Halide::Var x("x"), y("y"), c("c"), n("n"), tx("tx"), ty("ty"), ex("ex"), ey("ey"), task("task");
    output.split(x, tx, ex, m, Halide::TailStrategy::GuardWithIf)
        .split(y, ty, ey, m, Halide::TailStrategy::GuardWithIf)
        .reorder(c, ex, ey, tx, ty, n)
        .fuse(ty, n, task)
        .parallel(task)
        .vectorize(c, vector_width, Halide::TailStrategy::GuardWithIf);
    for (const char *name : {stage::kWinogradOutput, stage::kWinogradOutputRows}) {
        Halide::Func f = p.stage(name);
        f.compute_at(output, tx);
        bound_to_one_tile(f, true);
        vectorize_unroll_points(f, vector_width);
    }
}

void bound_to_one_tile(Halide::Func stage, bool tile) {
    const std::vector<Halide::Var> d = stage.args();
    if (tile) stage.bound_extent(d[3], 1);
    stage.bound_extent(d[4], 1);
}

void schedule_winograd_default(generator::GeneratedPipeline &p, const OpSpec &spec, const Halide::Target &target) {
    const int vector_width = target.natural_vector_size<float>();
    const int m = int(spec.weight_block);

    // The output per tile, all channels at once, after that tile's output transform.
    schedule_winograd_output_tiles(p, m, vector_width);

    // The product per tile row: output channels in vectors accumulated over the input channels.
    Halide::Func product = p.stage(stage::kWinogradProduct);
    const std::vector<Halide::Var> d = product.args();  // (k, xi, eta, tx, ty, n)
    Halide::Var product_task("product_task"), k_outer("k_outer"), k_inner("k_inner");
    product.compute_root().fuse(d[4], d[5], product_task).parallel(product_task);
    vectorize_unroll_points(product, vector_width);
    product.update()
        .split(d[0], k_outer, k_inner, vector_width, Halide::TailStrategy::GuardWithIf)
        .reorder(k_inner, p.reduction.x, k_outer, d[1], d[2], d[3], d[4], d[5])
        .vectorize(k_inner)
        .fuse(d[4], d[5], product_task)
        .parallel(product_task);

    // The input transform per tile row, channels in vectors.
    Halide::Func input = p.stage(stage::kWinogradInput);
    const std::vector<Halide::Var> v = input.args();  // (xi, eta, c, tx, ty, n)
    Halide::Var input_task("input_task");
    input.compute_root();
    channels_innermost(input);
    input.vectorize(v[2], vector_width, Halide::TailStrategy::GuardWithIf).unroll(v[0]).unroll(v[1])
        .fuse(v[4], v[5], input_task).parallel(input_task);
    Halide::Func rows = p.stage(stage::kWinogradInputRows);
    rows.compute_at(input, v[3]);
    channels_innermost(rows);
    const std::vector<Halide::Var> r = rows.args();
    rows.vectorize(r[2], vector_width, Halide::TailStrategy::GuardWithIf).unroll(r[0]).unroll(r[1]);
}

}  // namespace convgen::schedules
