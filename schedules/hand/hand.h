#pragma once
// Internals of the hand-tuned CPU schedule, shared by its files: the register-tile chooser,
// the cache facts the schedules plan around, and each conv schedule with the test that picks it.
#include <algorithm>

#include "convgen/live_taps.h"
#include "schedules/registry.h"

namespace convgen::schedules::hand {

using generator::GeneratedPipeline;

// Channel rows (or planes) a multiple of this apart map to the same L1 set.
constexpr int64_t kL1SetStrideBytes = 4096;
constexpr int64_t kCacheLineFloats = 16;
// Parallel tasks wanted per op: several per thread, so uneven tasks still balance.
constexpr int64_t kMinimumTasks = 16;
// Bytes a parallel task should write at the least: below it, neighbouring tasks write into
// shared cache lines (false sharing) and the pool's cost per task dominates.
constexpr double kTaskBytes = 8 * 1024;
// Work a parallel task should do at the least, some 20 us: fewer, larger tasks touch fewer
// shared cache lines and leave the scratch and staging per task amortised. Set when Halide's
// pool took about a microsecond per task; on convgen's spinning pool half of it, 1 MFLOP, ran
// MobileNetV2, SqueezeNet and ResNet-50 no faster on 1 or 2 threads (AMD EPYC, Zen 4 class).
constexpr double kTaskFlops = 2e6;
// How many times longer a depthwise conv takes per FLOP than a dense one (MobileNetV2's depthwise
// layers ran at a quarter or less of its 1x1 layers' rate; Intel Xeon, Sapphire Rapids class).
constexpr double kDepthwiseFlopCost = 4;
// Copies smaller than this are not worth a parallel region of their own.
constexpr double kParallelCopyBytes = 256 * 1024;
// The narrowest vector a register tile takes (SSE's and NEON's float lanes).
constexpr int kNarrowestVector = 4;
// Depthwise filters of up to this many taps are unrolled, each tap's weights loaded once per tile.
constexpr int64_t kMostUnrolledTaps = 25;

// A channel stride of an odd number of cache lines: consecutive columns (tiles) land in different
// L1 sets.
inline int64_t non_aliasing_channel_stride(int64_t channels) {
    const int64_t lines = (channels + kCacheLineFloats - 1) / kCacheLineFloats;
    return (lines % 2 == 0 ? lines + 1 : lines) * kCacheLineFloats;
}

// Whether a depthwise conv's taps are unrolled (and its tile's weights held in registers).
inline bool unrolls_depthwise_taps(const OpSpec &spec) {
    return spec.channels == spec.groups && live_taps(spec).area() <= kMostUnrolledTaps;
}

// A register tile of accumulators: `vectors` vectors along one output dim (channels, or
// columns for planar tiles) times `scalars` positions along the other, each a broadcast.
struct RegisterTile {
    int vector_width = 0;  // floats per vector
    int vectors = 0;
    int scalars = 0;
};

// Vector registers of the target (32 with AVX-512 or on 64-bit ARM, else 16): a register tile's
// accumulators, the vectors it loads and its broadcast must fit them.
int vector_registers(const Halide::Target &target);

// The share of what tiles of `tile` compute along `extent` that is real output: a last tile
// shifted inwards (or guarded) recomputes (or wastes) the rest.
inline double useful_share(int64_t extent, int64_t tile) {
    return double(extent) / double((extent + tile - 1) / tile * tile);
}

// `group_channels` (when not 0): a group's output channels; half-width vectors are tried only
// where full ones do not divide it. With a group's channels as the vectorised extent, a tile that
// does not divide the group shifts within it. Across groups, only tiles whose vectors keep within
// a group, or that take whole groups from a group's start, are taken, those dividing a group first.
RegisterTile choose_tile(int64_t vector_extent, int64_t scalar_extent, const Halide::Target &target,
                         int64_t group_channels = 0);

// Whether a channel tile may span groups at no cost: ungrouped, or one output channel per group
// (depthwise), where output channel c reads input channel c alone, contiguous in c.
inline bool tiles_may_span_groups(const OpSpec &spec) {
    return spec.groups == 1 || spec.out_channels == spec.groups;
}
// Whether channel tiles of `channel_tile` run inside each group, the group's last one shifted
// inwards within it: a group that no tile divides (18, 20, 40 or 56 channels), so every lane of a
// tile still reads the group's input channel (one broadcast) and a run of its weights (packed in
// blocks of a group). Such tiles take whole groups per task, rows as the config says.
inline bool tiles_shift_within_groups(const OpSpec &spec, int64_t channel_tile) {
    const int64_t out_per_group = spec.out_channels / spec.groups;
    return !tiles_may_span_groups(spec) && out_per_group % channel_tile != 0 && out_per_group > channel_tile;
}
// Splits f's channels c into tiles co of channel_tile channels ci (channel_tail), or, for tiles
// that shift within groups, each group g into its own tiles. Returns the loops outside ci from the
// innermost: {co} or {co, g}; reordering the rest is the caller's.
std::vector<Halide::VarOrRVar> split_channel_tiles(Halide::Func f, const OpSpec &spec, int64_t channel_tile,
                                                   const Halide::Var &c, const Halide::Var &co, const Halide::Var &ci);
// The output channels a channel tile may vectorise: ungrouped convs' weights are padded to whole
// tiles (channel_tiles_align), so even 1-3 channels (an RGB output) fill a narrowest vector.
inline int64_t vectorisable_channels(const OpSpec &spec) {
    return spec.groups == 1 ? std::max<int64_t>(spec.out_channels, kNarrowestVector) : spec.out_channels;
}
// Whether channel tiles of `channel_tile` start on weight blocks: they divide the output
// channels, or the conv is ungrouped and its packed weights are zero-padded to whole blocks
// (packed_out_channels), the last tile computing the padding and storing only real channels.
// Not depthwise: its padding channels would read input channels past the end.
inline bool channel_tiles_align(const OpSpec &spec, int64_t channel_tile) {
    return spec.out_channels % channel_tile == 0 || spec.groups == 1;
}
// How a schedule splits the output channels into tiles of `channel_tile`: exactly, with the last
// aligned tile's stores predicated, or (tiles not aligned) with the last tile shifted inwards.
Halide::TailStrategy channel_tail(const OpSpec &spec, int64_t channel_tile);
// The accumulator (x, y, c, n) of a channel-tiled direct conv, computed at `tile` (one register
// tile of config's vw x vectors channels by its columns) and held in registers over every tap and
// input channel, the reduction unrolled as config says. A guarded last tile computes the whole
// tile (the padded weights' zeros) rather than a variable extent, which would guard every FMA and
// keep the sums in memory. Channel tiles and fused chains share it.
void accumulate_tile_in_registers(Halide::Func accumulator, const Halide::LoopLevel &tile, const Halide::RDom &r,
                                  const ScheduleConfig &config);
// config.group_input: the layer's group-input stage stored at `store` and computed at `compute`
// (a task and its rows: a sliding window over them), output channels innermost and vectorised,
// and the accumulator's columns unrolled so neighbouring columns share the vectors they load.
// Channel tiles and fused chains share it.
void copy_group_input(const generator::GeneratedPipeline &layer, const ScheduleConfig &config,
                      const Halide::LoopLevel &store, const Halide::LoopLevel &compute);
// A config of `family` with `tile` as its register tile, every other field at its default.
ScheduleConfig tiled_config(ScheduleFamily family, const RegisterTile &tile);

// The rules: the config each family's schedule uses when no tuned one is given, for a kernel run
// on `threads` threads.
ScheduleConfig default_config(const OpSpec &spec, const Halide::Target &target, int threads);
// The family of configs that apply to spec on target (None: unfold, fold and the portable schedule).
ScheduleFamily family_for(const OpSpec &spec, const Halide::Target &target);
// Throws ValueError naming the field when the schedule cannot honour `config` for spec on target.
void check_config(const OpSpec &spec, const Halide::Target &target, const ScheduleConfig &config);

// Convs computed directly (not as unfold + matmul + fold) on a CPU target: what the hand
// schedules cover.
inline bool is_direct_cpu_conv(const OpSpec &spec, const Halide::Target &target) {
    return spec.op == OpKind::Conv && spec.algorithm == Algorithm::Direct && !target.has_gpu_feature();
}

inline double input_bytes(const OpSpec &spec) {
    return 4.0 * double(spec.batch * spec.channels * spec.image.h * spec.image.w);
}

// Parallel over groups of whole channels of each image (f's dims c and n), each group writing
// kTaskBytes or more; returns the channel within a group.
Halide::Var parallel_over_channel_groups(Halide::Func f, const Halide::Var &c, const Halide::Var &n,
                                         double bytes_per_channel, int64_t channels);
// The channels per group that makes each group write kTaskBytes or more.
int64_t channels_per_task(double bytes_per_channel, int64_t channels);
Halide::Var parallel_over_channel_groups(Halide::Func f, const Halide::Var &c, const Halide::Var &n,
                                         int64_t channels_per_group);

// Threads may sit idle for at most this share of a call before the rules reshape its tasks: an
// idle share costs its whole size. At a tenth, 1x1 convs on 28x28 to 112x112 maps (6-7% idle in
// row tasks on 2 threads; MobileNetV2, SqueezeNet, ResNet-50, ResNeXt-50) ran 1.05-1.22x slower
// than in larger tasks that share out, geomean 1.10 against 0.99-1.02x for unchanged layers (AMD
// EPYC, Zen 4 class, 4 paired rounds).
constexpr double kMaximumIdleShare = 0.03;
// The share of thread time left idle when `runs` runs of tasks of `rows_per_task` rows over
// `rows` rows (each run's last task shorter) go to `threads` threads, each taking the next task
// as it comes free. The runtime's thread pool gives each thread a contiguous share and lets it
// take from the others' once its own is done: no thread idles while a task is left, so with
// equal tasks the busiest thread runs as many as here.
double idle_share(int64_t rows, int64_t rows_per_task, int64_t runs, int threads);
// `rows_per_task` where it leaves the threads idle for kMaximumIdleShare or less; else the task
// height that leaves them idle least, the nearest to `rows_per_task` among equals: of
// `rows_per_task` or more, and of `least_rows_per_task` or more where the threads would idle more
// than kMostIdleShareOfWantedTasks (tasks below the wanted grain cost per-task overheads the
// grain's estimate can miss: EfficientNet-B0's 5x5 stride-2 depthwise conv, 1.6 us per row, ran
// 0.73x as fast in tasks of 2 rows as of 3 on 2 threads; AMD EPYC, Zen 4 class, 6 paired rounds).
constexpr double kMostIdleShareOfWantedTasks = 0.1;
int64_t balanced_rows_per_task(int64_t rows, int64_t rows_per_task, int64_t least_rows_per_task, int64_t runs,
                               int threads);
// For `runs` tasks that each sweep `rows` rows: the fewest blocks of those rows, a task each, that
// leave the threads idle least, where that saves kLeastIdleSaved of the time or more (else 1).
// Splitting costs such tasks little where each row re-reads its weights anyway (channel-major).
constexpr double kLeastIdleSaved = 0.05;
int64_t balanced_row_blocks(int64_t rows, int64_t runs, int threads);

// Each conv family: the rule that picks it, its default config, and the schedule that applies a
// config (spec.config, already checked).
bool uses_planar_depthwise(const OpSpec &spec, const Halide::Target &target);
ScheduleConfig default_planar_depthwise_config(const OpSpec &spec, const Halide::Target &target);
void schedule_planar_depthwise(GeneratedPipeline &p, const OpSpec &spec, const Halide::Target &target);

// Planar tiles also take grouped NCHW convs whose groups are narrower than a vector, one group
// per tile (scalars = its output channels).
bool uses_planar_conv(const OpSpec &spec, const Halide::Target &target);
ScheduleConfig default_planar_config(const OpSpec &spec, const Halide::Target &target);
void schedule_planar_conv(GeneratedPipeline &p, const OpSpec &spec, const Halide::Target &target);

// Direct CPU convs with enough output channels for a channel tile.
bool uses_channel_tiles(const OpSpec &spec, const Halide::Target &target);
ScheduleConfig default_channel_tiles_config(const OpSpec &spec, const Halide::Target &target, int threads);
void schedule_channel_tiles(GeneratedPipeline &p, const OpSpec &spec, const Halide::Target &target);

// Winograd convs with enough output channels for a channel vector.
bool uses_winograd(const OpSpec &spec, const Halide::Target &target);
ScheduleConfig default_winograd_config(const OpSpec &spec, const Halide::Target &target, int threads);
void schedule_winograd(GeneratedPipeline &p, const OpSpec &spec, const Halide::Target &target);

// Unfold and fold of NCHW images.
bool uses_sliding_window_copy(const OpSpec &spec, const Halide::Target &target);
void schedule_unfold(GeneratedPipeline &p, const OpSpec &spec, const Halide::Target &target);
void schedule_fold(GeneratedPipeline &p, const OpSpec &spec, const Halide::Target &target);

}  // namespace convgen::schedules::hand
