// The public conv layer classes: options in, a ConvLayer behind them.
#include "convgen/conv.h"

#include <type_traits>

namespace convgen {
namespace {

template <size_t D>
std::vector<int64_t> to_vector(const ExpandingArray<D> &a) {
    return {a.values().begin(), a.values().end()};
}

template <typename Options>
detail::ConvLayerParams common_params(const Options &o, size_t rank, bool transposed) {
    detail::ConvLayerParams c;
    c.spatial_rank = rank;
    c.transposed = transposed;
    c.in_channels = o.in_channels();
    c.out_channels = o.out_channels();
    c.groups = o.groups();
    c.kernel = to_vector(o.kernel_size());
    c.stride = to_vector(o.stride());
    c.dilation = to_vector(o.dilation());
    c.bias = o.bias();
    c.padding_mode_name = o.padding_mode().name();
    c.activation = o.activation();
    c.layout = o.layout();
    c.algorithm = o.algorithm();
    c.schedule = o.schedule();
    if (!o.schedule_config().empty()) c.schedule_config = parse_schedule_config(o.schedule_config());
    return c;
}

template <size_t D>
detail::ConvLayerParams conv_params(const ConvOptions<D> &o) {
    detail::ConvLayerParams c = common_params(o, D, false);
    std::visit(
        [&](const auto &padding) {
            using T = std::decay_t<decltype(padding)>;
            if constexpr (std::is_same_v<T, ExpandingArray<D>>) {
                c.padding = to_vector(padding);
            } else if constexpr (std::is_same_v<T, PaddingKind>) {
                c.padding_string = padding == PaddingKind::Same ? "same" : "valid";
            } else {
                c.padding_string = padding;
            }
        },
        o.padding().value());
    return c;
}

template <size_t D>
detail::ConvLayerParams conv_transpose_params(const ConvTransposeOptions<D> &o) {
    detail::ConvLayerParams c = common_params(o, D, true);
    c.padding = to_vector(o.padding());
    c.output_padding = to_vector(o.output_padding());
    return c;
}

}  // namespace

std::optional<ConstTensorView> ConvLayerBase::bias() const {
    if (!impl_->bias()) return std::nullopt;
    return impl_->bias()->view();
}

template <size_t D>
ConvNd<D>::ConvNd(ConvOptions<D> options) : ConvNd(options, detail::ConvLayer(conv_params(options))) {}

template <size_t D>
ConvNd<D>::ConvNd(ConvOptions<D> options, detail::ConvLayer impl)
    : ConvLayerBase(std::move(impl)), options_(std::move(options)) {}

template <size_t D>
ConvNd<D> ConvNd<D>::fuse_batch_norm(const BatchNormParams &bn) const {
    ConvOptions<D> fused_options = options_;
    fused_options.bias(true);
    return ConvNd(fused_options, impl_->fused_with(bn));
}

template <size_t D>
ConvTransposeNd<D>::ConvTransposeNd(ConvTransposeOptions<D> options)
    : ConvTransposeNd(options, detail::ConvLayer(conv_transpose_params(options))) {}

template <size_t D>
ConvTransposeNd<D>::ConvTransposeNd(ConvTransposeOptions<D> options, detail::ConvLayer impl)
    : ConvLayerBase(std::move(impl)), options_(std::move(options)) {}

template <size_t D>
ConvTransposeNd<D> ConvTransposeNd<D>::fuse_batch_norm(const BatchNormParams &bn) const {
    ConvTransposeOptions<D> fused_options = options_;
    fused_options.bias(true);
    return ConvTransposeNd(fused_options, impl_->fused_with(bn));
}

template class ConvNd<1>;
template class ConvNd<2>;
template class ConvTransposeNd<1>;
template class ConvTransposeNd<2>;

}  // namespace convgen
