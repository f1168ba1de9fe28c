// Winograd convs on a CPU: each parallel task takes `rows_per_task` rows of output tiles of one
// image and a block of output channels (`tiles_per_task` channel tiles; 0: all). For the task:
// the input transform of its tiles for every channel; then per point of the (m+2)^2 ((m+2) for
// a conv1d) and channel tile, the product as a matmul in register tiles of `vectors` channel
// vectors x `scalars` tiles (consecutive in the row-major tile order, so a block can span tile
// rows) accumulated over the input channels, sweeping the task's tiles while that point's weights
// for the channel tile stay in cache; then the output transform and the epilogue per tile. More
// tiles per task reuse each transformed weight more often (the product streams points x O x I of
// them per task); fewer keep the transformed input and products of the task in L2.
#include "convgen/winograd.h"
#include "schedules/hand/hand.h"

namespace convgen::schedules::hand {
namespace {

namespace stage = generator::stage;

// Transformed weights up to this size stay in the caches from one task to the next; larger ones
// (36 MB for a 512 -> 512 layer at F(4x4)) stream from memory once per task, so each task should
// then sweep kTilesPerStreamingTask tiles, each weight feeding that many FMAs. Measured on VGG-16
// (Intel Xeon, Sapphire Rapids class, 1 thread): 28x28x512 ran 13.5 ms in one task of 49 tiles
// against 25 in tasks of 28 and 84-98 in tasks of 7-14; 56x56x256 (9.4 MB) 10.4 ms in tasks of 70
// tiles against 12.7 in 14; 112x112x128 (2.4 MB) was fastest in tasks of one row (28 tiles).
constexpr double kCachedWeightBytes = 4 << 20;
constexpr int64_t kTilesPerStreamingTask = 64;
constexpr int64_t kTilesPerCachedTask = 16;
// A task's products, (m+2)^2 points x channels x tiles, should stay in L2 for the output transform
// while the weights stream past: where the weights are cached, the task takes a block of channels
// (of kMinimumChannelsPerTask at the least: each block computes the input transform again).
constexpr double kTaskProductBytes = 384 * 1024;
constexpr int64_t kMinimumChannelsPerTask = 64;

// Of the task heights from half to twice `wanted`, one that splits the rows into equal tasks (else
// the one whose last task falls least short of a whole one), nearest `wanted` on ties. On VGG-16's
// 56x56 layers (14 rows of tiles; AMD EPYC, Zen 4 class, 1 thread) tasks of 7 rows ran 1.1-1.2x
// faster than of 5 (5, 5, 4) or 6 (6, 6, 2), though smaller tasks were faster there (1.1-1.3x for
// 1 row): the short last task, which Halide lowers as a second copy of the task, is what cost.
int64_t equal_rows_per_task(int64_t rows, int64_t wanted) {
    const auto shortfall = [rows](int64_t height) { return (rows + height - 1) / height * height - rows; };
    int64_t best = wanted;
    for (int64_t height = std::max<int64_t>(1, wanted / 2); height <= std::min(rows, 2 * wanted); ++height) {
        const int64_t short_by = shortfall(height), best_short_by = shortfall(best);
        if (short_by < best_short_by || (short_by == best_short_by && std::abs(height - wanted) < std::abs(best - wanted))) {
            best = height;
        }
    }
    return best;
}

RegisterTile winograd_tile(const OpSpec &spec, const Halide::Target &target) {
    const Extent2 tiles = winograd_tile_counts(spec, kDefaultWinogradTile);
    // Tiles that divide the channels: a ragged last one computes zero-padded channels (or, grouped,
    // shifts inwards and recomputes), and leaves the channels no whole blocks to share out.
    return choose_tile(spec.out_channels, tiles.h * tiles.w, target, spec.out_channels);
}

}  // namespace

bool uses_winograd(const OpSpec &spec, const Halide::Target &target) {
    return spec.op == OpKind::Conv && spec.algorithm == Algorithm::Winograd && !target.has_gpu_feature() &&
           winograd_tile(spec, target).vector_width > 0;
}

ScheduleConfig default_winograd_config(const OpSpec &spec, const Halide::Target &target, int threads) {
    const RegisterTile tile = winograd_tile(spec, target);
    ScheduleConfig config = tiled_config(ScheduleFamily::Winograd, tile);
    const int m = config.winograd_tile = kDefaultWinogradTile;
    const double points = double(winograd_matrices(m).n * winograd_height_matrices(spec, m).n);
    const double weight_bytes = 4 * points * double(spec.out_channels) * double(spec.channels / spec.groups);
    const bool cached = weight_bytes <= kCachedWeightBytes;

    // Whole rows of tiles, in tasks of equal height.
    const Extent2 tiles = winograd_tile_counts(spec, m);
    const int64_t across = tiles.w, rows = tiles.h;
    const int64_t wanted_tiles = cached ? kTilesPerCachedTask : kTilesPerStreamingTask;
    const int64_t wanted_rows = std::clamp<int64_t>((wanted_tiles + across - 1) / across, 1, rows);
    config.rows_per_task = int(equal_rows_per_task(rows, wanted_rows));
    // On several threads, where the weights are cached and the tasks would leave a thread idle for
    // more than kMaximumIdleShare of the rounds, the tallest lower equal height that shares them
    // out: a smaller task re-reads cached weights, where a channel block (below) would transform
    // the input again. 1 row instead of 2 (14 tasks, not 7) ran ResNet-50's and ResNeXt-50's 56x56
    // 64-channel layers 1.2-1.3x faster on 2 threads, SqueezeNet's 55x55 and 13x13 ones 1.2-1.4x
    // (AMD EPYC, Zen 4 class).
    if (cached && threads > 1) {
        const auto idle_at = [&](int64_t height) { return idle_share(rows, height, spec.batch, threads); };
        for (int64_t height = config.rows_per_task - 1;
             height >= 1 && idle_at(config.rows_per_task) > kMaximumIdleShare; --height) {
            if (rows % height == 0 && idle_at(height) <= kMaximumIdleShare) config.rows_per_task = int(height);
        }
    }
    // A task's last register tile of tiles may run past its end, computing tiles it drops. Where
    // that wastes more than a sixth of the task's product, the block is the largest divisor of the
    // task's tiles down to half the chooser's: 7 instead of 13 in tasks of 21 tiles ran 1.2-1.8x
    // faster on 28x28 and 27x27 maps (ResNet-50, DenseNet-121, SqueezeNet; Intel Xeon, Sapphire
    // Rapids class), while 4 instead of 6 in tasks of 16 (an eighth wasted) ran slower.
    const int64_t task_tiles = int64_t(config.rows_per_task) * across;
    const int64_t computed_tiles = (task_tiles + config.scalars - 1) / config.scalars * config.scalars;
    if (6 * (computed_tiles - task_tiles) > task_tiles) {
        for (int64_t block = config.scalars; 2 * block >= config.scalars; --block) {
            if (task_tiles % block == 0) {
                config.scalars = int(block);
                break;
            }
        }
    }

    // Channel blocks: of whole tiles dividing the channels; where the weights are cached, as few
    // as keep the products in L2; then as few more as share the tasks out evenly over the threads.
    const int64_t channel_tile = int64_t(tile.vector_width) * tile.vectors;
    if (spec.out_channels % channel_tile != 0) return config;
    const int64_t channel_tiles = spec.out_channels / channel_tile;
    int64_t blocks = 1;
    const auto block_fits = [&](int64_t b) {
        return channel_tiles % b == 0 && spec.out_channels / b >= kMinimumChannelsPerTask;
    };
    if (cached) {
        while (4 * points * double(task_tiles) * double(spec.out_channels / blocks) > kTaskProductBytes) {
            int64_t next = blocks + 1;
            while (next <= channel_tiles && !block_fits(next)) ++next;
            if (next > channel_tiles) break;
            blocks = next;
        }
    }
    // A thread idle for the last round of tasks costs more than each block's input transform
    // again: on VGG-16's 56x56 layers, when they took 3 tasks per image (AMD EPYC, Zen 4 class, 2
    // threads), two blocks ran 1.06-1.33x faster, while on 1 thread they ran 5-10% slower.
    const auto idle = [&](int64_t b) { return idle_share(rows, config.rows_per_task, spec.batch * b, threads); };
    double least_idle = idle(blocks);
    for (int64_t b = blocks + 1; least_idle > kMaximumIdleShare && b <= channel_tiles; ++b) {
        if (!block_fits(b)) continue;
        const double share = idle(b);
        if (share < least_idle) {
            blocks = b;
            least_idle = share;
        }
    }
    config.tiles_per_task = blocks == 1 ? 0 : int(channel_tiles / blocks);
    return config;
}

void schedule_winograd(GeneratedPipeline &p, const OpSpec &spec, const Halide::Target &) {
    const ScheduleConfig &config = spec.config;
    const int m = config.winograd_tile, vw = config.vector_width, block = config.scalars;
    const int channel_tile = vw * config.vectors;

    const int task_channels = config.tiles_per_task * channel_tile;  // 0: all
    const Halide::LoopLevel task =
        schedule_winograd_output_tiles(p, winograd_output_tile(spec, m), vw, config.rows_per_task, task_channels);

    // The task's products, copied out of registers one register tile at a time.
    Halide::Func product = p.stage(stage::kWinogradProduct);
    Halide::Func products = product.in();
    const std::vector<Halide::Var> d = product.args();  // (k, xi, eta, t, n)
    Halide::Var k_tile("k_tile"), k_in("k_in"), k_vector("k_vector"), k_lane("k_lane");
    Halide::Var tile_block("tile_block"), tile_in("tile_in");
    products.compute_at(task);
    const Halide::TailStrategy channel_tail_strategy = channel_tail(spec, channel_tile);
    products.split(d[0], k_tile, k_in, channel_tile, channel_tail_strategy)
        .split(d[3], tile_block, tile_in, block, Halide::TailStrategy::GuardWithIf)
        .reorder(k_in, tile_in, tile_block, k_tile, d[1], d[2])
        .vectorize(k_in, vw);
    // Register tile: channel_tile output channels x `block` tiles, accumulated over the inputs
    // (tiles past the task's end compute clamped reads and are dropped; so are the zero-padded
    // weight block's channels past the last).
    product.compute_at(products, tile_block).bound_extent(d[3], block);
    if (channel_tail_strategy == Halide::TailStrategy::GuardWithIf) product.bound_extent(d[0], channel_tile);
    product.split(d[0], k_vector, k_lane, vw).vectorize(k_lane).unroll(k_vector).unroll(d[3]);
    Halide::RVar channel = p.reduction.x, channel_outer("channel_outer"), channel_inner("channel_inner");
    product.update()
        .split(d[0], k_vector, k_lane, vw)
        .split(channel, channel_outer, channel_inner, config.reduction_unroll)
        .reorder(k_lane, k_vector, d[3], channel_inner, channel_outer, d[1], d[2])
        .vectorize(k_lane)
        .unroll(k_vector)
        .unroll(d[3])
        .unroll(channel_inner);

    // The task's transformed input, every channel, channels innermost, then tiles: a register
    // tile's broadcasts at one point read `block` rows of channels an odd number of cache lines
    // apart (a multiple of 4 KiB would put them all in one L1 set).
    Halide::Func input = p.stage(stage::kWinogradInput);
    const std::vector<Halide::Var> v = input.args();  // (xi, eta, c, t, n)
    input.compute_at(task)
        .reorder(v[2], v[0], v[1], v[3])
        .reorder_storage(v[2], v[3], v[0], v[1], v[4])
        .bound_storage(v[2], int(non_aliasing_channel_stride(spec.channels)))
        .vectorize(v[2], vw, Halide::TailStrategy::GuardWithIf)
        .unroll(v[0])
        .unroll(v[1]);
    Halide::Func rows = p.stage(stage::kWinogradInputRows);
    const std::vector<Halide::Var> r = rows.args();  // (i, eta, c, t, n)
    rows.compute_at(input, v[3])
        .reorder(r[2], r[0], r[1])
        .reorder_storage(r[2], r[0], r[1], r[3], r[4])
        .vectorize(r[2], vw, Halide::TailStrategy::GuardWithIf)
        .unroll(r[0])
        .unroll(r[1]);
}

}  // namespace convgen::schedules::hand
