#include "skipped_taps.h"

#include <cmath>

#include "convgen/live_taps.h"

namespace convgen::detail {

std::vector<int64_t> channels_nan_from_skipped_taps(const OpSpec &spec, const float *weight) {
    const LiveTaps live = live_taps(spec);
    const Extent2 k = spec.window.kernel;
    std::vector<int64_t> channels;
    if (live.area() == k.h * k.w) return channels;
    const int64_t filter = spec.channels / spec.groups * k.h * k.w;
    for (int64_t o = 0; o < spec.out_channels; ++o) {
        for (int64_t i = 0; i < filter; ++i) {
            const int64_t kx = i % k.w, ky = i / k.w % k.h;
            if (live.x.contains(kx) && live.y.contains(ky)) continue;
            if (!std::isfinite(weight[o * filter + i])) {
                channels.push_back(o);
                break;
            }
        }
    }
    return channels;
}

}  // namespace convgen::detail
