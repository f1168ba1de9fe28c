// The baseline for conv blocks: oneDNN layer by layer with its post-ops (see block_runners.h).
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <oneapi/dnnl/dnnl.hpp>
#include <omp.h>

#include "block_runners.h"
#include "convgen/errors.h"
#include "onednn_fill.h"

namespace convgen::bench {
namespace {

using dnnl::memory;
using tag = memory::format_tag;
constexpr auto f32 = memory::data_type::f32;

// One conv of the chain with the spatial size of its input.
struct ChainConv {
    const SuiteBlockLayer *layer;
    int64_t in_channels, height, width;

    int64_t out_size(size_t dim, int64_t in) const {
        const SuiteBlockLayer &l = *layer;
        return (in + 2 * l.padding[dim] - l.dilation[dim] * (l.kernel[dim] - 1) - 1) / l.stride[dim] + 1;
    }
    memory::dims src_dims(int64_t batch) const { return {batch, in_channels, height, width}; }
    memory::dims dst_dims(int64_t batch) const {
        return {batch, layer->out_channels, out_size(0, height), out_size(1, width)};
    }
    bool grouped() const { return layer->groups > 1; }
    memory::dims weight_dims() const {
        const SuiteBlockLayer &l = *layer;
        return grouped() ? memory::dims{l.groups, l.out_channels / l.groups, in_channels / l.groups, l.kernel[0], l.kernel[1]}
                         : memory::dims{l.out_channels, in_channels, l.kernel[0], l.kernel[1]};
    }
    tag user_weight_tag() const { return grouped() ? tag::goihw : tag::oihw; }
    bool is_pointwise() const {
        const SuiteBlockLayer &l = *layer;
        return l.kernel == std::array<int64_t, 2>{1, 1} && l.stride == std::array<int64_t, 2>{1, 1} &&
               l.padding == std::array<int64_t, 2>{0, 0} && l.groups == 1;
    }
    // The depthwise convs oneDNN's post-op computes: 3x3, padding 1, stride 1 or 2, multiplier 1.
    bool is_fusable_depthwise() const {
        const SuiteBlockLayer &l = *layer;
        return l.groups == in_channels && l.out_channels == in_channels && l.kernel == std::array<int64_t, 2>{3, 3} &&
               l.padding == std::array<int64_t, 2>{1, 1} && l.dilation == std::array<int64_t, 2>{1, 1} &&
               l.stride[0] == l.stride[1] && (l.stride[0] == 1 || l.stride[0] == 2);
    }
};

std::vector<ChainConv> chain_of(const SuiteBlock &b) {
    std::vector<ChainConv> chain;
    int64_t channels = b.in_channels, height = b.height, width = b.width;
    for (const SuiteBlockLayer &l : b.layers) {
        chain.push_back({&l, channels, height, width});
        channels = l.out_channels;
        height = chain.back().out_size(0, height);
        width = chain.back().out_size(1, width);
    }
    return chain;
}

void append_activation(dnnl::post_ops &ops, Activation activation) {
    switch (activation) {
    case Activation::None: return;
    case Activation::Relu: ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f); return;
    case Activation::Relu6: ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_clip, 0.0f, 6.0f); return;
    }
}

class OnednnBlock : public OnednnBlockRunner {
public:
    OnednnBlock(const SuiteBlock &b, OnednnBlockChoices choices) : batch_(b.batch), winograd_(choices.winograd) {
        if (b.residual == Residual::Given) throw Error("the oneDNN baseline adds only the block's input");
        const std::vector<ChainConv> chain = chain_of(b);
        // The block's input, in NCHW as the caller has it; each conv's input is reordered into the
        // layout that conv prefers only where it differs from what the previous conv wrote.
        user_input_ = memory({chain.front().src_dims(batch_), f32, tag::nchw}, engine_);
        fill_pseudo_random(user_input_);
        memory current = user_input_;
        bool first = true;
        for (size_t i = 0; i < chain.size();) {
            const bool pair = choices.depthwise_post_op && i + 1 < chain.size() && chain[i].is_pointwise() &&
                              chain[i + 1].is_fusable_depthwise();
            const size_t consumed = pair && add_conv(b, chain, i, true, current, first) ? 2 : 1;
            if (consumed == 1) add_conv(b, chain, i, false, current, first);
            current = steps_.back().args.at(DNNL_ARG_DST);
            first = false;
            i += consumed;
        }
        stream_.wait();
    }

