#include "convgen/live_taps.h"

#include <algorithm>

namespace convgen {
namespace {

int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }
int64_t ceil_div(int64_t a, int64_t b) { return -floor_div(-a, b); }

// The outputs whose tap k reads inside the image: 0 <= base + o*stride < size, base the read of
// output 0.
int64_t outputs_reading_image(const WindowDim &d, int64_t k) {
    const int64_t base = k * d.dilation - d.pad_begin;
    const int64_t first = std::max<int64_t>(0, ceil_div(-base, d.stride));
    const int64_t last = std::min(d.positions - 1, floor_div(d.size - 1 - base, d.stride));
    return std::max<int64_t>(0, last - first + 1);
}

// Of the (output, tap) pairs of `taps`, those that read inside the image.
int64_t reads_inside(const WindowDim &d, const TapRange &taps) {
    int64_t inside = 0;
    for (int64_t k = taps.first; k < taps.end(); ++k) inside += outputs_reading_image(d, k);
    return inside;
}

WindowDim width_of(const OpSpec &spec) {
    const Window &w = spec.window;
    return {spec.image.w, spec.out.w, w.kernel.w, w.stride.w, w.dilation.w, w.pad_begin.w};
}

WindowDim height_of(const OpSpec &spec) {
    const Window &w = spec.window;
    return {spec.image.h, spec.out.h, w.kernel.h, w.stride.h, w.dilation.h, w.pad_begin.h};
}

}  // namespace

TapRange live_taps(const WindowDim &dim) {
    int64_t first = -1, last = -1;
    for (int64_t k = 0; k < dim.kernel; ++k) {
        if (outputs_reading_image(dim, k) == 0) continue;
        if (first < 0) first = k;
        last = k;
    }
    if (first < 0) return {0, 1};
    return {first, last - first + 1};
}

bool reads_padding(const WindowDim &dim, const TapRange &taps) {
    // The lowest read is output 0's first tap, the highest the last output's last tap.
    const int64_t lowest = taps.first * dim.dilation - dim.pad_begin;
    const int64_t highest = (dim.positions - 1) * dim.stride - dim.pad_begin + (taps.end() - 1) * dim.dilation;
    return lowest < 0 || highest >= dim.size;
}

LiveTaps live_taps(const OpSpec &spec) {
    const Window &w = spec.window;
    const TapRange all_x{0, w.kernel.w}, all_y{0, w.kernel.h};
    if (spec.op != OpKind::Conv) return {all_x, all_y, w.pads_width(), w.pads_height()};
    const WindowDim dim_x = width_of(spec), dim_y = height_of(spec);
    const bool zeros = spec.padding_mode == PaddingMode::Zeros;
    const TapRange x = zeros ? live_taps(dim_x) : all_x, y = zeros ? live_taps(dim_y) : all_y;
    return {x, y, reads_padding(dim_x, x), reads_padding(dim_y, y)};
}

double padding_read_share(const OpSpec &spec) {
    const LiveTaps taps = live_taps(spec);
    const double pairs = double(taps.area()) * double(spec.out.h) * double(spec.out.w);
    if (!taps.pads() || pairs == 0) return 0.0;
    const double inside = double(reads_inside(width_of(spec), taps.x)) * double(reads_inside(height_of(spec), taps.y));
    return 1.0 - inside / pairs;
}

}  // namespace convgen
