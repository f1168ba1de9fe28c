#include "convgen/kernel_signature.h"

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
    if (spec.weight_layout == WeightLayout::HWIO) {
        return {spec.weight_block, in_per_group, kw, kh, spec.out_channels / spec.weight_block};
    }
    return {kw, kh, in_per_group, spec.out_channels};
}

namespace {

// Visits every weight element with its offset in PyTorch's order and in spec.weight_layout.
template <typename Visit>
void for_each_conv_weight(const OpSpec &spec, Visit visit) {
    const int64_t out = spec.out_channels, in = spec.channels / spec.groups;
    const int64_t kh = spec.window.kernel.h, kw = spec.window.kernel.w;
    const bool blocked = spec.weight_layout == WeightLayout::HWIO;
    const int64_t block = blocked ? spec.weight_block : 1;
    for (int64_t o = 0; o < out; ++o)
        for (int64_t i = 0; i < in; ++i)
            for (int64_t y = 0; y < kh; ++y)
                for (int64_t x = 0; x < kw; ++x) {
                    const int64_t pytorch = ((o * in + i) * kh + y) * kw + x;
                    visit(pytorch, blocked ? ((((o / block) * kh + y) * kw + x) * in + i) * block + o % block : pytorch);
                }
}

}  // namespace

void pack_conv_weight(const OpSpec &spec, const float *pytorch_order, float *packed) {
    for_each_conv_weight(spec, [&](int64_t from, int64_t to) { packed[to] = pytorch_order[from]; });
}

void unpack_conv_weight(const OpSpec &spec, const float *packed, float *pytorch_order) {
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

}  // namespace convgen