    void run() override {
        for (Step &step : steps_) step.primitive.execute(stream_, step.args);
        stream_.wait();
    }

    int depthwise_post_ops() const override { return depthwise_post_ops_; }
    int winograd_convs() const override { return winograd_convs_; }

    std::string plan() const override {
        return std::to_string(convs_) + " conv primitive(s), " + std::to_string(winograd_convs_) + " Winograd, " +
               std::to_string(depthwise_post_ops_) + " depthwise post-op(s), " + std::to_string(reorders_) +
               " reorder(s)";
    }

private:
    struct Step {
        dnnl::primitive primitive;
        std::unordered_map<int, memory> args;
    };

    // Adds conv `i` (with the depthwise conv i + 1 as its post-op when `with_depthwise`) reading
    // `input`. Returns false, adding nothing, when oneDNN refuses the depthwise post-op.
    bool add_conv(const SuiteBlock &b, const std::vector<ChainConv> &chain, size_t i, bool with_depthwise,
                  memory input, bool first) {
        const ChainConv &conv = chain[i];
        const ChainConv &last = chain[with_depthwise ? i + 1 : i];
        const bool ends_block = &last == &chain.back();
        dnnl::post_ops ops;
        append_activation(ops, conv.layer->activation);
        if (with_depthwise) {
            const SuiteBlockLayer &dw = *last.layer;
            ops.append_dw(f32, dw.bias ? f32 : memory::data_type::undef, f32, 3, dw.stride[0], 1, 0, {1.0f});
            append_activation(ops, dw.activation);
        }
        // The residual add: oneDNN adds what the destination holds before the call.
        if (ends_block && b.residual == Residual::Input) ops.append_sum(1.0f);
        if (ends_block) append_activation(ops, b.activation);
        dnnl::primitive_attr attr;
        attr.set_post_ops(ops);

        // Between convs, the previous conv's output as it is when oneDNN has a kernel other than its
        // plain-loop reference ("ref:") for that layout; else the layout it prefers, reached by a
        // reorder. Winograd first where asked for, even at the cost of a reorder (its kernels read
        // only blocked layouts, its direct convs the channels-last one the others write).
        std::optional<dnnl::convolution_forward::primitive_desc> pd;
        std::vector<dnnl::algorithm> algorithms{dnnl::algorithm::convolution_direct};
        if (winograd_) algorithms.insert(algorithms.begin(), dnnl::algorithm::convolution_winograd);
        for (const dnnl::algorithm algorithm : algorithms) {
            if (!first) {
                pd = create(conv, algorithm, input.get_desc(), attr);
                if (pd && std::string(pd->impl_info_str()).starts_with("ref:")) pd.reset();
            }
            if (!pd) pd = create(conv, algorithm, memory::desc(conv.src_dims(batch_), f32, tag::any), attr);
            if (pd) break;
        }
        if (!pd) {
            if (with_depthwise) return false;
            throw Error("oneDNN has no convolution for layer " + std::to_string(i) + " of " + b.name);
        }
        // With the depthwise post-op the primitive's destination is the depthwise conv's.
        if (pd->dst_desc().dims() != last.dst_dims(batch_)) {
            if (with_depthwise) return false;
            throw Error("oneDNN's destination has unexpected sizes");
        }

        const SuiteBlockLayer &l = *conv.layer;
        if (std::string(pd->impl_info_str()).find("wino") != std::string::npos) ++winograd_convs_;
        Step step{dnnl::convolution_forward(*pd), {}};
        memory src = input;
        if (pd->src_desc() != input.get_desc()) {
            src = memory(pd->src_desc(), engine_);
            dnnl::reorder reorder(input, src);
            // The block's input arrives in the layout this first conv wants, as the single-layer
            // baseline's does; between convs a reorder is part of the block's time.
            if (first) {
                reorder.execute(stream_, input, src);
            } else {
                steps_.push_back({reorder, {{DNNL_ARG_FROM, input}, {DNNL_ARG_TO, src}}});
                ++reorders_;
            }
        }
        step.args[DNNL_ARG_SRC] = src;
        step.args[DNNL_ARG_WEIGHTS] = packed_weights(conv, pd->weights_desc());
        if (l.bias) step.args[DNNL_ARG_BIAS] = filled({{l.out_channels}, f32, tag::x});
        if (with_depthwise) {
            const int dw_weights = DNNL_ARG_ATTR_POST_OP_DW | DNNL_ARG_WEIGHTS;
            step.args[dw_weights] = packed_weights(last, pd->query_md(dnnl::query::exec_arg_md, dw_weights));
            if (last.layer->bias) step.args[DNNL_ARG_ATTR_POST_OP_DW | DNNL_ARG_BIAS] =
                filled({{last.layer->out_channels}, f32, tag::x});
            ++depthwise_post_ops_;
        }
        memory dst(pd->dst_desc(), engine_);
        // The sum post-op's addend: the block's input, placed in the output once. Later calls add
        // to the previous output instead, which reads and writes the same memory (values only
        // grow linearly over a benchmark's calls).
        if (ends_block && b.residual == Residual::Input) dnnl::reorder(user_input_, dst).execute(stream_, user_input_, dst);
        step.args[DNNL_ARG_DST] = dst;
        steps_.push_back(std::move(step));
        ++convs_;
        return true;
    }

