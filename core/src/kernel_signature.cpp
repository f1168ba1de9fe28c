#include "convgen/kernel_signature.h"

#include <algorithm>

#include "convgen/errors.h"
#include "convgen/winograd.h"

namespace convgen {

Extents image_extents(int64_t n, int64_t c, int64_t h, int64_t w, Layout layout) {
    if (layout == Layout::NHWC) return {c, w, h, n};
    return {w, h, c, n};
}

Extents column_extents(const OpSpec &spec) {
    return {spec.out.w, spec.out.h, spec.window.kernel.w, spec.window.kernel.h, spec.channels, spec.batch};
}

Extents weight_extents(const OpSpec &spec) {
    const int64_t kw = spec.window.kernel.w, kh = spec.window.kernel.h;
    if (spec.op == OpKind::ConvTranspose) return {kw, kh, spec.out_channels / spec.groups, spec.channels};
    const int64_t in_per_group = spec.channels / spec.groups;
    if (spec.weight_layout == WeightLayout::BlockedHWIO) {
        return {spec.weight_block, in_per_group, kw, kh, packed_out_channels(spec) / spec.weight_block};
    }
    if (spec.weight_layout == WeightLayout::Winograd) {
        const int m = int(spec.winograd_tile);
        return {spec.weight_block, in_per_group, packed_out_channels(spec) / spec.weight_block, winograd_matrices(m).n,
                winograd_height_matrices(spec, m).n};
    }
    return {kw, kh, in_per_group, spec.out_channels};
}

int64_t packed_out_channels(const OpSpec &spec) {
    if (spec.op != OpKind::Conv || spec.weight_layout == WeightLayout::OIHW) return spec.out_channels;
    return (spec.out_channels + spec.weight_block - 1) / spec.weight_block * spec.weight_block;
}

namespace {

// Visits every weight element with its offset in PyTorch's order and in spec.weight_layout.
template <typename Visit>
void for_each_conv_weight(const OpSpec &spec, Visit visit) {
    const int64_t out = spec.out_channels, in = spec.channels / spec.groups;
    const int64_t kh = spec.window.kernel.h, kw = spec.window.kernel.w;
    const bool blocked = spec.weight_layout == WeightLayout::BlockedHWIO;
    const int64_t block = blocked ? spec.weight_block : 1;
    for (int64_t o = 0; o < out; ++o)
        for (int64_t i = 0; i < in; ++i)
            for (int64_t y = 0; y < kh; ++y)
                for (int64_t x = 0; x < kw; ++x) {
                    const int64_t pytorch = ((o * in + i) * kh + y) * kw + x;
                    visit(pytorch, blocked ? ((((o / block) * kh + y) * kw + x) * in + i) * block + o % block : pytorch);
                }
}

// U[eta][xi][o / b][c][o % b] = sum over ky, kx of Gh[eta][ky] Gw[xi][kx] g[o][c][ky][kx], in
// float64 so the transform adds no rounding of its own before the single cast; the padding past
// the last output channel is zero.
void pack_winograd_weight(const OpSpec &spec, const float *pytorch_order, float *packed) {
    const int m = int(spec.winograd_tile);
    const WinogradMatrices &across = winograd_matrices(m), &down = winograd_height_matrices(spec, m);
    const int64_t out = spec.out_channels, in = spec.channels / spec.groups, block = spec.weight_block;
    const int64_t kh = spec.window.kernel.h, kw = spec.window.kernel.w, nh = down.n, nw = across.n;
    const int64_t blocks = packed_out_channels(spec) / block;
    std::fill(packed, packed + nh * nw * blocks * in * block, 0.0f);
    for (int64_t o = 0; o < out; ++o)
        for (int64_t c = 0; c < in; ++c) {
            const float *g = pytorch_order + (o * in + c) * kh * kw;
            for (int eta = 0; eta < nh; ++eta)
                for (int xi = 0; xi < nw; ++xi) {
                    double sum = 0;
                    for (int ky = 0; ky < kh; ++ky)
                        for (int kx = 0; kx < kw; ++kx) {
                            sum += down.G(eta, ky) * across.G(xi, kx) * double(g[ky * kw + kx]);
                        }
                    packed[(((eta * nw + xi) * blocks + o / block) * in + c) * block + o % block] = float(sum);
                }
        }
}

}  // namespace

void pack_conv_weight(const OpSpec &spec, const float *pytorch_order, float *packed) {
    if (spec.weight_layout == WeightLayout::Winograd) return pack_winograd_weight(spec, pytorch_order, packed);
    for_each_conv_weight(spec, [&](int64_t from, int64_t to) { packed[to] = pytorch_order[from]; });
}

void unpack_conv_weight(const OpSpec &spec, const float *packed, float *pytorch_order) {
    if (spec.weight_layout == WeightLayout::Winograd) {
        throw ValueError("Winograd-transformed weights cannot be unpacked into PyTorch's order");
    }
    for_each_conv_weight(spec, [&](int64_t to, int64_t from) { pytorch_order[to] = packed[from]; });
}

std::vector<Extents> kernel_buffer_extents(const OpSpec &spec) {
    switch (spec.op) {
    case OpKind::Unfold:
        return {image_extents(spec.batch, spec.channels, spec.image.h, spec.image.w, spec.layout), column_extents(spec)};
    case OpKind::Fold:
        return {column_extents(spec), image_extents(spec.batch, spec.channels, spec.image.h, spec.image.w, spec.layout)};
    case OpKind::Conv:
    case OpKind::ConvTranspose:
        break;
    }
    std::vector<Extents> buffers{image_extents(spec.batch, spec.channels, spec.image.h, spec.image.w, spec.layout),
                                 weight_extents(spec)};
    if (spec.bias) buffers.push_back({spec.out_channels});
    buffers.push_back(image_extents(spec.batch, spec.out_channels, spec.out.h, spec.out.w, spec.layout));
    return buffers;
}

std::vector<Extents> chain_buffer_extents(const ChainSpec &chain) {
    std::vector<Extents> buffers;
    for (const OpSpec &layer : chain.layers) {
        const std::vector<Extents> own = kernel_buffer_extents(layer);  // input, params..., output
        if (buffers.empty()) buffers.push_back(own.front());
        buffers.insert(buffers.end(), own.begin() + 1, own.end() - 1);
    }
    const Extents output = kernel_buffer_extents(chain.last()).back();
    if (chain.residual == Residual::Given) buffers.push_back(output);
    buffers.push_back(output);
    return buffers;
}

}  // namespace convgen
