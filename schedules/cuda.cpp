// A CUDA schedule for every op. Direct convs: each thread block computes a tile of output
// columns x channels of one row, each thread a small register tile of it, with consecutive
// threads on consecutive addresses so stores coalesce; the reduction runs over blocks of input
// channels, each block's padded input rows staged in shared memory once for all the threads.
// Other ops: the output in 2-D thread blocks over its two innermost dims, the remaining dims
// fused into a third block dim, each thread's reduction in registers. Only for targets with a
// GPU feature; never changes what is computed.
#include "convgen/errors.h"
#include "convgen/live_taps.h"
#include "schedules/registry.h"

namespace convgen::schedules {
namespace {

using generator::GeneratedPipeline;
namespace stage = generator::stage;

constexpr int kThreadsX = 32, kThreadsY = 4;

// Conv tiles: along the output's innermost memory dim, one warp of threads times kInnerRegisters
// positions (a warp's stores are contiguous); along the other tile dim, kOuterThreads threads of
// kOuterRegisters each: 256 threads, 8 accumulators per thread.
constexpr int kInnerThreads = 32, kInnerRegisters = 2, kOuterThreads = 8, kOuterRegisters = 4;
// Input channels per shared-memory stage.
constexpr int kChannelsPerStage = 8;
// Static shared memory per block on every CUDA GPU.
constexpr int64_t kSharedMemoryBytes = 48 * 1024;

// Splits `inner` and `outer` of a conv stage into register x thread tiles; returns the vars
// (inner register, outer register, inner thread, outer thread, inner block, outer block).
struct ConvTileVars {
    Halide::Var inner_register, outer_register, inner_thread, outer_thread, inner_block, outer_block;
};

ConvTileVars split_conv_tile(Halide::Stage stage, const Halide::Var &inner, const Halide::Var &outer,
                             Halide::TailStrategy tail) {
    const std::string in = inner.name(), out = outer.name();
    ConvTileVars v{Halide::Var(in + "_r"), Halide::Var(out + "_r"), Halide::Var(in + "_t"),
                   Halide::Var(out + "_t"), Halide::Var(in + "_b"), Halide::Var(out + "_b")};
    Halide::Var inner_tile(in + "_tile"), outer_tile(out + "_tile");
    stage.split(inner, v.inner_block, inner_tile, kInnerThreads * kInnerRegisters, tail)
        .split(inner_tile, v.inner_register, v.inner_thread, kInnerThreads, tail)
        .split(outer, v.outer_block, outer_tile, kOuterThreads * kOuterRegisters, tail)
        .split(outer_tile, v.outer_thread, v.outer_register, kOuterRegisters, tail);
    return v;
}

// The padded input one reduction stage of one block reads: its input channels (a stage of
// each group the block's output channels touch), input rows for one output row, input columns
// for the block's output columns.
int64_t staged_input_floats(const OpSpec &spec) {
    const bool channels_last = spec.layout == Layout::NHWC;
    const int64_t inner_tile = kInnerThreads * kInnerRegisters, outer_tile = kOuterThreads * kOuterRegisters;
    const int64_t channel_tile = std::min(spec.out_channels, channels_last ? inner_tile : outer_tile);
    const int64_t column_tile = std::min(spec.out.w, channels_last ? outer_tile : inner_tile);
    const int64_t in_per_group = spec.channels / spec.groups, out_per_group = spec.out_channels / spec.groups;
    const int64_t groups_touched = std::min(spec.groups, (channel_tile + out_per_group - 1) / out_per_group + 1);
    const int64_t channels = std::min<int64_t>(in_per_group, kChannelsPerStage) * groups_touched;
    const Extent2 kernel = live_taps(spec).span(spec.window);
    const int64_t columns = (column_tile - 1) * spec.window.stride.w + kernel.w;
    return channels * kernel.h * columns;
}

void schedule_cuda_conv(GeneratedPipeline &p, const OpSpec &spec) {
    const generator::ImageDims &dims = p.dims;
    const Halide::Var &x = dims.x, &y = dims.y, &c = dims.c, &n = dims.n;
    const bool channels_last = spec.layout == Layout::NHWC;
    const Halide::Var inner = channels_last ? c : x, outer = channels_last ? x : c;

    Halide::Func output = p.output;
    Halide::Var row("row");
    const ConvTileVars o = split_conv_tile(output, inner, outer, Halide::TailStrategy::GuardWithIf);
    output.fuse(y, n, row)
        .reorder(o.inner_register, o.outer_register, o.inner_thread, o.outer_thread, o.inner_block,
                 o.outer_block, row)
        .gpu_blocks(o.inner_block, o.outer_block, row)
        .gpu_threads(o.inner_thread, o.outer_thread)
        .unroll(o.inner_register)
        .unroll(o.outer_register);

    // The block's accumulators, one register tile per thread.
    Halide::Func accumulator = p.stage(stage::kAccumulator);
    accumulator.compute_at(output, o.inner_block).store_in(Halide::MemoryType::Register);
    const ConvTileVars a = split_conv_tile(accumulator, inner, outer, Halide::TailStrategy::RoundUp);
    accumulator.reorder(a.inner_register, a.outer_register, a.inner_thread, a.outer_thread)
        .gpu_threads(a.inner_thread, a.outer_thread)
        .unroll(a.inner_register)
        .unroll(a.outer_register);
    const Halide::RDom &r = p.reduction;  // (kx, ky, ci)
    Halide::Stage update = accumulator.update();
    const ConvTileVars u = split_conv_tile(update, inner, outer, Halide::TailStrategy::GuardWithIf);
    Halide::RVar stage_channels("rz_stage"), channel("rz_channel");
    update.split(r.z, stage_channels, channel, kChannelsPerStage, Halide::TailStrategy::GuardWithIf)
        .reorder({u.inner_register, u.outer_register, channel, r.x, r.y, u.inner_thread, u.outer_thread,
                  stage_channels})
        .gpu_threads(u.inner_thread, u.outer_thread)
        .unroll(u.inner_register)
        .unroll(u.outer_register);

    // Each stage's input rows, boundary condition applied, in shared memory: one load from
    // global memory per element instead of one per tap and output channel. Unless they would
    // overflow a block's 48 KiB of static shared memory: then each thread reads global memory.
    if (staged_input_floats(spec) * 4 > kSharedMemoryBytes) return;
    Halide::Func staged = p.stage(stage::kPaddedInput);
    staged.compute_at(accumulator, stage_channels).store_in(Halide::MemoryType::GPUShared);
    // The copy's threads: a warp along the input's innermost memory dim (the same dim as the
    // output's) and kOuterThreads along the other, at most as many as the block has (a depthwise
    // tile stages all its channels).
    Halide::Var inner_outer("staged_inner_outer"), inner_thread("staged_inner_thread");
    Halide::Var outer_outer("staged_outer_outer"), outer_thread("staged_outer_thread");
    staged.split(inner, inner_outer, inner_thread, kInnerThreads, Halide::TailStrategy::GuardWithIf)
        .split(outer, outer_outer, outer_thread, kOuterThreads, Halide::TailStrategy::GuardWithIf)
        .reorder(inner_thread, outer_thread, inner_outer, outer_outer, y, n)
        .gpu_threads(inner_thread, outer_thread);
}

// Returns the innermost thread var, where per-thread stages are computed.
Halide::Var tile_output(Halide::Func output) {
    std::vector<Halide::Var> dims = output.args();
    Halide::Var plane = dims[2];
    for (size_t d = 3; d < dims.size(); ++d) {
        Halide::Var fused("plane" + std::to_string(d));
        output.fuse(plane, dims[d], fused);
        plane = fused;
    }
    Halide::Var xo("xo"), yo("yo"), xi("xi"), yi("yi");
    output.gpu_tile(dims[0], dims[1], xo, yo, xi, yi, kThreadsX, kThreadsY, Halide::TailStrategy::GuardWithIf)
        .gpu_blocks(plane);
    return xi;
}

// A reduction accumulated per thread: its loops run inside the thread, in registers.
void per_thread(GeneratedPipeline &p, const char *name, Halide::Func output, const Halide::Var &thread) {
    if (p.has_stage(name)) p.stage(name).compute_at(output, thread);
}

}  // namespace

void schedule_cuda(GeneratedPipeline &p, const OpSpec &spec, const Halide::Target &target) {
    if (!target.has_gpu_feature()) {
        throw ValueError("schedule 'cuda' needs a GPU target (e.g. x86-64-linux-cuda), not " + target.to_string());
    }
    if (spec.op == OpKind::Conv && spec.algorithm == Algorithm::Direct) {
        schedule_cuda_conv(p, spec);
        return;
    }
    const Halide::Var thread = tile_output(p.output);
    per_thread(p, stage::kAccumulator, p.output, thread);
    if (p.has_stage(stage::kColumns)) {
        // im2col columns as their own GPU pass, one thread per column element.
        Halide::Func columns = p.stage(stage::kColumns);
        columns.compute_root();
        tile_output(columns);
        if (columns.num_update_definitions() > 0) {
            // The matmul of conv_transpose's columns: its update runs per thread as well.
            std::vector<Halide::Var> dims = columns.args();
            Halide::Var xo("cxo"), yo("cyo"), xi("cxi"), yi("cyi");
            columns.update().gpu_tile(dims[0], dims[1], xo, yo, xi, yi, kThreadsX, kThreadsY,
                                      Halide::TailStrategy::GuardWithIf);
        }
    }
}

}  // namespace convgen::schedules
