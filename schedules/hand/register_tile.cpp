// The register-tile chooser shared by the channel-vectorised and planar conv schedules.
#include "schedules/hand/hand.h"

namespace convgen::schedules::hand {

int vector_registers(const Halide::Target &target) {
    const bool wide_register_file = target.has_feature(Halide::Target::AVX512) ||
                                    target.has_feature(Halide::Target::AVX512_Skylake) ||
                                    (target.arch == Halide::Target::ARM && target.bits == 64);
    return wide_register_file ? 32 : 16;
}

// The accumulator tile for a vectorised extent and a broadcast extent on this target.
// Accumulators plus one register per vector loaded and one for the broadcast must fit the
// register file; within that, the more accumulators the better: each load then feeds more FMAs
// and the loop's own overhead is spread wider. Tuning on the public suite picked 24-28
// accumulators (2x14, 4x6) on AVX-512 over the 12-14 an FMA-latency rule gives (Intel Xeon,
// Sapphire Rapids class: 1.1-1.8x on ResNet-50's layers), as oneDNN's kernels do on both
// vendors. Tiles that overhang the output are shifted inwards and recompute, so the tile should
// also divide the output well. Returns a tile with no vectors when the vectorised extent is too
// short.
RegisterTile choose_tile(int64_t vector_extent, int64_t scalar_extent, const Halide::Target &target,
                         int64_t group_channels) {
    const int registers = vector_registers(target);
    const int most_accumulators = registers - 4;  // 2 vectors loaded + 1 broadcast + 1 spare
    constexpr double kFmasPerLoadToFeedThePorts = 1.5;
    int widest = target.natural_vector_size<float>();
    while (widest > vector_extent) widest /= 2;
    RegisterTile best;
    if (widest < kNarrowestVector) return best;

    double best_score = 0;
    // Half-width vectors do half the work per FMA: they are tried only where full ones cannot
    // divide a group. Scored beside full ones, their 2-vector tiles' extra loads per FMA outscored a
    // 1-vector full-width tile, which ran 1.36x faster on ResNeXt's 16-channel groups (tuned, Intel
    // Xeon, Sapphire Rapids class).
    const bool full_width_divides = group_channels > 0 && group_channels % widest == 0;
    const bool across_groups = group_channels > 0 && vector_extent > group_channels;
    for (const int vector_width : {widest, widest / 2}) {
        if (vector_width < kNarrowestVector || (vector_width < widest && full_width_divides && best.vector_width > 0)) {
            break;
        }
        const double width_factor = double(vector_width) / widest;
        for (int vectors = 1; vectors <= 4 && int64_t(vectors) * vector_width <= vector_extent; ++vectors) {
            const int64_t tile = int64_t(vectors) * vector_width;
            // Across groups, each vector keeps within a group, or the tile takes whole groups from
            // a group's start: other lanes would gather their inputs one by one.
            if (across_groups && group_channels % vector_width != 0 &&
                (tile % group_channels != 0 || vector_extent % tile != 0)) {
                continue;
            }
            // Across groups, tiles that do not divide a group are kept for where nothing divides
            // it: they load a broadcast per group and column. Within a group, a tile that does not
            // divide it shifts inwards at the group's end: useful_share counts the channels it
            // computes twice, and a tile that divides the group is kept unless the shifted one
            // scores a third more (24-channel groups measured alike either way; 40-56-channel
            // groups ran 1.6-2.2x faster on 16-lane shifted tiles than on 1 x 8 lanes; Intel Xeon,
            // Sapphire Rapids class).
            const bool divides = group_channels == 0 || group_channels % tile == 0;
            const double group_factor = divides ? 1.0 : across_groups ? 0.25 : 0.75;
            for (int scalars = 1; scalars <= std::min<int64_t>(scalar_extent, most_accumulators); ++scalars) {
                const int accumulators = vectors * scalars;
                if (accumulators + vectors + 1 > registers) break;
                const double fmas_per_load = double(accumulators) / double(vectors + scalars);
                const double score = width_factor * group_factor * useful_share(vector_extent, tile) *
                                     useful_share(scalar_extent, scalars) *
                                     std::min(1.0, double(accumulators) / most_accumulators) *
                                     std::min(1.0, fmas_per_load / kFmasPerLoadToFeedThePorts);
                if (score > best_score + 1e-9) {
                    best_score = score;
                    best = {vector_width, vectors, scalars};
                }
            }
        }
    }
    return best;
}

Halide::TailStrategy channel_tail(const OpSpec &spec, int64_t channel_tile) {
    if (spec.out_channels % channel_tile == 0) return Halide::TailStrategy::RoundUp;
    return channel_tiles_align(spec, channel_tile) ? Halide::TailStrategy::GuardWithIf
                                                   : Halide::TailStrategy::ShiftInwards;
}

std::vector<Halide::VarOrRVar> split_channel_tiles(Halide::Func f, const OpSpec &spec, int64_t channel_tile,
                                                   const Halide::Var &c, const Halide::Var &co, const Halide::Var &ci) {
    if (!tiles_shift_within_groups(spec, channel_tile)) {
        f.split(c, co, ci, int(channel_tile), channel_tail(spec, channel_tile));
        return {co};
    }
    // An exact split at the groups' bounds, and a group's few tiles unrolled, so that each tile
    // starts a constant offset into its group: Halide then proves its lanes share the group.
    Halide::Var g("g"), in_group("in_group");
    f.split(c, g, in_group, int(spec.out_channels / spec.groups), Halide::TailStrategy::RoundUp)
        .split(in_group, co, ci, int(channel_tile), Halide::TailStrategy::ShiftInwards)
        .unroll(co);
    return {co, g};
}

ScheduleConfig tiled_config(ScheduleFamily family, const RegisterTile &tile) {
    ScheduleConfig config;
    config.family = family;
    config.vector_width = tile.vector_width;
    config.vectors = tile.vectors;
    config.scalars = tile.scalars;
    return config;
}

}  // namespace convgen::schedules::hand
