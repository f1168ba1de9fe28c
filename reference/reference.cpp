#include "reference/reference.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace convgen::reference {
namespace {

// Dense 4-D image (N, C, H, W) in either layout.
struct Image {
    int64_t n, c, h, w;
    Layout layout;
    size_t offset(int64_t in, int64_t ic, int64_t iy, int64_t ix) const {
        if (layout == Layout::NHWC) return size_t(((in * h + iy) * w + ix) * c + ic);
        return size_t(((in * c + ic) * h + iy) * w + ix);
    }
    size_t size() const { return size_t(n * c * h * w); }
};

float activate(double v, Activation a) {
    if (a == Activation::Relu) return v < 0 ? 0.0f : float(v);
    if (a == Activation::Relu6) return v < 0 ? 0.0f : (v > 6 ? 6.0f : float(v));
    return float(v);
}

std::vector<float> conv(const OpSpec &s, const float *x, const float *wt, const float *bias) {
    const Window &w = s.window;
    const Image in{s.batch, s.channels, s.image.h, s.image.w, s.layout};
    const Image out{s.batch, s.out_channels, s.out.h, s.out.w, s.layout};
    const int64_t ipg = s.channels / s.groups, opg = s.out_channels / s.groups;
    std::vector<float> y(out.size());
    for (int64_t n = 0; n < out.n; ++n)
        for (int64_t o = 0; o < out.c; ++o)
            for (int64_t oy = 0; oy < out.h; ++oy)
                for (int64_t ox = 0; ox < out.w; ++ox) {
                    double acc = bias ? bias[o] : 0.0;
                    const int64_t g = o / opg;
                    for (int64_t ci = 0; ci < ipg; ++ci)
                        for (int64_t ky = 0; ky < w.kernel.h; ++ky) {
                            const int64_t iy = padded_index(oy * w.stride.h - w.pad_begin.h + ky * w.dilation.h,
                                                            in.h, s.padding_mode);
                            for (int64_t kx = 0; kx < w.kernel.w; ++kx) {
                                const int64_t ix = padded_index(
                                    ox * w.stride.w - w.pad_begin.w + kx * w.dilation.w, in.w, s.padding_mode);
                                const double wv = wt[((o * ipg + ci) * w.kernel.h + ky) * w.kernel.w + kx];
                                // Zero padding is multiplied too, as PyTorch does: a NaN or infinite
                                // weight on a tap that reads it makes the output NaN.
                                const double xv = iy < 0 || ix < 0 ? 0.0 : double(x[in.offset(n, g * ipg + ci, iy, ix)]);
                                acc += wv * xv;
                            }
                        }
                    y[out.offset(n, o, oy, ox)] = activate(acc, s.activation);
                }
    return y;
}

// Scatter form, the textbook definition of the transpose: each input pixel adds a scaled kernel.
std::vector<float> conv_transpose(const OpSpec &s, const float *x, const float *wt, const float *bias) {
    const Window &w = s.window;
    const Image in{s.batch, s.channels, s.image.h, s.image.w, s.layout};
    const Image out{s.batch, s.out_channels, s.out.h, s.out.w, s.layout};
    const int64_t ipg = s.channels / s.groups, opg = s.out_channels / s.groups;
    std::vector<double> acc(out.size(), 0.0);
    for (int64_t n = 0; n < in.n; ++n)
        for (int64_t ci = 0; ci < in.c; ++ci)
            for (int64_t iy = 0; iy < in.h; ++iy)
                for (int64_t ix = 0; ix < in.w; ++ix) {
                    const double xv = x[in.offset(n, ci, iy, ix)];
                    const int64_t g = ci / ipg;
                    for (int64_t ol = 0; ol < opg; ++ol)
                        for (int64_t ky = 0; ky < w.kernel.h; ++ky) {
                            const int64_t oy = iy * w.stride.h - w.pad_begin.h + ky * w.dilation.h;
                            if (oy < 0 || oy >= out.h) continue;
                            for (int64_t kx = 0; kx < w.kernel.w; ++kx) {
                                const int64_t ox = ix * w.stride.w - w.pad_begin.w + kx * w.dilation.w;
                                if (ox < 0 || ox >= out.w) continue;
                                const double wv = wt[((ci * opg + ol) * w.kernel.h + ky) * w.kernel.w + kx];
                                acc[out.offset(n, g * opg + ol, oy, ox)] += xv * wv;
                            }
                        }
                }
    std::vector<float> y(out.size());
    for (int64_t n = 0; n < out.n; ++n)
        for (int64_t o = 0; o < out.c; ++o)
            for (int64_t oy = 0; oy < out.h; ++oy)
                for (int64_t ox = 0; ox < out.w; ++ox) {
                    const size_t i = out.offset(n, o, oy, ox);
                    y[i] = activate(acc[i] + (bias ? bias[o] : 0.0), s.activation);
                }
    return y;
}

// Calls f(image offset or -1, column offset) for every element of the (N, C*kH*kW, L) columns.
template <typename F>
void for_each_block_element(const OpSpec &s, F &&f) {
    const Window &w = s.window;
    const Image img{s.batch, s.channels, s.image.h, s.image.w, s.layout};
    const int64_t rows = s.channels * w.kernel.h * w.kernel.w, blocks = s.out.h * s.out.w;
    for (int64_t n = 0; n < s.batch; ++n)
        for (int64_t c = 0; c < s.channels; ++c)
            for (int64_t ki = 0; ki < w.kernel.h; ++ki)
                for (int64_t kj = 0; kj < w.kernel.w; ++kj) {
                    const int64_t row = (c * w.kernel.h + ki) * w.kernel.w + kj;
                    for (int64_t by = 0; by < s.out.h; ++by)
                        for (int64_t bx = 0; bx < s.out.w; ++bx) {
                            const int64_t iy = by * w.stride.h - w.pad_begin.h + ki * w.dilation.h;
                            const int64_t ix = bx * w.stride.w - w.pad_begin.w + kj * w.dilation.w;
                            const bool inside = iy >= 0 && iy < img.h && ix >= 0 && ix < img.w;
                            const int64_t column = (n * rows + row) * blocks + by * s.out.w + bx;
                            f(inside ? int64_t(img.offset(n, c, iy, ix)) : -1, column);
                        }
                }
}

std::vector<float> unfold(const OpSpec &s, const float *x) {
    std::vector<float> cols(size_t(s.batch * s.out_channels * s.out.h * s.out.w));
    for_each_block_element(s, [&](int64_t pixel, int64_t column) { cols[column] = pixel < 0 ? 0.0f : x[pixel]; });
    return cols;
}

std::vector<float> fold(const OpSpec &s, const float *cols) {
    std::vector<double> acc(size_t(s.batch * s.channels * s.image.h * s.image.w), 0.0);
    for_each_block_element(s, [&](int64_t pixel, int64_t column) {
        if (pixel >= 0) acc[pixel] += cols[column];
    });
    return {acc.begin(), acc.end()};
}

}  // namespace

