// The baseline: oneDNN's direct convolution, the library PyTorch calls on x86; or its Winograd
// convolution where it has a kernel for the layer (else its direct one).
#include <oneapi/dnnl/dnnl.hpp>
#include <omp.h>

#include "convgen/errors.h"
#include "onednn_fill.h"
#include "runners.h"

namespace convgen::bench {
namespace {

using dnnl::memory;
using tag = memory::format_tag;

class OnednnRunner : public Runner {
public:
    // oneDNN pads only with zeros; for the other padding modes the baseline runs the same shape
    // with zeros, which costs it the same.
    OnednnRunner(const SuiteLayer &l, bool nchw_in_out, bool winograd) : nchw_in_out_(nchw_in_out) {
        const int64_t out_h = (l.height + 2 * l.padding[0] - l.dilation[0] * (l.kernel[0] - 1) - 1) / l.stride[0] + 1;
        const int64_t out_w = (l.width + 2 * l.padding[1] - l.dilation[1] * (l.kernel[1] - 1) - 1) / l.stride[1] + 1;
        const memory::dims src_dims{l.batch, l.in_channels, l.height, l.width};
        const memory::dims dst_dims{l.batch, l.out_channels, out_h, out_w};
        const bool grouped = l.groups > 1;
        const memory::dims weight_dims =
            grouped ? memory::dims{l.groups, l.out_channels / l.groups, l.in_channels / l.groups, l.kernel[0], l.kernel[1]}
                    : memory::dims{l.out_channels, l.in_channels, l.kernel[0], l.kernel[1]};
        const auto f32 = memory::data_type::f32;
        const memory::desc any_src(src_dims, f32, tag::any), any_weights(weight_dims, f32, tag::any),
            any_dst(dst_dims, f32, tag::any), bias_md({l.out_channels}, f32, tag::x);
        const memory::dims strides{l.stride[0], l.stride[1]}, dilation{l.dilation[0] - 1, l.dilation[1] - 1},
            padding{l.padding[0], l.padding[1]};
        const auto primitive = [&](dnnl::algorithm algorithm) {
            const auto desc = l.bias ? dnnl::convolution_forward::desc(dnnl::prop_kind::forward_inference, algorithm,
                                                                        any_src, any_weights, bias_md, any_dst, strides,
                                                                        dilation, padding, padding)
                                     : dnnl::convolution_forward::desc(dnnl::prop_kind::forward_inference, algorithm,
                                                                        any_src, any_weights, any_dst, strides, dilation,
                                                                        padding, padding);
            return dnnl::convolution_forward::primitive_desc(desc, engine_);
        };
        // oneDNN refuses Winograd (unimplemented) for layers it has no Winograd kernel for.
        const dnnl::convolution_forward::primitive_desc pd = [&] {
            if (winograd) {
                try {
                    return primitive(dnnl::algorithm::convolution_winograd);
                } catch (const dnnl::error &) {
                }
            }
            return primitive(dnnl::algorithm::convolution_direct);
        }();
        conv_ = dnnl::convolution_forward(pd);

        user_src_ = memory({src_dims, f32, tag::nchw}, engine_);
        user_dst_ = memory({dst_dims, f32, tag::nchw}, engine_);
        memory user_weights({weight_dims, f32, grouped ? tag::goihw : tag::oihw}, engine_);
        fill_pseudo_random(user_src_);
        fill_pseudo_random(user_weights);
        src_ = memory(pd.src_desc(), engine_);
        dst_ = memory(pd.dst_desc(), engine_);
        weights_ = memory(pd.weights_desc(), engine_);
        bias_ = memory(bias_md, engine_);
        fill_pseudo_random(bias_);
        // Weights are reordered once, as any inference engine does; the input is reordered per
        // call only when the caller's tensors are NCHW.
        dnnl::reorder(user_weights, weights_).execute(stream_, user_weights, weights_);
        if (src_.get_desc() != user_src_.get_desc()) src_reorder_ = dnnl::reorder(user_src_, src_);
        if (dst_.get_desc() != user_dst_.get_desc()) dst_reorder_ = dnnl::reorder(dst_, user_dst_);
        if (src_reorder_) src_reorder_.execute(stream_, user_src_, src_);
        stream_.wait();
    }

    void run() override {
        if (nchw_in_out_ && src_reorder_) src_reorder_.execute(stream_, user_src_, src_);
        conv_.execute(stream_, {{DNNL_ARG_SRC, src_}, {DNNL_ARG_WEIGHTS, weights_}, {DNNL_ARG_BIAS, bias_},
                                {DNNL_ARG_DST, dst_}});
        if (nchw_in_out_ && dst_reorder_) dst_reorder_.execute(stream_, dst_, user_dst_);
        stream_.wait();
    }

private:
    bool nchw_in_out_;
    dnnl::engine engine_{dnnl::engine::kind::cpu, 0};
    dnnl::stream stream_{engine_};
    dnnl::convolution_forward conv_;
    dnnl::reorder src_reorder_, dst_reorder_;
    memory user_src_, user_dst_, src_, dst_, weights_, bias_;
};

}  // namespace

std::unique_ptr<Runner> make_onednn_runner(const SuiteLayer &l, bool nchw_in_out, bool winograd, int threads) {
    omp_set_num_threads(threads);
    try {
        return std::make_unique<OnednnRunner>(l, nchw_in_out, winograd);
    } catch (const dnnl::error &e) {
        throw Error("oneDNN cannot run " + l.name + ": " + e.what());
    }
}

}  // namespace convgen::bench
