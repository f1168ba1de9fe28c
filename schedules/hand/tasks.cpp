// Parallel task grain shared by the hand schedules.
#include <algorithm>
#include <cmath>

#include "schedules/hand/hand.h"

namespace convgen::schedules::hand {

void parallel_over_channel_groups(Halide::Func f, double bytes_per_channel, int64_t channels) {
    Halide::Var c("c"), n("n"), group("group"), channel("channel"), task("task");
    const int64_t channels_per_group =
        std::clamp<int64_t>(int64_t(std::ceil(kTaskBytes / bytes_per_channel)), 1, channels);
    f.split(c, group, channel, int(channels_per_group), Halide::TailStrategy::GuardWithIf)
        .fuse(group, n, task)
        .parallel(task);
}

}  // namespace convgen::schedules::hand
