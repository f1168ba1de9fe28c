// Planar schedules for NCHW tensors: vectorised along output columns, where input and output
// rows are contiguous, so neither tensor is transposed.
#include "schedules/hand/hand.h"

namespace convgen::schedules::hand {

namespace stage = generator::stage;

// Depthwise convs on NCHW tensors: every channel is an independent 2-D filter, so they are
// vectorised along output columns, where both input and output are contiguous, with the taps
// unrolled and each tap's weight a broadcast. No transposition, and PyTorch's weight layout.
bool uses_planar_depthwise(const OpSpec &spec, const Halide::Target &target) {
    return is_direct_cpu_conv(spec, target) && spec.layout == Layout::NCHW && unrolls_depthwise_taps(spec);
}

ScheduleConfig default_planar_depthwise_config(const OpSpec &spec, const Halide::Target &target) {
    ScheduleConfig config;
    config.family = ScheduleFamily::PlanarDepthwise;
    config.vector_width = target.natural_vector_size<float>();
    // Small planes go several to a task, so threads do not share the cache lines between them.
    config.channels_per_task = int(channels_per_task(4.0 * double(spec.out.h * spec.out.w), spec.channels));
    return config;
}

void schedule_planar_depthwise(GeneratedPipeline &p, const OpSpec &spec, const Halide::Target &) {
    const int vector_width = spec.config.vector_width;
    const Halide::Var &x = p.dims.x;
    Halide::Var xo("xo"), xi("xi");
    Halide::Func output = p.output;  // (x, y, c, n)
    output.split(x, xo, xi, vector_width, Halide::TailStrategy::GuardWithIf).vectorize(xi);
    const Halide::Var channel = parallel_over_channel_groups(output, p.dims.c, p.dims.n, spec.config.channels_per_task);
    // Every tap of one output vector at once, so the sum stays in a register.
    Halide::Func accumulator = p.stage(stage::kAccumulator);
    const Halide::RDom &r = p.reduction;  // (kx, ky, ci)
    accumulator.compute_at(output, xo).vectorize(x);
    accumulator.update().reorder(x, r.x, r.y, r.z).vectorize(x).unroll(r.x).unroll(r.y);
    // The padded plane, boundary condition applied once per element and reused by every row.
    // A strided filter reads each input only a couple of times: there the copy costs more than
    // the boundary tests it saves.
    const bool padded = live_taps(spec).pads();
    const bool unit_stride = spec.window.stride.h == 1 && spec.window.stride.w == 1;
    if (padded && unit_stride) {
        p.stage(stage::kPaddedInput).compute_at(output, channel).vectorize(x, vector_width,
                                                                             Halide::TailStrategy::GuardWithIf);
    }
}

namespace {

// Grouped convs whose groups are narrower than a vector (ResNeXt's 4- and 8-channel groups):
// channel tiles would run part-width vectors, a quarter or half of each FMA's lanes. Planar tiles
// keep full vectors along the columns, one group per tile, so every output channel of a tile
// reads the same input channel: one load for all of them. At column stride 2 a loaded vector
// costs two loads and a shuffle, still shared by the whole group.
constexpr int64_t kMostNarrowGroupColumnStride = 2;
bool has_narrow_groups(const OpSpec &spec, const Halide::Target &target) {
    const int64_t in_per_group = spec.channels / spec.groups;
    const int64_t out_per_group = spec.out_channels / spec.groups;
    const int widest = target.natural_vector_size<float>();
    return spec.groups > 1 && in_per_group > 1 && out_per_group % widest != 0 &&
           spec.window.stride.w <= kMostNarrowGroupColumnStride;
}

// The planar tile of a narrow-grouped conv: one group's output channels by as many vectors of
// columns as the registers hold (at most 4, and no wider than the row); none where not even one
// vector fits beside the group's accumulators.
RegisterTile narrow_group_tile(const OpSpec &spec, const Halide::Target &target) {
    const int vector_width = target.natural_vector_size<float>();
    const int out_per_group = int(spec.out_channels / spec.groups);
    for (int vectors = 4; vectors >= 1; --vectors) {
        const bool fits = vectors * out_per_group + vectors + 1 <= vector_registers(target);
        if (fits && int64_t(vectors) * vector_width <= spec.out.w) return {vector_width, vectors, out_per_group};
    }
    return {};
}

}  // namespace

// Planar tiles for NCHW convs: input rows are loaded as they lie and outputs stored as whole
// row vectors, so neither tensor is transposed. They lose to channel tiles on deep layers (fewer
// FMAs per load), so they are kept for the cases channel tiles handle worst: filters over a few
// input channels, output planes a multiple of 4 KiB apart, where storing a channel vector puts
// every lane in the same L1 set, and groups narrower than a vector.
bool uses_planar_conv(const OpSpec &spec, const Halide::Target &target) {
    if (!is_direct_cpu_conv(spec, target) || spec.layout != Layout::NCHW ||
        spec.out.w < target.natural_vector_size<float>()) {
        return false;
    }
    if (spec.groups > 1) return has_narrow_groups(spec, target) && narrow_group_tile(spec, target).vector_width > 0;
    if (spec.window.stride.w != 1) return false;
    constexpr int64_t kFewInputChannels = 4;
    const bool few_inputs = spec.channels <= kFewInputChannels;
    const bool aliasing_planes = (4 * spec.out.h * spec.out.w) % kL1SetStrideBytes == 0;
    // Fewer output channels than a vector's lanes (an image net's RGB output): channel tiles
    // would run one padded narrowest vector, where these keep full vectors along the columns.
    const bool few_outputs = spec.out_channels < kNarrowestVector;
    return (few_inputs || aliasing_planes || few_outputs) &&
           choose_tile(spec.out.w, spec.out_channels, target).vector_width > 0;
}

// Tiles vectorised over output columns, one broadcast weight per output channel.
ScheduleConfig default_planar_config(const OpSpec &spec, const Halide::Target &target) {
    const RegisterTile tile =
        spec.groups > 1 ? narrow_group_tile(spec, target) : choose_tile(spec.out.w, spec.out_channels, target);
    ScheduleConfig config = tiled_config(ScheduleFamily::Planar, tile);
    // The padded input once, in its own layout, so the inner loop has no boundary tests.
    config.stage_input = live_taps(spec).pads();
    return config;
}

void schedule_planar_conv(GeneratedPipeline &p, const OpSpec &spec, const Halide::Target &) {
    const ScheduleConfig &tile = spec.config;
    const int columns = tile.vector_width * tile.vectors;
    const generator::ImageDims &dims = p.dims;
    const Halide::Var &x = dims.x, &y = dims.y, &c = dims.c, &n = dims.n;
    Halide::Var xo("xo"), xi("xi"), co("co"), ci("ci"), row("row"), task("task");
    Halide::Func output = p.output;
    // Whole tiles split exactly: a grouped tile then provably stays in one group, and its output
    // channels share one input-channel address.
    const Halide::TailStrategy channel_tail = spec.out_channels % tile.scalars == 0
                                                  ? Halide::TailStrategy::RoundUp
                                                  : Halide::TailStrategy::ShiftInwards;
    output.split(x, xo, xi, columns, Halide::TailStrategy::ShiftInwards)
        .split(c, co, ci, tile.scalars, channel_tail);
    if (spec.groups > 1) {
        // A task per group sweeps its planes: tasks of rows would share the cache lines where
        // rows meet in every plane, and ran slower on 2 threads than on 1 (ResNeXt, RegNetY).
        output.reorder(xi, ci, xo, y, co, n).fuse(co, n, task).parallel(task);
    } else {
        output.reorder(xi, ci, xo, co, y, n).fuse(y, n, row).parallel(row);
    }
    output.vectorize(xi, tile.vector_width)
        .unroll(xi)
        .unroll(ci);
    Halide::Func accumulator = p.stage(stage::kAccumulator);
    const Halide::RDom &r = p.reduction;  // (kx, ky, ci)
    accumulator.compute_at(output, xo).vectorize(x, tile.vector_width).unroll(x).unroll(c);
    accumulator.update()
        .reorder(x, c, r.x, r.y, r.z, y, n)
        .vectorize(x, tile.vector_width)
        .unroll(x)
        .unroll(c);
    if (tile.stage_input) {
        Halide::Func staged = p.stage(stage::kPaddedInput);
        // Whole planes per task: rows of a few cache lines would share their ends between threads.
        Halide::Var plane("plane");
        staged.compute_root().fuse(c, n, plane).vectorize(x, tile.vector_width, Halide::TailStrategy::GuardWithIf);
        if (input_bytes(spec) > kParallelCopyBytes) staged.parallel(plane);
    }
}

}  // namespace convgen::schedules::hand
