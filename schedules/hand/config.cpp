// The hand schedule's configs: which family a conv takes by the rules, each family's default,
// and the check that refuses a config the schedules cannot honour (tuned, or written by hand).
#include <limits>
#include <string>

#include "convgen/errors.h"
#include "convgen/winograd.h"
#include "generator/groups.h"
#include "schedules/hand/hand.h"

namespace convgen::schedules::hand {
namespace {

[[noreturn]] void refuse(const ScheduleConfig &config, const std::string &why) {
    throw ValueError("schedule config '" + config.text() + "' cannot be used: " + why);
}

bool is_power_of_two(int value) { return value > 0 && (value & (value - 1)) == 0; }

void check_register_tile(const ScheduleConfig &config, const Halide::Target &target, int64_t vector_extent,
                         int64_t scalar_extent) {
    const int widest = target.natural_vector_size<float>();
    if (!is_power_of_two(config.vector_width) || config.vector_width < kNarrowestVector ||
        config.vector_width > widest) {
        refuse(config, "vw must be a power of two from " + std::to_string(kNarrowestVector) + " to " +
                           std::to_string(widest) + " on this target");
    }
    if (config.vectors < 1 || config.scalars < 1) refuse(config, "vectors and scalars must be positive");
    if (int64_t(config.vectors) * config.vector_width > vector_extent) {
        refuse(config, "vectors * vw exceeds the " + std::to_string(vector_extent) + " vectorised outputs");
    }
    // A tile wider than the output would be shifted inwards past its start.
    if (config.scalars > scalar_extent) {
        refuse(config, "scalars exceeds the " + std::to_string(scalar_extent) + " broadcast outputs");
    }
    // Past the register file the accumulators spill: correct, but never what anyone wants.
    constexpr int kMostAccumulators = 64;
    if (config.vectors * config.scalars > kMostAccumulators) {
        refuse(config, "more than " + std::to_string(kMostAccumulators) + " accumulators");
    }
}

void check_channel_tiles(const OpSpec &spec, const Halide::Target &target, const ScheduleConfig &config) {
    check_register_tile(config, target, vectorisable_channels(spec), spec.out.w);
    const int channel_tile = config.vector_width * config.vectors;
    const int64_t channel_tiles = (spec.out_channels + channel_tile - 1) / channel_tile;
    const bool whole_tiles = spec.out_channels % channel_tile == 0;
    const bool aligned = channel_tiles_align(spec, channel_tile);
    const int64_t in_per_group = spec.channels / spec.groups;
    if (config.tiles_per_task < 0 || config.tiles_per_task > channel_tiles ||
        (config.tiles_per_task && channel_tiles % config.tiles_per_task != 0)) {
        refuse(config, "tiles_per_task must divide the " + std::to_string(channel_tiles) + " channel tiles");
    }
    if (!aligned && config.tiles_per_task && config.tiles_per_task != channel_tiles) {
        refuse(config, "grouped output channels that are not a whole number of tiles form one block (tiles_per_task=0)");
    }
    if (config.channel_major && !aligned) refuse(config, "channel_major needs tiles that divide the channels of a group");
    if (tiles_shift_within_groups(spec, channel_tile) &&
        (config.tiles_per_task || config.channel_major || config.input_block)) {
        refuse(config, "tiles that shift within the " + std::to_string(spec.out_channels / spec.groups) +
                           "-channel groups take a group per task (tiles_per_task=0, channel_major=0, input_block=0)");
    }
    if (config.rows_per_task < 1 || config.rows_per_task > std::max<int64_t>(1, spec.out.h)) {
        refuse(config, "rows_per_task must be from 1 to the " + std::to_string(spec.out.h) + " output rows");
    }
    if (config.channel_major && config.rows_per_task != 1) {
        refuse(config, "channel_major tasks take their rows in row_blocks (rows_per_task=1)");
    }
    if (config.row_blocks < 1 || config.row_blocks > std::max<int64_t>(1, spec.out.h)) {
        refuse(config, "row_blocks must be from 1 to the " + std::to_string(spec.out.h) + " output rows");
    }
    if (config.row_blocks != 1 && !config.channel_major) {
        refuse(config, "row_blocks splits channel_major tasks; row-major ones take rows_per_task");
    }
    if (config.tile_order < kRowsChannelsColumns || config.tile_order > kChannelsRowsColumns) {
        refuse(config, "tile_order must be 0 (rows, channel tiles, column tiles), 1 (rows, column tiles, channel "
                       "tiles) or 2 (channel tiles, rows, column tiles)");
    }
    if (config.tile_order != kRowsChannelsColumns && (config.channel_major || config.input_block)) {
        refuse(config, "tile_order orders a row-major task's tiles; channel_major and input_block tasks keep their "
                       "own order (tile_order=0)");
    }
    if (config.tile_order == kChannelsRowsColumns && config.rows_per_task == 1) {
        refuse(config, "tile_order=2 sweeps a task's rows per channel tile: it needs rows_per_task above 1");
    }
    if (config.input_block) {
        if (!whole_tiles || spec.out.w % config.scalars != 0 || config.input_block >= in_per_group) {
            refuse(config, "input_block needs whole channel tiles, scalars dividing the output width and "
                           "fewer than the input channels per group");
        }
        if (config.reduction_unroll > 1) refuse(config, "unroll applies only without input_block");
    }
    if (config.reduction_unroll < 1 || in_per_group % config.reduction_unroll != 0) {
        refuse(config, "unroll must divide the " + std::to_string(in_per_group) + " input channels per group");
    }
    if (config.restride && !config.stage_input) refuse(config, "restride needs stage=1");
    if (config.stage_per_task && !config.stage_input) refuse(config, "stage_per_task needs stage=1");
    if (config.group_input) {
        if (!generator::has_group_input(spec)) {
            refuse(config, "group_input needs a grouped conv with several input channels per group");
        }
        // The copy applies the boundary condition itself, row by row within a row-major task.
        if (config.stage_input || config.channel_major || config.input_block) {
            refuse(config, "group_input copies its rows per row-major task: stage=0, channel_major=0, input_block=0");
        }
    }
}

void check_winograd(const OpSpec &spec, const Halide::Target &target, const ScheduleConfig &config) {
    if (!is_winograd_tile(config.winograd_tile)) refuse(config, "tile must be 2, 4 or 6");
    // The product guards a block of tiles that runs past the task's end: any tile count will do.
    check_register_tile(config, target, spec.out_channels, std::numeric_limits<int64_t>::max());
    // Tasks of whole weight blocks: the channel tiles divide the output channels and the blocks.
    const int64_t channel_tile = int64_t(config.vector_width) * config.vectors;
    const int64_t channel_tiles = spec.out_channels / channel_tile;
    const bool divides = spec.out_channels % channel_tile == 0 && config.tiles_per_task > 0 &&
                         channel_tiles % config.tiles_per_task == 0;
    if (config.tiles_per_task < 0 || (config.tiles_per_task > 0 && !divides)) {
        refuse(config, "tiles_per_task must be 0 (all) or divide the output channels' whole channel tiles");
    }
    // Rows of tiles; past the image's, a task takes the whole image (so a tile size may change alone).
    if (config.rows_per_task < 1 || config.rows_per_task > std::max<int64_t>(1, spec.out.h)) {
        refuse(config, "rows_per_task must be from 1 to the " + std::to_string(spec.out.h) + " output rows");
    }
    const int64_t in_per_group = spec.channels / spec.groups;
    if (config.reduction_unroll < 1 || in_per_group % config.reduction_unroll != 0) {
        refuse(config, "unroll must divide the " + std::to_string(in_per_group) + " input channels per group");
    }
}

}  // namespace

ScheduleFamily family_for(const OpSpec &spec, const Halide::Target &target) {
    if (uses_planar_depthwise(spec, target)) return ScheduleFamily::PlanarDepthwise;
    if (uses_planar_conv(spec, target)) return ScheduleFamily::Planar;
    if (uses_channel_tiles(spec, target)) return ScheduleFamily::ChannelTiles;
    if (uses_winograd(spec, target)) return ScheduleFamily::Winograd;
    return ScheduleFamily::None;
}

ScheduleConfig default_config(const OpSpec &spec, const Halide::Target &target, int threads) {
    switch (family_for(spec, target)) {
    case ScheduleFamily::PlanarDepthwise: return default_planar_depthwise_config(spec, target);
    case ScheduleFamily::Planar: return default_planar_config(spec, target);
    case ScheduleFamily::ChannelTiles: return default_channel_tiles_config(spec, target, threads);
    case ScheduleFamily::Winograd: return default_winograd_config(spec, target, threads);
    case ScheduleFamily::None: break;
    }
    return {};
}

void check_config(const OpSpec &spec, const Halide::Target &target, const ScheduleConfig &config) {
    const bool direct = is_direct_cpu_conv(spec, target);
    switch (config.family) {
    case ScheduleFamily::None:
        if (family_for(spec, target) != ScheduleFamily::None) refuse(config, "this conv needs a family");
        return;
    case ScheduleFamily::PlanarDepthwise:
        if (!uses_planar_depthwise(spec, target)) {
            refuse(config, "planar_depthwise needs an NCHW depthwise conv of at most " +
                               std::to_string(kMostUnrolledTaps) + " taps");
        }
        if (!is_power_of_two(config.vector_width) || config.vector_width > target.natural_vector_size<float>()) {
            refuse(config, "vw must be a power of two no wider than the target's vectors");
        }
        if (config.channels_per_task < 1 || config.channels_per_task > spec.channels) {
            refuse(config, "channels_per_task must be from 1 to the channels");
        }
        return;
    case ScheduleFamily::Planar:
        if (!direct || spec.layout != Layout::NCHW || (spec.window.stride.w != 1 && spec.groups == 1)) {
            refuse(config, "planar needs an NCHW direct conv of column stride 1 (grouped: any stride)");
        }
        check_register_tile(config, target, spec.out.w, spec.out_channels);
        if (spec.groups > 1 && (spec.channels == spec.groups || config.scalars != spec.out_channels / spec.groups)) {
            refuse(config, "planar takes a grouped conv one group per tile: scalars must be the " +
                               std::to_string(spec.out_channels / spec.groups) + " output channels per group");
        }
        return;
    case ScheduleFamily::ChannelTiles:
        if (!direct) refuse(config, "channel_tiles needs a direct conv on a CPU target");
        check_channel_tiles(spec, target, config);
        return;
    case ScheduleFamily::Winograd:
        if (!uses_winograd(spec, target)) refuse(config, "winograd needs a Winograd conv on a CPU target");
        check_winograd(spec, target, config);
        return;
    }
}

}  // namespace convgen::schedules::hand
