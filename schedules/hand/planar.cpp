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
    Halide::Var x("x"), channel("channel"), xo("xo"), xi("xi");
    Halide::Func output = p.output;  // (x, y, c, n)
    output.split(x, xo, xi, vector_width, Halide::TailStrategy::GuardWithIf).vectorize(xi);
    parallel_over_channel_groups(output, spec.config.channels_per_task);
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

// Planar tiles for NCHW convs: input rows are loaded as they lie and outputs stored as whole
// row vectors, so neither tensor is transposed. They lose to channel tiles on deep layers (fewer
// FMAs per load), so they are kept for the two cases channel tiles handle worst: filters over
// a few input channels, and output planes a multiple of 4 KiB apart, where storing a channel
// vector puts every lane in the same L1 set.
bool uses_planar_conv(const OpSpec &spec, const Halide::Target &target) {
    constexpr int64_t kFewInputChannels = 4;
    const bool few_inputs = spec.channels / spec.groups <= kFewInputChannels;
    const bool aliasing_planes = (4 * spec.out.h * spec.out.w) % kL1SetStrideBytes == 0;
    return is_direct_cpu_conv(spec, target) &&
           spec.layout == Layout::NCHW && spec.groups == 1 && spec.window.stride.w == 1 &&
           (few_inputs || aliasing_planes) && spec.out.w >= target.natural_vector_size<float>() &&
           choose_tile(spec.out.w, spec.out_channels, target).vector_width > 0;
}

// Tiles vectorised over output columns, one broadcast weight per output channel.
ScheduleConfig default_planar_config(const OpSpec &spec, const Halide::Target &target) {
    const RegisterTile tile = choose_tile(spec.out.w, spec.out_channels, target);
    ScheduleConfig config = tiled_config(ScheduleFamily::Planar, tile);
    // The padded input once, in its own layout, so the inner loop has no boundary tests.
    config.stage_input = live_taps(spec).pads();
    return config;
}

void schedule_planar_conv(GeneratedPipeline &p, const OpSpec &spec, const Halide::Target &) {
    const ScheduleConfig &tile = spec.config;
    const int columns = tile.vector_width * tile.vectors;
    Halide::Var x("x"), y("y"), c("c"), n("n"), xo("xo"), xi("xi"), co("co"), ci("ci"), row("row");
    Halide::Func output = p.output;
    output.split(x, xo, xi, columns, Halide::TailStrategy::ShiftInwards)
        .split(c, co, ci, tile.scalars, Halide::TailStrategy::ShiftInwards)
        .reorder(xi, ci, xo, co, y, n)
        .fuse(y, n, row)
        .parallel(row)
        .vectorize(xi, tile.vector_width)
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
        Halide::Var plane_row("plane_row");
        staged.compute_root().fuse(y, c, plane_row).fuse(plane_row, n, plane_row)
            .vectorize(x, tile.vector_width, Halide::TailStrategy::GuardWithIf);
        if (input_bytes(spec) > kParallelCopyBytes) staged.parallel(plane_row);
    }
}

}  // namespace convgen::schedules::hand
