// Parallel task grain shared by the hand schedules.
#include <algorithm>
#include <cmath>

#include "schedules/hand/hand.h"

namespace convgen::schedules::hand {

int64_t channels_per_task(double bytes_per_channel, int64_t channels) {
    return std::clamp<int64_t>(int64_t(std::ceil(kTaskBytes / bytes_per_channel)), 1, channels);
}

Halide::Var parallel_over_channel_groups(Halide::Func f, const Halide::Var &c, const Halide::Var &n,
                                         int64_t channels_per_group) {
    Halide::Var group("group"), channel("channel"), task("task");
    f.split(c, group, channel, int(channels_per_group), Halide::TailStrategy::GuardWithIf)
        .fuse(group, n, task)
        .parallel(task);
    return channel;
}

Halide::Var parallel_over_channel_groups(Halide::Func f, const Halide::Var &c, const Halide::Var &n,
                                         double bytes_per_channel, int64_t channels) {
    return parallel_over_channel_groups(f, c, n, channels_per_task(bytes_per_channel, channels));
}

}  // namespace convgen::schedules::hand