    // The primitive for `conv` by `algorithm` reading `src_md` (weights and output in the layouts
    // oneDNN prefers), or nothing where oneDNN has none (no Winograd kernel for the layer, or it
    // refuses the depthwise post-op).
    std::optional<dnnl::convolution_forward::primitive_desc> create(const ChainConv &conv, dnnl::algorithm algorithm,
                                                                    const memory::desc &src_md,
                                                                    const dnnl::primitive_attr &attr) const {
        const SuiteBlockLayer &l = *conv.layer;
        const memory::desc weights(conv.weight_dims(), f32, tag::any), dst(conv.dst_dims(batch_), f32, tag::any),
            bias({l.out_channels}, f32, tag::x);
        const memory::dims strides{l.stride[0], l.stride[1]}, dilation{l.dilation[0] - 1, l.dilation[1] - 1},
            padding{l.padding[0], l.padding[1]};
        const auto kind = dnnl::prop_kind::forward_inference;
        try {
            const auto desc = l.bias ? dnnl::convolution_forward::desc(kind, algorithm, src_md, weights, bias, dst,
                                                                        strides, dilation, padding, padding)
                                     : dnnl::convolution_forward::desc(kind, algorithm, src_md, weights, dst, strides,
                                                                        dilation, padding, padding);
            return dnnl::convolution_forward::primitive_desc(desc, attr, engine_);
        } catch (const dnnl::error &) {
            return std::nullopt;
        }
    }

    // Weights reordered once into the primitive's layout, as any inference engine does.
    memory packed_weights(const ChainConv &conv, const memory::desc &packed_md) {
        memory user({conv.weight_dims(), f32, conv.user_weight_tag()}, engine_);
        fill_pseudo_random(user);
        memory packed(packed_md, engine_);
        dnnl::reorder(user, packed).execute(stream_, user, packed);
        return packed;
    }

    memory filled(const memory::desc &md) {
        memory m(md, engine_);
        fill_pseudo_random(m);
        return m;
    }

    int64_t batch_;
    bool winograd_;
    dnnl::engine engine_{dnnl::engine::kind::cpu, 0};
    dnnl::stream stream_{engine_};
    memory user_input_;
    std::vector<Step> steps_;
    int convs_ = 0, winograd_convs_ = 0, depthwise_post_ops_ = 0, reorders_ = 0;
};

}  // namespace

std::unique_ptr<OnednnBlockRunner> make_onednn_block_runner(const SuiteBlock &block, OnednnBlockChoices choices,
                                                            int threads) {
    omp_set_num_threads(threads);
    try {
        return std::make_unique<OnednnBlock>(block, choices);
    } catch (const dnnl::error &e) {
        throw Error("oneDNN cannot run " + block.name + ": " + e.what());
    }
}

}  // namespace convgen::bench
