#include "schedules/registry.h"

#include "convgen/errors.h"
#include "convgen/live_taps.h"
#include "convgen/winograd.h"
#include "schedules/hand/hand.h"

namespace convgen::schedules {

const std::vector<Schedule> &all_schedules() {
    static const std::vector<Schedule> schedules{
        {"naive", "no scheduling directives: Halide's defaults, single-threaded", schedule_naive},
        {"portable", "any op, any CPU: parallel over outer dims, vectorised innermost", schedule_portable},
        {"cuda", "CUDA targets only: 2-D thread blocks over the output, reductions in registers", schedule_cuda},
        {"hand", "hand-written CPU conv (register tiles, packed weights), unfold and fold with configs from rules; else portable",
         schedule_hand, hand_default_config, hand_check_config},
        {kDefaultSchedule, "the default: hand, with the tuning database's best config for this machine and thread count where it has one",
         schedule_hand, hand_default_config, hand_check_config, true},
        {"adams2019", "Halide's Adams2019 autoscheduler (CPU)", schedule_adams2019},
        {"li2018", "Halide's Li2018 autoscheduler (CPU)", schedule_li2018},
        {"mullapudi2016", "Halide's Mullapudi2016 autoscheduler (CPU)", schedule_mullapudi2016},
        {"anderson2021", "Halide's Anderson2021 autoscheduler (GPU targets only)", schedule_anderson2021},
    };
    return schedules;
}

namespace {

// Winograd reads weights transformed for its tile size (the config's, else the default tile), in
// blocks of the product's channel tile where those start on blocks. Register-tiled families read
// tile-sized HWIO blocks, one per tile when the tiles start on blocks (hand::channel_tiles_align:
// the last block zero-padded), a group's when tiles shift within groups, else plain HWIO; planar
// depthwise reads PyTorch's layout as it is.
void set_weight_layout(OpSpec &spec) {
    const ScheduleConfig &config = spec.config;
    if (spec.algorithm == Algorithm::Winograd) {
        spec.weight_layout = WeightLayout::Winograd;
        const bool tiled = config.family == ScheduleFamily::Winograd;
        spec.winograd_tile = tiled ? config.winograd_tile : kDefaultWinogradTile;
        const int64_t channel_tile = tiled ? int64_t(config.vector_width) * config.vectors : 0;
        spec.weight_block = tiled && hand::channel_tiles_align(spec, channel_tile) ? channel_tile : spec.out_channels;
        return;
    }
    int64_t channel_tile = 0;
    bool padded_blocks = false;
    if (config.family == ScheduleFamily::ChannelTiles) {
        channel_tile = int64_t(config.vector_width) * config.vectors;
        padded_blocks = hand::channel_tiles_align(spec, channel_tile);
        if (hand::tiles_shift_within_groups(spec, channel_tile)) channel_tile = spec.out_channels / spec.groups;
    }
    if (config.family == ScheduleFamily::Planar) channel_tile = config.scalars;
    if (channel_tile == 0) return;
    spec.weight_layout = WeightLayout::BlockedHWIO;
    spec.weight_block = padded_blocks || spec.out_channels % channel_tile == 0 ? channel_tile : spec.out_channels;
}

// Products with the zero padding are skipped where they are 15% or more of a conv's products:
// every schedule per output row (a row's loop over kernel rows is bounded per row), register
// tiles per column too (their columns are unrolled scalars, and Halide peels the border tiles off
// the interior ones). Faster so: a DeepLab ASPP conv, dilation 12 on 33x33 (43% on padding),
// 1.7-2.0x; ResNet-50's and ResNeXt-50's 3x3 convs on 7x7 maps (18%) 1.1-1.3x; ConvNeXt's 7x7
// depthwise convs on 14x14 and 7x7 maps (23%, 43%) 1.2-1.4x. Below that the tests cost more
// than the products they save: Inception-v3's 5x5 and 1x7 convs (7-10% on padding) ran
// 0.66-0.87x, EfficientNet-B0's 5x5 depthwise (8%) 0.56-0.87x. Taps the hand schedules unroll
// (small depthwise filters) are kept: each would carry its own test, and the one such layer past
// 15% (MobileNetV2's 3x3 on 7x7 maps, 10 us) showed no gain above the noise. Schedules
// vectorised along the columns skip per row only: a column test there masks vector lanes
// (MobileNetV2's planar depthwise convs ran 3-4x slower). AMD EPYC, Zen 4 class, paired runs.
//
// Below it, register tiles over a staged input (no boundary test left in their loads) still skip
// per row: bounding a row's kernel-row loop costs them nothing. 3x3 convs with padding 1 ran
// 1.03x faster on 1 thread and 1.05x on 2 (geomean of 14 layers of ResNet-50, VGG-16, SqueezeNet
// and the synthetic suite; 1.05-1.08x on 13x13 and 14x14 maps, 1.0-1.02x on 56x56), while over an
// unstaged input, whose loads keep their row test, SqueezeNet's 13x13 conv ran 0.8x.
// A register tile as wide as the output row skips per position too: with no interior tile to
// peel its tests off, each unrolled column's kernel-column range is a constant. Ten 3x3 convs on
// 10x10 to 14x14 maps (ResNet-50, VGG-16, SqueezeNet, DenseNet-121, YOLO, SSD) ran 1.046x faster
// on 1 thread and 1.045x on 2 (geomeans, 4 paired rounds), while rows of several tiles (28x28 to
// 56x56 maps, Inception-v3's 35x35 and 17x17 convs) ran 0.65-1.05x (AMD EPYC, Zen 4 class).
// Not where the channel loop is unrolled whole: each kernel column's peeled copy of the tile is
// then one long straight-line body (ResNeXt-50's 8-channel groups, 28-column tiles, ran
// 0.53-0.65x; 1.0x with the loop unrolled by 4).
constexpr double kLeastSkippedPaddingShare = 0.15;
void set_padding_products(OpSpec &spec) {
    const bool zeros = spec.op == OpKind::Conv && spec.algorithm == Algorithm::Direct &&
                       spec.padding_mode == PaddingMode::Zeros;
    const double share = zeros ? padding_read_share(spec) : 0.0;
    const bool unrolled_taps = spec.config.family != ScheduleFamily::None && hand::unrolls_depthwise_taps(spec);
    if (share == 0.0 || unrolled_taps) return;
    const bool tiles = spec.config.family == ScheduleFamily::ChannelTiles;
    if (share >= kLeastSkippedPaddingShare) {
        spec.padding_products = tiles ? PaddingProducts::SkippedPerPosition : PaddingProducts::SkippedPerRow;
    } else if (tiles && spec.config.stage_input) {
        const bool tile_spans_row = spec.config.scalars >= spec.out.w;
        const bool channel_loop_kept = spec.config.reduction_unroll < spec.channels / spec.groups;
        const bool columns_skipped_free = tile_spans_row && channel_loop_kept;
        spec.padding_products =
            columns_skipped_free ? PaddingProducts::SkippedPerPosition : PaddingProducts::SkippedPerRow;
    }
}

}  // namespace

void configure(OpSpec &spec, const Schedule &schedule, const Halide::Target &target, int threads,
               const ScheduleConfig *chosen) {
    spec.weight_layout = WeightLayout::OIHW;
    spec.weight_block = 0;
    spec.winograd_tile = 0;
    spec.padding_products = PaddingProducts::Computed;
    spec.config = {};
    if (spec.algorithm == Algorithm::Winograd) {
        const std::string why = winograd_refusal(spec);
        if (!why.empty()) throw ValueError("algorithm 'winograd' cannot compute this " + std::string(to_string(spec.op)) + ": " + why);
    }
    if (!schedule.default_config) {
        if (chosen && chosen->family != ScheduleFamily::None) {
            throw ValueError("schedule '" + std::string(schedule.name) + "' takes no config, got '" + chosen->text() + "'");
        }
    } else if (chosen) {
        schedule.check_config(spec, target, *chosen);
        spec.config = *chosen;
    } else {
        spec.config = schedule.default_config(spec, target, threads);
    }
    set_weight_layout(spec);
    set_padding_products(spec);
}

const Schedule &find_schedule(std::string_view name) {
    std::string known;
    for (const Schedule &s : all_schedules()) {
        if (s.name == name) return s;
        known += (known.empty() ? "" : ", ") + std::string(s.name);
    }
    throw ValueError("unknown schedule '" + std::string(name) + "', expected one of {" + known + "}");
}

}  // namespace convgen::schedules
