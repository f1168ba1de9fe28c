// Direct convolution with register tiles of output channels x output columns, vectorised over
// channels, accumulating over input channels then kernel taps, with weights packed in
// tile-sized output-channel blocks (HWIO). The accumulators stay in registers over the whole
// reduction unless the config blocks input channels; the padded input is staged
// channels-innermost when that takes work out of the inner loop.
#include <algorithm>
#include <cmath>
#include <vector>

#include "generator/groups.h"
#include "schedules/hand/hand.h"

namespace convgen::schedules::hand {
namespace {

namespace stage = generator::stage;

// An operand larger than this does not stay in a core's L2 beside the others (L2 is 1-2 MiB a
// core on both vendors' server parts).
constexpr double kL2OperandBytes = 512 * 1024;
// The smallest per-core L2 of those parts (AMD Zen 4's and Zen 5's; Intel Xeon's is 2 MiB).
constexpr double kL2Bytes = 1024 * 1024;

// Filters of up to this many taps may sweep a row column tile by column tile: each tile then
// reloads its taps' weights, a third of the loads of a 3x3 tile's inputs but half or more of a
// 5x5 or 7x7 one's (those ran 0.75-0.95x so; Intel Xeon, Sapphire Rapids class).
constexpr int64_t kMostReloadedTaps = 9;

// The L1 ways a tile's input lines may share a set with: the fewest of the x86 parts convgen
// runs on (AMD Zen 4's 32 KiB L1d is 8-way; Zen 5's and Intel Xeon's 48 KiB are 12-way), all
// with 64 sets, kL1SetStrideBytes apart.
constexpr int64_t kL1Ways = 8;

// The input channels of each pixel a channel tile reads: every channel of an ungrouped conv, else
// those of the groups its output channels fall in (depthwise: one per output channel).
int64_t tile_input_channels(const OpSpec &spec, int64_t channel_tile) {
    if (spec.groups == 1) return spec.channels;
    const int64_t groups = std::max<int64_t>(1, channel_tile / (spec.out_channels / spec.groups));
    return std::min(spec.channels, groups * (spec.channels / spec.groups));
}

// Whether a register tile's channels-innermost input lines evict each other from L1 before they
// are read again. Pixels a multiple of 4 KiB apart put every column of the tile in one L1 set,
// more lines than it has ways, for each block of channels the reduction reads. And the taps along
// a row reread the lines of the columns beside them: where one row's lines fit L1 but more than
// kL1Ways of them share a set, they miss too. A grouped tile, reading a line or two of each
// pixel, aliases so at 1-2 KiB already: restrided, ResNeXt's 256- and 512-channel stride-2
// grouped convs ran 1.8-2.6x faster (AMD EPYC, Zen 4 class).
bool tile_inputs_alias(const OpSpec &spec, const LiveTaps &live, const RegisterTile &tile) {
    const int64_t pixel_bytes = 4 * spec.channels;
    if ((pixel_bytes * spec.window.stride.w) % kL1SetStrideBytes == 0) return true;
    if (live.x.count == 1) return false;
    const int64_t pixels = (tile.scalars - 1) * spec.window.stride.w + live.span(spec.window).w;
    const int64_t read_bytes = 4 * tile_input_channels(spec, int64_t(tile.vector_width) * tile.vectors);
    constexpr int64_t kLineBytes = 4 * kCacheLineFloats;
    std::vector<int64_t> lines_in_set(kL1SetStrideBytes / kLineBytes, 0);
    int64_t lines = 0;
    for (int64_t pixel = 0; pixel < pixels; ++pixel) {
        const int64_t first = pixel * pixel_bytes / kLineBytes;
        const int64_t last = (pixel * pixel_bytes + read_bytes - 1) / kLineBytes;
        for (int64_t line = first; line <= last; ++line, ++lines) ++lines_in_set[size_t(line) % lines_in_set.size()];
    }
    const bool fits_l1 = lines <= kL1Ways * int64_t(lines_in_set.size());
    return fits_l1 && *std::max_element(lines_in_set.begin(), lines_in_set.end()) > kL1Ways;
}

// The bytes of one image a conv's windows read: rows and columns no tap reads (a strided 1x1
// conv's odd ones) excluded.
double windowed_image_bytes(const OpSpec &spec, const LiveTaps &live) {
    const int64_t rows = std::min(spec.image.h, spec.out.h * live.y.count);
    const int64_t columns = std::min(spec.image.w, spec.out.w * live.x.count);
    return 4.0 * double(spec.channels * rows * columns);
}

// Whether a channels-last conv copies its input before the reduction: with padding, except for
// depthwise, whose boundary test is one scalar per channel vector, cheaper than a second pass,
// and except strided filters with more than kStagedInputBytesPerFlop: they read each input a few
// times, too few to repay the copy (unstaged, ResNet-50's first stride-2 3x3, ResNeXt's grouped
// ones and 3-channel stems ran 1.15-1.9x faster, ResNet-50's deeper ones slower; Intel Xeon,
// Sapphire Rapids class). And where the tile's input lines alias in L1 (restrided), if the tile
// is one vector: it loads a broadcast for each FMA, so its L1 misses cost more than the copy
// (ResNeXt-style stride-2 grouped convs ran 1.8-2.6x faster staged, a two-vector tile of 1024
// channels in groups of 32 at the FMA peak unstaged 0.45-0.95x so; AMD EPYC, Zen 4 class).
// `restride`: tile_inputs_alias for the tile.
bool stages_channels_last_input(const OpSpec &spec, const LiveTaps &live, const RegisterTile &tile, bool restride) {
    constexpr double kStagedInputBytesPerFlop = 0.005;
    const bool strided = spec.window.stride.h * spec.window.stride.w > 1;
    const bool copy_repaid = !strided || input_bytes(spec) < kStagedInputBytesPerFlop * spec.flops();
    const bool depthwise = spec.channels / spec.groups == 1;
    return live.pads() && !depthwise ? copy_repaid || (restride && tile.vectors == 1) : restride;
}

// Depthwise tiles: each column's taps load their own input vectors (a unit-stride 3x3 filter
// shares two of every three with the next column, a stride-2 one one of three), so past a few
// columns a wider tile saves few loads and only crowds the registers that hold its taps' weights.
// Sweeps of MobileNetV2's depthwise layers picked one vector by 7-8 columns on 6 of 8 layers,
// 1.3-1.5x faster than the widest tile that fits (Intel Xeon, Sapphire Rapids class).
constexpr int64_t kMostDepthwiseColumns = 8;

// One vector of channels by the 4 to kMostDepthwiseColumns columns that divide the row best (a
// tile shifted inwards at the row's end recomputes columns), the widest of equals, as many as fit
// the registers beside the taps' weights, the input vector and the broadcast, or a whole row that
// short. None when even one column does not fit (a 5x5 filter with 16 registers).
RegisterTile depthwise_tile(const OpSpec &spec, const Halide::Target &target) {
    int vector_width = target.natural_vector_size<float>();
    while (vector_width > spec.out_channels && vector_width > 4) vector_width /= 2;
    const int64_t fitting = vector_registers(target) - live_taps(spec).area() - 2;
    if (vector_width > spec.out_channels || fitting < 1) return {};
    // A row of up to kMostDepthwiseColumns is one tile even past the registers, its weights then
    // reloaded from L1: two shifted tiles recompute columns (a 5x5 filter's 7-column rows ran
    // 1.5-1.65x faster in one tile of 7 than in two of 4; Intel Xeon, Sapphire Rapids class).
    const int64_t most = spec.out.w <= kMostDepthwiseColumns ? spec.out.w
                                                              : std::min(kMostDepthwiseColumns, fitting);
    RegisterTile best{vector_width, 1, int(most)};
    double best_useful = 0;
    for (int64_t columns = std::min<int64_t>(4, most); columns <= most; ++columns) {
        const double useful = useful_share(spec.out.w, columns);
        if (useful >= best_useful - 1e-9) {
            best_useful = useful;
            best.scalars = int(columns);
        }
    }
    return best;
}

// Whether the channel vectors of `tile` straddle groups of several input channels: each lane then
// reads another group's input channel, a strided load and shuffles per FMA unless the group input
// is copied per output channel (group_input).
bool vectors_span_groups(const OpSpec &spec, const RegisterTile &tile) {
    const int64_t out_per_group = spec.out_channels / spec.groups;
    const int64_t channel_tile = int64_t(tile.vector_width) * tile.vectors;
    return generator::has_group_input(spec) && !tiles_shift_within_groups(spec, channel_tile) &&
           out_per_group % tile.vector_width != 0;
}

// Tiles vectorised over output channels, one broadcast input per output column. Ungrouped convs
// may end in a part tile (channel_tiles_align), depthwise ones in a shifted one; other grouped
// ones keep their tiles within a group where it holds a vector. A depthwise tile keeps every
// unrolled tap's weights in registers beside its accumulators.
RegisterTile channel_tile(const OpSpec &spec, const Halide::Target &target) {
    if (unrolls_depthwise_taps(spec)) {
        const RegisterTile depthwise = depthwise_tile(spec, target);
        if (depthwise.vector_width > 0) return depthwise;
    }
    if (tiles_may_span_groups(spec)) return choose_tile(vectorisable_channels(spec), spec.out.w, target);
    // A group of a vector or more keeps its tiles: a tile straddling groups at an arbitrary
    // channel gathers its inputs lane by lane (RegNet-style 40- and 56-channel groups ran 50x
    // slower than oneDNN so). Narrower groups take tiles across them where each vector keeps
    // within a group or the tile takes whole groups from a group's start: 3 x 16 lanes over four
    // 12-channel groups ran 1.75x faster than 3 x 4 within one, and 8-lane vectors over 25
    // 8-channel groups 7x faster than 16-lane tiles straddling them (`convgen tune --sweep`,
    // Intel Xeon, Sapphire Rapids class).
    const int64_t out_per_group = spec.out_channels / spec.groups;
    if (out_per_group < target.natural_vector_size<float>()) {
        const RegisterTile across = choose_tile(spec.out_channels, spec.out.w, target, out_per_group);
        if (across.vector_width > 0) return across;
    }
    return choose_tile(out_per_group, spec.out.w, target, out_per_group);
}

// A row-major task's loops, innermost first, from (ci, xi, xo, co, yi, ...) in kRowsChannelsColumns
// order.
std::vector<Halide::VarOrRVar> tile_loops(int order, std::vector<Halide::VarOrRVar> loops) {
    if (order == kRowsColumnsChannels) std::swap(loops[2], loops[3]);
    if (order == kChannelsRowsColumns) std::swap(loops[3], loops[4]);
    return loops;
}

}  // namespace

bool uses_channel_tiles(const OpSpec &spec, const Halide::Target &target) {
    return is_direct_cpu_conv(spec, target) && channel_tile(spec, target).vector_width > 0;
}

ScheduleConfig default_channel_tiles_config(const OpSpec &spec, const Halide::Target &target, int threads) {
    const LiveTaps live = live_taps(spec);
    RegisterTile tile = channel_tile(spec, target);
    // Vectors straddling groups (ResNeXt's 4-channel groups: a strided load and shuffles per FMA,
    // 0.5-0.7x oneDNN) read a copy of each output channel's group input instead, one dense vector
    // per FMA as a depthwise conv loads, in a depthwise conv's tile, where the window reads each
    // copied input kLeastReadsPerCopy times or more: 3x3 and 5x5 convs over 2- and 4-channel
    // groups ran 1.1-2.6x faster at 1 and 2 threads, a 1x1 conv (one read per copy) 0.73x (AMD
    // EPYC, Zen 4 class). Only where a vector holds whole groups, as the checks want of such tiles.
    constexpr double kLeastReadsPerCopy = 2;
    const Window &window = spec.window;
    const double reads_per_copy = double(live.area()) / double(window.stride.h * window.stride.w);
    const int64_t out_per_group = spec.out_channels / spec.groups;
    const RegisterTile copied = depthwise_tile(spec, target);
    const bool group_input = vectors_span_groups(spec, tile) && reads_per_copy >= kLeastReadsPerCopy &&
                             copied.vector_width > 0 && copied.vector_width % out_per_group == 0 &&
                             spec.out_channels % copied.vector_width == 0;
    if (group_input) tile = copied;
    ScheduleConfig config = tiled_config(ScheduleFamily::ChannelTiles, tile);
    config.group_input = group_input;
    const int channel_tile = tile.vector_width * tile.vectors;
    const int64_t in_per_group = spec.channels / spec.groups;
    const bool depthwise = in_per_group == 1;  // the inner loop loads input channel vectors
    const bool padded = live.pads();

    // Which operand stays in cache decides the loop order. Row-major (each task output rows of a
    // block of channel tiles) re-reads the weights for every row, which is free while they
    // fit in L2; channel-major (each task a block of channel tiles over the whole image) re-reads
    // the input instead, the better choice for the deep layers whose weights are megabytes. On
    // several threads, where the tasks would read a copy of the input (staged: padded, restrided,
    // or NCHW), only while the image its windows read stays in L2: past that every task streams
    // the whole copy, which the threads made half each before the tasks, while row-major tasks
    // copy and read their own rows. ResNet-50's and ResNeXt-50's restrided 1x1 convs over 784 KB
    // inputs ran 1.03-1.33x faster row-major on 2 threads, VGG-16's padded 56x56 and 112x112
    // layers 1.03-1.16x, DeepLabv3's held-out 8.7 MB one 1.02-1.04x; an unstaged, unpadded one
    // (Inception-v3's 35x35 stride-2 3x3, held out) 0.94x. On 1 thread row-major gained as much
    // on VGG-16's 112x112 layer (1.08x) as it lost on its 28x28 512-channel one (0.88x), so one
    // thread keeps the traffic rule (AMD EPYC, Zen 4 class, 3-4 rounds alternating binaries).
    const int64_t channel_tiles = (spec.out_channels + channel_tile - 1) / channel_tile;
    const int64_t rows = spec.batch * spec.out.h;
    const int64_t taps = live.area();
    const double weight_bytes = 4.0 * double(spec.out_channels) * double(in_per_group) * double(taps);
    const bool aligned = channel_tiles_align(spec, channel_tile);
    const bool within_groups = tiles_shift_within_groups(spec, channel_tile);
    config.restride = tile_inputs_alias(spec, live, tile);
    const bool channels_last_staged = stages_channels_last_input(spec, live, tile, config.restride);
    const bool image_stays_in_l2 = windowed_image_bytes(spec, live) <= kL2OperandBytes;
    const bool tasks_read_a_copy = spec.layout == Layout::NCHW || channels_last_staged;
    config.channel_major = aligned && !within_groups && !group_input && weight_bytes > kL2OperandBytes &&
                           (threads == 1 || image_stays_in_l2 || !tasks_read_a_copy) &&
                           input_bytes(spec) * double(channel_tiles) < weight_bytes * double(rows);
    // Several tasks per thread so uneven ones balance, each of task_flops at the least. At least
    // one, so an empty batch (which runs no kernel) still gets a valid config. A depthwise FMA
    // loads its own input vector, so these convs run at a fraction of a dense conv's FLOP rate
    // (MobileNetV2's at 8-35% of the FMA peak, its 1x1 convs at 50-95%): a task of kTaskFlops
    // would take several times the time it stands for, and most of their layers ran as one task,
    // on one thread of two. Tasks of a quarter of it ran 21 depthwise layers (MobileNetV2/V3,
    // EfficientNet-B0, ConvNeXt) 1.15x faster at 2 threads, 1.02x at 1 (geomean; Intel Xeon,
    // Sapphire Rapids class).
    const double task_flops = depthwise ? kTaskFlops / kDepthwiseFlopCost : kTaskFlops;
    const int64_t tasks_per_block = std::max<int64_t>(1, config.channel_major ? spec.batch : rows);
    const double all_channels_task_flops = spec.flops() / double(tasks_per_block);
    const int64_t wanted_blocks = std::clamp<int64_t>(int64_t(all_channels_task_flops / task_flops), 1,
                                                      (kMinimumTasks + tasks_per_block - 1) / tasks_per_block);
    int64_t tiles_per_block = aligned ? std::max<int64_t>(1, channel_tiles / wanted_blocks) : channel_tiles;
    while (channel_tiles % tiles_per_block != 0) --tiles_per_block;
    // Tiles within groups: a task takes one group's tiles (tiles_per_task=0).
    config.tiles_per_task = within_groups ? 0 : int(tiles_per_block);
    const int64_t channel_blocks = channel_tiles / tiles_per_block;
    // Channel-major tasks too few to share out evenly take blocks of rows: their tiles re-read the
    // weights per row anyway. ResNet-50's 512-channel 7x7 layers, 11 tiles of 48 channels on 2
    // threads, left a thread idle a tenth of the time.
    if (config.channel_major) {
        config.row_blocks = int(balanced_row_blocks(spec.out.h, spec.batch * channel_blocks, threads));
    }
    const double task_share_of_channels =
        within_groups ? 1.0 / double(spec.groups) : double(tiles_per_block) / double(channel_tiles);
    // A depthwise tile loads input channel vectors: a channel tile sweeping the row reads a cache
    // line every `channels` floats, a stride the prefetchers follow poorly, while input past L2
    // streams from memory. Column tiles outermost read each row's channels contiguously: 1.1-1.5x
    // faster on 3x3 layers of 0.6-4.8 MB (MobileNetV2/V3, EfficientNet-B0), no gain below.
    if (depthwise && !config.channel_major && taps <= kMostReloadedTaps && input_bytes(spec) > kL2OperandBytes) {
        config.tile_order = kRowsColumnsChannels;
    }
    // Row tasks below task_flops take several rows, in tasks of equal height.
    if (!config.channel_major && spec.flops() > 0) {
        const double row_task_flops = all_channels_task_flops * task_share_of_channels;
        // A task copies the group input of the rows its window reads, its neighbours' included:
        // tasks of kLeastCopiedRowsPerHaloRow rows per such row keep that under an eighth. The
        // tuner took 8-32 rows on ResNeXt-50's 56x56 layer; 14 instead of the flops' 4 ran it
        // 1.07x faster on 1 thread and 1.14x on 2, ResNeXt-101 64x4d's 1.3x and 1.2x (AMD EPYC,
        // Zen 4 class, 4 paired rounds).
        constexpr int64_t kLeastCopiedRowsPerHaloRow = 8;
        const int64_t halo_rows = (live.y.count - 1) * window.dilation.h;
        const int64_t copy_rows =
            group_input ? (kLeastCopiedRowsPerHaloRow * halo_rows + window.stride.h - 1) / window.stride.h : 0;
        const int64_t least_rows_for_flops = int64_t(std::ceil(task_flops / 2 / row_task_flops));
        const int64_t wanted_rows = std::clamp<int64_t>(
            std::max<int64_t>(int64_t(std::ceil(task_flops / row_task_flops)), copy_rows), 1, spec.out.h);
        const int64_t tasks_per_image = (spec.out.h + wanted_rows - 1) / wanted_rows;
        const int64_t rows_per_task = (spec.out.h + tasks_per_image - 1) / tasks_per_image;
        // Where those tasks would leave a thread idle, other heights of half the work or more:
        // MobileNetV2's small layers ran 3, 5 or 7 tasks on 2 threads.
        const int64_t blocks = within_groups ? spec.groups : channel_blocks;
        const int64_t least_rows = std::clamp<int64_t>(
            std::max(least_rows_for_flops, std::min(copy_rows, spec.out.h) / 2), 1, spec.out.h);
        config.rows_per_task =
            int(balanced_rows_per_task(spec.out.h, rows_per_task, least_rows, spec.batch * blocks, threads));
    }

    // The accumulators stay in registers over every tap and input channel (no input blocking):
    // parking partial sums in a buffer per block of input channels, to keep each block's weights
    // in L1, cost 1.2-1.8x on ResNet-50's deep layers when tuned (Intel Xeon, Sapphire Rapids
    // class), as oneDNN's batch-reduce kernels find on both vendors; the weights stream from L2.
    // The input-channel loop is unrolled by up to 8, which the tuner picked on almost every layer.
    for (int unroll : {8, 4, 2}) {
        if (in_per_group % unroll == 0) {
            config.reduction_unroll = unroll;
            break;
        }
    }

    // The inner loop wants the input channels-innermost (consecutive input channels share cache
    // lines; depthwise convs load channel vectors) with any boundary condition already applied.
    // Stage the padded input once when that pays. NCHW input: with padding, when every task
    // sweeps the whole input (channel-major), or for depthwise; otherwise the transposition costs
    // more than the strided broadcasts. Channels-last input: stages_channels_last_input.
    constexpr double kMostPaddingCopiedPerTask = 0.15;
    if (spec.layout == Layout::NCHW) {
        // One output row per image (conv1d): every task, a block of channel tiles, sweeps the whole
        // input, which then pays for its transposition too (wav2vec 2.0's 512-channel stride-2
        // conv1d 1.5x faster staged; `convgen tune --sweep stage`, Intel Xeon, Sapphire Rapids class).
        const bool one_row = spec.out.h == 1;
        config.stage_input = padded || config.channel_major || depthwise || one_row;
    } else {
        // On several threads, row-major tasks (each reads its rows once) read a little padding
        // more cheaply than after a copy made before the tasks start: 3x3 convs of 16-128 input
        // channels on 13x13 to 224x224 maps (DenseNet-121, SqueezeNet, VGG-16) ran 1.04-1.23x
        // faster unstaged on 2 threads, while on 7x7 maps (18% of the reads on padding) and on a
        // 3-channel input (VGG-16's first conv) unstaged ran 1.1-1.2x slower (1 thread: no gain
        // either way). Since staged tiles skip the padding rows' products, a copy made by each
        // task of its own rows beats both: 1.03-1.13x over unstaged on ResNet-50's, SqueezeNet's
        // and VGG-16's such layers on 2 threads. It also beats the copy before the tasks (a pass
        // of its own, by the calling thread alone under kParallelCopyBytes, whose rows the tasks
        // then read back from further out in the caches) at any channel count: VGG-16's
        // 3-channel first conv 1.14-1.41x, ResNeXt-50's grouped 3x3s of 8-channel groups
        // 1.1-2.1x (AMD EPYC, Zen 4 class, 4 paired rounds).
        // On one thread the per-task copy pays for an image past L2, whose copy before the tasks
        // streams it out to L3 and back: VGG-16's 224x224 64-channel conv ran 1.05-1.10x faster
        // so, its 112x112 one 1.02x, 56x56 ones of 0.8 MB alike either way, DenseNet-121's 1.6 MB
        // 56x56 one 0.97x (AMD EPYC, Zen 4 class, 4 rounds alternating binaries).
        const bool rows_copy_their_own = (threads > 1 || input_bytes(spec) > kL2Bytes) &&
                                         !config.channel_major && padding_read_share(spec) < kMostPaddingCopiedPerTask;
        config.stage_input = channels_last_staged;
        config.stage_per_task = config.stage_input && rows_copy_their_own;
    }
    // Channel-major tasks that read input channels of their own (a grouped conv's blocks of whole
    // groups) copy them themselves on several threads, all at once and no channel twice, rather
    // than wait for a copy before the tasks start (by the calling thread alone under
    // kParallelCopyBytes): ResNeXt-50's 1024-channel grouped 3x3 on 7x7 maps ran 1.26-1.37x
    // faster on 2 threads, a 432-channel one in 9 groups on 14x14 1.03x (1.01x on 1 thread; AMD
    // EPYC, Zen 4 class, 3 paired rounds each).
    const bool tasks_read_their_own_channels =
        tile_input_channels(spec, int64_t(channel_tile) * tiles_per_block) * channel_blocks <= spec.channels;
    if (threads > 1 && config.channel_major && tasks_read_their_own_channels) {
        config.stage_per_task = config.stage_input;
    }
    config.stage_input = config.stage_input && !group_input;  // the copy applies the padding itself
    config.stage_per_task = config.stage_per_task && config.stage_input;
    config.restride = config.restride && config.stage_input;
    return config;
}

void accumulate_tile_in_registers(Halide::Func accumulator, const Halide::LoopLevel &tile, const Halide::RDom &r,
                                  const ScheduleConfig &config) {
    const std::vector<Halide::Var> d = accumulator.args();  // (x, y, c, n)
    const Halide::Var &x = d[0], &y = d[1], &c = d[2], &n = d[3];
    const int vw = config.vector_width;
    accumulator.compute_at(tile)
        .bound_extent(c, vw * config.vectors)
        .reorder_storage(c, x, y, n)
        .vectorize(c, vw)
        .unroll(c)
        .unroll(x);
    Halide::Stage update = accumulator.update();
    update.reorder(c, x, r.z, r.x, r.y, y, n).vectorize(c, vw).unroll(c).unroll(x);
    if (config.reduction_unroll > 1) {
        Halide::RVar rzo("rzo"), rzu("rzu");
        update.split(r.z, rzo, rzu, config.reduction_unroll).unroll(rzu);
    }
}

void copy_group_input(const GeneratedPipeline &layer, const ScheduleConfig &config, const Halide::LoopLevel &store,
                      const Halide::LoopLevel &compute) {
    Halide::Func copy = layer.stage(stage::kGroupInput);
    const std::vector<Halide::Var> d = copy.args();  // (x, y, ci, c, n)
    const Halide::Var &x = d[0], &y = d[1], &ci = d[2], &c = d[3], &n = d[4];
    copy.store_at(store)
        .compute_at(compute)
        .reorder_storage(c, ci, x, y, n)
        .reorder(c, ci, x, y, n)
        .vectorize(c, config.vector_width, Halide::TailStrategy::GuardWithIf);
    layer.stage(stage::kAccumulator).update().unroll(layer.reduction.x);
}

void schedule_channel_tiles(GeneratedPipeline &p, const OpSpec &spec, const Halide::Target &) {
    const ScheduleConfig &config = spec.config;
    const int vector_width = config.vector_width;
    const int channel_tile = vector_width * config.vectors;
    const int64_t channel_tiles = (spec.out_channels + channel_tile - 1) / channel_tile;
    const int tiles_per_block = config.tiles_per_task ? config.tiles_per_task : int(channel_tiles);

    const generator::ImageDims &dims = p.dims;
    const Halide::Var &x = dims.x, &y = dims.y, &c = dims.c, &n = dims.n;
    Halide::Var xo("xo"), xi("xi"), co("co"), ci("ci"), cb("cb"), yo("yo"), yi("yi"), task("task");
    Halide::Func output = p.output;
    // A task's channels: a block of tiles (tiles that do not start on weight blocks form one block,
    // shifted tile included: check_config), or one group whose tiles shift within it.
    const std::vector<Halide::VarOrRVar> tiles = split_channel_tiles(output, spec, channel_tile, c, co, ci);
    const bool group_tasks = tiles.size() > 1;
    const Halide::VarOrRVar block = group_tasks ? tiles[1] : Halide::VarOrRVar(cb);
    if (!group_tasks) output.split(co, cb, co, tiles_per_block);
    output.split(x, xo, xi, config.scalars, Halide::TailStrategy::ShiftInwards);
    // The register tile's loop, innermost: the accumulators live there.
    const Halide::Var tile = config.tile_order == kRowsColumnsChannels ? co : xo;
    if (config.channel_major) {
        // Each channel tile sweeps the task's rows, re-reading its weights per row whether the
        // image is one task or several blocks of rows.
        const int64_t block_rows = (spec.out.h + config.row_blocks - 1) / config.row_blocks;
        output.split(y, yo, yi, int(std::max<int64_t>(1, block_rows)), Halide::TailStrategy::GuardWithIf)
            .reorder(ci, xi, xo, yi, co, yo, cb, n)
            .fuse(yo, cb, task)
            .fuse(task, n, task);
    } else {
        // The last task of an image stops at its last row (a guard: two tasks never write a row).
        output.split(y, yo, yi, config.rows_per_task, Halide::TailStrategy::GuardWithIf)
            .reorder(tile_loops(config.tile_order, {ci, xi, xo, co, yi, block, yo, n}))
            .fuse(block, yo, task)
            .fuse(task, n, task);
    }
    output.parallel(task).vectorize(ci, vector_width).unroll(ci).unroll(xi);
    // Halide would otherwise peel the first and last tasks for the padding rows and leave their
    // row loops unpartitioned: every load of those tasks' rows behind a boundary select. Within
    // each task, only the padding rows take the select.
    const bool tasks_split_rows = config.channel_major ? config.row_blocks > 1 : config.rows_per_task > 1;
    if (tasks_split_rows) output.partition(task, Halide::Partition::Never);

    Halide::Func accumulator = p.stage(stage::kAccumulator);
    const Halide::RDom &r = p.reduction;  // (kx, ky, ci)
    Halide::Stage update = accumulator.update();
    Halide::RVar rzo("rzo"), rzi("rzi");
    if (config.input_block) {
        Halide::Var uxo("uxo"), uxi("uxi");
        accumulator.compute_at(output, co).reorder_storage(c, x, y, n).vectorize(c, vector_width);
        update.split(r.z, rzo, rzi, config.input_block, Halide::TailStrategy::GuardWithIf)
            .split(x, uxo, uxi, config.scalars)
            .reorder(c, uxi, rzi, r.x, r.y, uxo, y, rzo, n)
            .vectorize(c, vector_width)
            .unroll(c)
            .unroll(uxi);
    } else {
        accumulate_tile_in_registers(accumulator, Halide::LoopLevel(output, tile), r, config);
    }
    // Depthwise convs reduce over the taps alone: unrolled, neighbouring columns share the input
    // vectors they load.
    if (unrolls_depthwise_taps(spec)) update.unroll(r.x).unroll(r.y);
    // Row by row as the task's rows reach them (check_config: row-major tasks only), kept per
    // channel tile where each tile sweeps the task's rows.
    if (config.group_input) {
        const Halide::Var store = config.tile_order == kChannelsRowsColumns ? co : task;
        copy_group_input(p, config, Halide::LoopLevel(output, store), Halide::LoopLevel(output, yi));
    }

    if (config.stage_input) {
        Halide::Func staged = p.stage(stage::kPaddedInput);
        Halide::Var row("row");
        staged.reorder_storage(c, x, y, n).reorder(c, x, y, n);
        if (config.stage_per_task) {
            staged.compute_at(output, task);
        } else {
            staged.compute_root().fuse(y, n, row);
            // A small copy is done sooner by the calling thread than by waking the pool for it.
            if (input_bytes(spec) > kParallelCopyBytes) staged.parallel(row);
        }
        if (config.restride) staged.bound_storage(c, int(non_aliasing_channel_stride(spec.channels)));
        if (spec.layout == Layout::NHWC) staged.vectorize(c, vector_width, Halide::TailStrategy::GuardWithIf);
    }
}

}  // namespace convgen::schedules::hand
