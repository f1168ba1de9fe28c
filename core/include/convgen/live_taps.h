#pragma once
// Which kernel taps of a conv read the image. Under zero padding a tap whose every read lands in
// the padding adds only zeros: dilations as large as the feature map (atrous pyramids, as in
// DeepLab) leave most taps so. The generator reduces over the live taps alone, and applies a
// boundary condition only along dims where those taps read outside the image.
#include <cstdint>

#include "convgen/op_spec.h"

namespace convgen {

// One dim of a sliding window: output o's tap k reads o*stride - pad_begin + k*dilation of an
// image dim [0, size), for o in [0, positions) and k in [0, kernel).
struct WindowDim {
    int64_t size, positions, kernel, stride, dilation, pad_begin;
};

// Taps [first, first + count) of one kernel dim.
struct TapRange {
    int64_t first = 0;
    int64_t count = 0;
    int64_t end() const { return first + count; }
    bool contains(int64_t tap) const { return tap >= first && tap < end(); }
    friend bool operator==(const TapRange &, const TapRange &) = default;
};

// The taps that read inside the image for at least one output. Reads move monotonically with
// the tap, so these span one interval, returned whole (a stride longer than the image can leave
// dead taps between live ones; those stay, reading padding). When no tap reads the image, the
// first tap alone stands for the window, so a reduction over the taps is never empty.
TapRange live_taps(const WindowDim &dim);
// Whether `taps` read outside the image for some output.
bool reads_padding(const WindowDim &dim, const TapRange &taps);

// The taps a conv computes, per dim, and whether they read padding: under zero padding the live
// taps; every tap under the other padding modes (each reads real data) and for the other ops.
struct LiveTaps {
    TapRange x, y;
    bool pads_width = false, pads_height = false;
    int64_t area() const { return x.count * y.count; }
    // Input rows and columns the taps of one output cover: the effective kernel of the live taps.
    Extent2 span(const Window &window) const {
        return {window.dilation.h * (y.count - 1) + 1, window.dilation.w * (x.count - 1) + 1};
    }
    bool pads() const { return pads_width || pads_height; }
};
LiveTaps live_taps(const OpSpec &spec);

// The share of a conv's products over its live taps (output position x tap pairs) that read
// outside the image: 0 when nothing is padded.
double padding_read_share(const OpSpec &spec);

}  // namespace convgen
