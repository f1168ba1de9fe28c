// Hand-tuned CPU schedule for direct convolution (x86 AVX-512/AVX2, ARM NEON): a register
// tile of output channels x output columns, vectorised over channels, accumulating over input
// channels then kernel taps, with weights packed in tile-sized output-channel blocks (HWIO).
// Input channels are blocked when a tile's weights would overflow L1; the padded input is
// staged channels-innermost when that takes work out of the inner loop.
// Other ops and algorithms use the portable default schedule.
#include "schedules/registry.h"

namespace convgen::schedules {
namespace {

// Parallel tasks wanted per conv: several per thread, so uneven rows still balance.
constexpr int64_t kMinimumTasks = 16;
// Weights larger than this stop fitting in a core's L2 next to the input rows.
constexpr double kCacheBytes = 512 * 1024;
// Copies smaller than this are not worth a parallel region of their own.
constexpr double kParallelCopyBytes = 1024 * 1024;
// The share of L1 one block of a register tile's weights may take.
constexpr int64_t kL1WeightBytes = 16 * 1024;

using generator::GeneratedPipeline;
namespace stage = generator::stage;

struct RegisterTile {
    int vector_width = 0;     // floats per vector
    int channel_vectors = 0;  // output-channel vectors per tile
    int columns = 0;          // output columns per tile
};

// The accumulator tile for this conv on this target. Accumulators plus one weight vector per
// channel vector must fit the register file (inputs are broadcast from memory); the tile must
// keep enough independent FMAs in flight to hide their latency; and, since tiles that overhang
// the output are shifted inwards and recompute, it should divide the output well. Returns a
// tile with no vectors when the conv has too few output channels to vectorise over.
RegisterTile choose_tile(const OpSpec &spec, const Halide::Target &target) {
    const bool wide_register_file = target.has_feature(Halide::Target::AVX512) ||
                                    target.has_feature(Halide::Target::AVX512_Skylake) ||
                                    (target.arch == Halide::Target::ARM && target.bits == 64);
    const int registers = wide_register_file ? 32 : 16;
    constexpr int kAccumulatorsToHideLatency = 12;
    constexpr double kFmasPerLoadToFeedThePorts = 1.5;
    int vector_width = target.natural_vector_size<float>();
    while (vector_width > spec.out_channels) vector_width /= 2;
    RegisterTile best;
    if (vector_width < 4) return best;

    double best_score = 0;
    for (int channel_vectors = 1; channel_vectors <= 4; ++channel_vectors) {
        const int64_t channels = int64_t(channel_vectors) * vector_width;
        if (channels > spec.out_channels) break;
        for (int columns = 1; columns <= std::min<int64_t>(spec.out.w, 16); ++columns) {
            const int accumulators = channel_vectors * columns;
            if (accumulators + channel_vectors + 1 > registers) break;
            const auto useful = [](int64_t extent, int64_t tile) {
                return double(extent) / double((extent + tile - 1) / tile * tile);
            };
            // Each FMA takes one broadcast input; each weight vector load serves a column of FMAs.
            const double fmas_per_load = double(accumulators) / double(columns + channel_vectors);
            const double score = useful(spec.out.w, columns) * useful(spec.out_channels, channels) *
                                 std::min(1.0, double(accumulators) / kAccumulatorsToHideLatency) *
                                 std::min(1.0, fmas_per_load / kFmasPerLoadToFeedThePorts);
            if (score > best_score + 1e-9) {
                best_score = score;
                best = {vector_width, channel_vectors, columns};
            }
        }
    }
    return best;
}

// Channels-innermost input rows whose stride is a multiple of 4 KiB put every column of a
// register tile in the same L1 set, more lines than the set has ways: they evict each other.
constexpr int64_t kL1SetStrideBytes = 4096;
constexpr int64_t kCacheLineFloats = 16;

bool channel_stride_aliases(const OpSpec &spec) {
    const int64_t column_step_bytes = 4 * spec.channels * spec.window.stride.w;
    return column_step_bytes % kL1SetStrideBytes == 0;
}

// A channel stride of an odd number of cache lines: consecutive columns land in different sets.
int64_t non_aliasing_channel_stride(int64_t channels) {
    const int64_t lines = (channels + kCacheLineFloats - 1) / kCacheLineFloats;
    return (lines % 2 == 0 ? lines + 1 : lines) * kCacheLineFloats;
}

bool uses_hand_conv(const OpSpec &spec, const Halide::Target &target) {
    return spec.op == OpKind::Conv && spec.algorithm == Algorithm::Direct && !target.has_gpu_feature() &&
           choose_tile(spec, target).vector_width > 0;
}

// Depthwise convs on NCHW tensors: every channel is an independent 2-D filter, so they are
// vectorised along output columns, where both input and output are contiguous, with the taps
// unrolled and each tap's weight a broadcast. No transposition, and PyTorch's weight layout.
bool uses_planar_depthwise(const OpSpec &spec, const Halide::Target &target) {
    return spec.op == OpKind::Conv && spec.algorithm == Algorithm::Direct && !target.has_gpu_feature() &&
           spec.layout == Layout::NCHW && spec.channels == spec.groups &&
           spec.window.kernel.h * spec.window.kernel.w <= 25;
}

void schedule_planar_depthwise(GeneratedPipeline &p, const OpSpec &spec, const Halide::Target &target) {
    const int vector_width = target.natural_vector_size<float>();
    Halide::Var x("x"), y("y"), c("c"), n("n"), plane("plane"), xo("xo"), xi("xi");
    Halide::Func output = p.output;  // (x, y, c, n)
    output.split(x, xo, xi, vector_width, Halide::TailStrategy::GuardWithIf)
        .fuse(c, n, plane)
        .parallel(plane)
        .vectorize(xi);
    // Every tap of one output vector at once, so the sum stays in a register.
    Halide::Func accumulator = p.stage(stage::kAccumulator);
    const Halide::RDom &r = p.reduction;  // (kx, ky, ci)
    accumulator.compute_at(output, xo).vectorize(x);
    accumulator.update().reorder(x, r.x, r.y, r.z).vectorize(x).unroll(r.x).unroll(r.y);
    // The padded plane, boundary condition applied once per element and reused by every row.
    // A strided filter reads each input only a couple of times: there the copy costs more than
    // the boundary tests it saves.
    const bool padded = spec.window.pads();
    const bool unit_stride = spec.window.stride.h == 1 && spec.window.stride.w == 1;
    if (padded && unit_stride) {
        p.stage(stage::kPaddedInput).compute_at(output, plane).vectorize(x, vector_width,
                                                                           Halide::TailStrategy::GuardWithIf);
    }
}

void schedule_conv(GeneratedPipeline &p, const OpSpec &spec, const Halide::Target &target) {
    const RegisterTile tile = choose_tile(spec, target);
    const int channel_tile = tile.vector_width * tile.channel_vectors;
    const int64_t in_per_group = spec.channels / spec.groups;
    const bool depthwise = in_per_group == 1;  // the inner loop loads input channel vectors
    const bool padded = spec.window.pads();

    // Which operand stays in cache decides the loop order. Row-major (each task one output row
    // of a block of channel tiles) re-reads the weights for every row, which is free while they
    // fit in L2; channel-major (each task a block of channel tiles over the whole image) re-reads
    // the input instead, the better choice for the deep layers whose weights are megabytes.
    const int64_t channel_tiles = (spec.out_channels + channel_tile - 1) / channel_tile;
    const int64_t rows = spec.batch * spec.out.h;
    const double weight_bytes = 4.0 * double(spec.out_channels) * double(spec.channels / spec.groups) *
                                double(spec.window.kernel.h * spec.window.kernel.w);
    const double input_bytes = 4.0 * double(spec.batch * spec.channels * spec.image.h * spec.image.w);
    // Channel blocks must tile the channels exactly (a ragged block would make bounds inference
    // read channels past the end), so channel counts that are not a whole number of tiles form
    // one block, shifted tiles included.
    const bool whole_tiles = spec.out_channels % channel_tile == 0;
    const bool channel_major = whole_tiles && weight_bytes > kCacheBytes &&
                               input_bytes * double(channel_tiles) < weight_bytes * double(rows);
    const int64_t tasks_per_block = channel_major ? spec.batch : rows;
    const int64_t wanted_blocks = (kMinimumTasks + tasks_per_block - 1) / tasks_per_block;
    int64_t tiles_per_block = whole_tiles ? std::max<int64_t>(1, channel_tiles / wanted_blocks) : channel_tiles;
    while (channel_tiles % tiles_per_block != 0) --tiles_per_block;

    Halide::Var x("x"), y("y"), c("c"), n("n");
    Halide::Var xo("xo"), xi("xi"), co("co"), ci("ci"), cb("cb"), task("task");
    Halide::Func output = p.output;
    if (whole_tiles) {
        output.split(c, cb, c, int(tiles_per_block) * channel_tile).split(c, co, ci, channel_tile);
    } else {
        output.split(c, co, ci, channel_tile, Halide::TailStrategy::ShiftInwards).split(co, cb, co, int(channel_tiles));
    }
    output.split(x, xo, xi, tile.columns, Halide::TailStrategy::ShiftInwards);
    if (channel_major) {
        output.reorder(ci, xi, xo, y, co, cb, n).fuse(cb, n, task);
    } else {
        output.reorder(ci, xi, xo, co, cb, y, n).fuse(cb, y, task).fuse(task, n, task);
    }
    output.parallel(task).vectorize(ci, tile.vector_width).unroll(ci).unroll(xi);

    Halide::Func accumulator = p.stage(stage::kAccumulator);
    const Halide::RDom &r = p.reduction;  // (kx, ky, ci)
    // With many input channels, one register tile's weights overflow L1 before the tile is done.
    // Then the reduction is blocked over input channels: each block's weights stay in L1 while
    // every tile of the channel tile's rows uses them, the partial sums parked in a small buffer.
    const int64_t taps = spec.window.kernel.h * spec.window.kernel.w;
    const int64_t block = std::max<int64_t>(8, kL1WeightBytes / (4 * channel_tile * taps)) / 8 * 8;
    const bool block_inputs = whole_tiles && in_per_group > block && spec.out.w % tile.columns == 0;
    Halide::Stage update = accumulator.update();
    if (block_inputs) {
        Halide::RVar rzo("rzo"), rzi("rzi");
        Halide::Var uxo("uxo"), uxi("uxi");
        accumulator.compute_at(output, co).reorder_storage(c, x, y, n).vectorize(c, tile.vector_width);
        update.split(r.z, rzo, rzi, int(block), Halide::TailStrategy::GuardWithIf)
            .split(x, uxo, uxi, tile.columns)
            .reorder(c, uxi, rzi, r.x, r.y, uxo, y, rzo, n)
            .vectorize(c, tile.vector_width)
            .unroll(c)
            .unroll(uxi);
    } else {
        accumulator.compute_at(output, xo).reorder_storage(c, x, y, n).vectorize(c, tile.vector_width).unroll(c).unroll(x);
        update.reorder(c, x, r.z, r.x, r.y, y, n).vectorize(c, tile.vector_width).unroll(c).unroll(x);
    }
    // Depthwise convs reduce over the taps alone: unrolled, neighbouring columns share the input
    // vectors they load.
    if (depthwise && taps <= 25) update.unroll(r.x).unroll(r.y);

    // The inner loop wants the input channels-innermost (consecutive input channels share cache
    // lines; depthwise convs load channel vectors) with any boundary condition already applied.
    // Stage the padded input once when that pays. NCHW input: with padding, when every task
    // sweeps the whole input (channel-major), or for depthwise; otherwise the transposition costs
    // more than the strided broadcasts. Channels-last input: with padding, except for depthwise,
    // whose boundary test is one scalar per channel vector, cheaper than a second pass.
    const bool aliasing = channel_stride_aliases(spec);
    const bool stage = spec.layout == Layout::NCHW ? padded || channel_major || depthwise
                                                   : (padded && !depthwise) || aliasing;
    if (stage) {
        Halide::Func staged = p.stage(stage::kPaddedInput);
        Halide::Var row("row");
        staged.compute_root().reorder_storage(c, x, y, n).reorder(c, x, y, n).fuse(y, n, row);
        if (aliasing) staged.bound_storage(c, int(non_aliasing_channel_stride(spec.channels)));
        // A small copy is done sooner by the calling thread than by waking the pool for it.
        if (input_bytes > kParallelCopyBytes) staged.parallel(row);
        if (spec.layout == Layout::NHWC) staged.vectorize(c, tile.vector_width, Halide::TailStrategy::GuardWithIf);
    }
}

}  // namespace

void hand_weight_layout(OpSpec &spec, const Halide::Target &target) {
    if (!uses_hand_conv(spec, target) || uses_planar_depthwise(spec, target)) return;
    // One block per register tile when the tiles cover the channels exactly.
    const RegisterTile tile = choose_tile(spec, target);
    const int64_t channel_tile = int64_t(tile.vector_width) * tile.channel_vectors;
    spec.weight_layout = WeightLayout::HWIO;
    spec.weight_block = spec.out_channels % channel_tile == 0 ? channel_tile : spec.out_channels;
}

void schedule_hand(GeneratedPipeline &p, const OpSpec &spec, const Halide::Target &target) {
    if (uses_planar_depthwise(spec, target)) {
        schedule_planar_depthwise(p, spec, target);
    } else if (uses_hand_conv(spec, target)) {
        schedule_conv(p, spec, target);
    } else {
        schedule_default(p, spec, target);
    }
}

}  // namespace convgen::schedules
