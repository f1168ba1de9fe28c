// The hand-tuned CPU schedule (x86 AVX-512/AVX2, ARM NEON): picks, per conv, the planar or the
// channel-tile schedule and the weight layout it reads, and the NCHW unfold and fold schedules;
// other ops, layouts and algorithms use the portable default schedule.
#include "schedules/hand/hand.h"

namespace convgen::schedules {

void hand_weight_layout(OpSpec &spec, const Halide::Target &target) {
    // Tile-sized HWIO blocks, one per register tile when the tiles cover the channels exactly.
    // Planar depthwise convs read PyTorch's layout as it is.
    int64_t channel_tile = 0;
    if (hand::uses_planar_depthwise(spec, target)) {
        return;
    } else if (hand::uses_planar_conv(spec, target)) {
        channel_tile = hand::planar_tile_for(spec, target).scalars;
    } else if (hand::uses_channel_tiles(spec, target)) {
        const hand::RegisterTile tile = hand::channel_tile_for(spec, target);
        channel_tile = int64_t(tile.vector_width) * tile.vectors;
    } else {
        return;
    }
    spec.weight_layout = WeightLayout::HWIO;
    spec.weight_block = spec.out_channels % channel_tile == 0 ? channel_tile : spec.out_channels;
}

void schedule_hand(generator::GeneratedPipeline &p, const OpSpec &spec, const Halide::Target &target) {
    if (hand::uses_planar_depthwise(spec, target)) {
        hand::schedule_planar_depthwise(p, spec, target);
    } else if (hand::uses_planar_conv(spec, target)) {
        hand::schedule_planar_conv(p, spec, target);
    } else if (hand::uses_channel_tiles(spec, target)) {
        hand::schedule_channel_tiles(p, spec, target);
    } else if (hand::uses_sliding_window_copy(spec, target)) {
        if (spec.op == OpKind::Unfold) {
            hand::schedule_unfold(p, spec, target);
        } else {
            hand::schedule_fold(p, spec, target);
        }
    } else {
        schedule_default(p, spec, target);
    }
}

}  // namespace convgen::schedules
