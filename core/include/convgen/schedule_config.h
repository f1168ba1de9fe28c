#pragma once
// A schedule's decisions as data: what the hand schedule's rules choose, what the tuner searches
// and what the tuning database stores. Plain C++ (no Halide), so the OpSpec can carry it into the
// kernel cache key and the weight packing can read its layout from it.
//
// The canonical text is the config's identity (cache keys, database records):
//   "channel_tiles vw=16 vectors=2 scalars=14 input_block=0 unroll=4 channel_major=0 tiles_per_task=2
//    rows_per_task=1 tile_order=0 stage=1 stage_per_task=0 restride=0 group_input=0
//    row_blocks=1"
// with only the fields of its family, always in this order; parse_schedule_config reads it back.
#include <string>
#include <string_view>

namespace convgen {

// The schedule layers use unless told otherwise: the hand schedule with the tuning database's
// best config for this machine and thread count where it has one, else its rules.
inline constexpr std::string_view kDefaultSchedule = "tuned";

enum class ScheduleFamily {
    None,             // the schedule decides alone (portable, autoschedulers, ...)
    ChannelTiles,     // register tiles vectorised over output channels (blocked HWIO weights)
    Planar,           // NCHW register tiles vectorised over output columns
    PlanarDepthwise,  // NCHW depthwise, vectorised over output columns
    Winograd,         // Winograd convs: the tile size, and the product's register tile
};

std::string_view to_string(ScheduleFamily);

// A row-major channel-tiles task's loops, outermost first.
enum TileOrder : int {
    // Each channel tile sweeps a row: its weights stay in registers or L1 along the row.
    kRowsChannelsColumns = 0,
    // Each column tile takes every channel tile in turn: its input stays in L1 and is read
    // contiguously (channels innermost), not a line every `channels` floats.
    kRowsColumnsChannels = 1,
    // Each channel tile sweeps the task's rows: its weights stay in L1 over them.
    kChannelsRowsColumns = 2,
};

struct ScheduleConfig {
    ScheduleFamily family = ScheduleFamily::None;
    // The register tile: `vectors` vectors of `vector_width` floats times `scalars` broadcasts
    // (Winograd: output channels times tiles of the product at one point).
    int vector_width = 0;
    int vectors = 0;
    int scalars = 0;
    // ChannelTiles: input channels per reduction block whose weights stay in L1 while the partial
    // sums wait in a buffer; 0: no blocking, the accumulators stay in registers over all taps.
    int input_block = 0;
    // ChannelTiles, Winograd: the input-channel loop unrolled by this (divides the input channels
    // per group).
    int reduction_unroll = 1;
    // ChannelTiles: each task sweeps the whole image (or a row block of it: row_blocks) for a block
    // of channel tiles (re-reading the input) instead of output rows for every tile (re-reading
    // the weights).
    bool channel_major = false;
    // ChannelTiles, Winograd: output-channel tiles per task; 0: all of them (one channel block).
    int tiles_per_task = 0;
    // ChannelTiles, row-major: consecutive output rows of one image per task; Winograd: rows of
    // output tiles.
    int rows_per_task = 1;
    // ChannelTiles, row-major: the order of a task's loops over its tiles (TileOrder).
    int tile_order = 0;
    // ChannelTiles, Planar: the padded input is staged once (channels innermost for channel tiles).
    bool stage_input = false;
    // ChannelTiles: the staged input is copied per parallel task (its rows and channels, while
    // they are in cache) instead of once before the parallel loop.
    bool stage_per_task = false;
    // ChannelTiles: staged rows restrided off a multiple of 4 KiB (no L1 set aliasing).
    bool restride = false;
    // ChannelTiles, grouped convs with several input channels per group: each output channel's
    // group input copied beside it, row by row per task, so vectors that straddle groups load
    // it densely; the kernel's columns unrolled, neighbouring output columns sharing those loads.
    bool group_input = false;
    // ChannelTiles, channel-major: each image's output rows in this many blocks of equal height, a
    // task each (1: the whole image), so that few channel blocks still share out over the threads.
    int row_blocks = 1;
    // PlanarDepthwise: channels per parallel task.
    int channels_per_task = 0;
    // Winograd: the output tile m of F(m x m, 3x3), 2, 4 or 6: larger is faster and less accurate.
    int winograd_tile = 0;

    std::string text() const;
    friend bool operator==(const ScheduleConfig &, const ScheduleConfig &) = default;
};

// Throws convgen::ValueError naming the problem when `text` is not a config's canonical text.
ScheduleConfig parse_schedule_config(std::string_view text);

}  // namespace convgen
