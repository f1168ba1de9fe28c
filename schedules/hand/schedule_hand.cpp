// The hand-tuned CPU schedule (x86 AVX-512/AVX2, ARM NEON): applies the conv config the OpSpec
// carries (planar depthwise, planar, channel tiles or Winograd), and the NCHW unfold and fold schedules;
// other ops, layouts and algorithms use the portable default schedule.
#include "schedules/hand/hand.h"

namespace convgen::schedules {

ScheduleConfig hand_default_config(const OpSpec &spec, const Halide::Target &target, int threads) {
    return hand::default_config(spec, target, threads);
}

void hand_check_config(const OpSpec &spec, const Halide::Target &target, const ScheduleConfig &config) {
    hand::check_config(spec, target, config);
}

void schedule_hand(generator::GeneratedPipeline &p, const OpSpec &spec, const Halide::Target &target) {
    switch (spec.config.family) {
    case ScheduleFamily::PlanarDepthwise: hand::schedule_planar_depthwise(p, spec, target); return;
    case ScheduleFamily::Planar: hand::schedule_planar_conv(p, spec, target); return;
    case ScheduleFamily::ChannelTiles: hand::schedule_channel_tiles(p, spec, target); return;
    case ScheduleFamily::Winograd: hand::schedule_winograd(p, spec, target); return;
    case ScheduleFamily::None: break;
    }
    if (hand::uses_sliding_window_copy(spec, target)) {
        if (spec.op == OpKind::Unfold) {
            hand::schedule_unfold(p, spec, target);
        } else {
            hand::schedule_fold(p, spec, target);
        }
    } else {
        schedule_portable(p, spec, target);
    }
}

}  // namespace convgen::schedules