double relative_error(const float *actual, const std::vector<float> &expected) {
    double max_diff = 0, max_ref = 0;
    for (size_t i = 0; i < expected.size(); ++i) {
        const bool actual_nan = std::isnan(actual[i]), expected_nan = std::isnan(expected[i]);
        if (actual_nan != expected_nan) return INFINITY;
        if (actual_nan) continue;
        max_diff = std::max(max_diff, std::abs(double(actual[i]) - double(expected[i])));
        max_ref = std::max(max_ref, std::abs(double(expected[i])));
    }
    return max_ref > 0 ? max_diff / max_ref : max_diff;
}

int64_t padded_index(int64_t j, int64_t size, PaddingMode mode) {
    if (j >= 0 && j < size) return j;
    switch (mode) {
    case PaddingMode::Zeros: return -1;
    case PaddingMode::Reflect: return j < 0 ? -j : 2 * (size - 1) - j;
    case PaddingMode::Replicate: return j < 0 ? 0 : size - 1;
    case PaddingMode::Circular: return ((j % size) + size) % size;
    }
    return -1;
}

std::vector<float> run(const OpSpec &spec, const float *input, const float *weight, const float *bias) {
    const float *b = spec.bias ? bias : nullptr;
    switch (spec.op) {
    case OpKind::Conv: return conv(spec, input, weight, b);
    case OpKind::ConvTranspose: return conv_transpose(spec, input, weight, b);
    case OpKind::Unfold: return unfold(spec, input);
    case OpKind::Fold: return fold(spec, input);
    }
    throw std::logic_error("unknown op kind");
}

}  // namespace convgen::reference
