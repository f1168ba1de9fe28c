// ConvBlock: validation of the chain, the plan per input shape, and forward in either mode.
#include "conv_block.h"

#include "convgen/errors.h"
#include "convgen/name_table.h"
#include "convgen/threads.h"
#include "format.h"
#include "kernel_buffer.h"
#include "kernel_cache.h"
#include "kernel_call.h"
#include "scratch_memory.h"
#include "schedules/chain/chain.h"
#include "tuned_configs.h"
#include "view_checks.h"

namespace convgen::detail {
namespace {

// The schedules whose register tiles a fused chain reuses.
bool schedule_fuses(const std::string &schedule) { return schedule == "hand" || schedule == kDefaultSchedule; }

}  // namespace

ConvBlockImpl::ConvBlockImpl(std::vector<std::shared_ptr<const ConvLayer>> layers, ConvBlockOptions options)
    : layers_(std::move(layers)), options_(std::move(options)) {
    if (layers_.empty()) throw ValueError("a ConvBlock needs at least one layer");
    if (!options_.schedule_config().empty()) pinned_ = parse_chain_config(options_.schedule_config());
    for (size_t i = 1; i < layers_.size(); ++i) {
        const ConvLayerParams &previous = layers_[i - 1]->params(), &current = layers_[i]->params();
        if (current.in_channels != previous.out_channels) {
            throw ValueError("layer " + std::to_string(i) + " of the block expects " +
                             std::to_string(current.in_channels) + " input channels, but layer " +
                             std::to_string(i - 1) + " gives " + std::to_string(previous.out_channels));
        }
        if (current.layout != previous.layout) {
            throw ValueError("layer " + std::to_string(i) + " of the block uses layout " +
                             std::string(to_string(current.layout)) + " and layer " + std::to_string(i - 1) + " " +
                             std::string(to_string(previous.layout)) + ": a block's layers share one layout");
        }
    }
}

std::string ConvBlockImpl::fusion_refusal(const ChainSpec &chain) const {
    for (size_t i = 0; i < layers_.size(); ++i) {
        const std::string &schedule = layers_[i]->params().schedule;
        if (!schedule_fuses(schedule)) {
            return "layer " + std::to_string(i) + " uses schedule '" + schedule +
                   "', and fused blocks are scheduled as the hand schedule's channel tiles";
        }
    }
    return detail::fusion_refusal(chain);
}

BlockPlan ConvBlockImpl::make_plan(const Shape &input_sizes) const {
    BlockPlan plan;
    Shape sizes = input_sizes;
    for (const auto &layer : layers_) {
        plan.calls.push_back(layer->plan(sizes));  // each layer's own checks, in order
        sizes = plan.calls.back()->output_sizes;
    }
    if (options_.residual() == Residual::Input && sizes != input_sizes) {
        throw RuntimeError("the block adds its input to its output, but the input has size " +
                           format_shape(input_sizes) + " and the output " + format_shape(sizes));
    }

    ChainSpec chain;
    for (const auto &call : plan.calls) chain.layers.push_back(call->spec);
    chain.residual = options_.residual();
    chain.activation = options_.activation();
    plan.block = chain;
    // Auto: what the tuning database measured fastest here, if anything.
    std::optional<ChainConfig> chosen = pinned_;
    if (!chosen && options_.fusion() == BlockFusion::Auto) chosen = database_chain_config(chain);
    // Auto without a measurement: the rule.
    const bool auto_unfused = options_.fusion() == BlockFusion::Auto &&
                              (chosen ? !chosen->fused() : !schedules::fusion_pays(chain, num_threads()));
    if (options_.fusion() != BlockFusion::LayerByLayer && !auto_unfused) {
        const std::string why = fusion_refusal(chain);
        if (why.empty()) {
            try {
                configure_fused_chain(chain, chosen ? &*chosen : nullptr);
            } catch (const ValueError &e) {
                if (pinned_) throw;
                report_unusable_tuned_config(chain.problem_key(), e.what());  // the rules decide
                configure_fused_chain(chain);
            }
            plan.fused = true;
            plan.block = chain;
            plan.chain = std::move(chain);
            plan.chain_schedule = "hand";
            plan.chain_kernel_key = chain_kernel_key(*plan.chain, plan.chain_schedule);
            return plan;
        }
        if (options_.fusion() == BlockFusion::Fused) throw ValueError("this block cannot be fused: " + why);
    }
    if (options_.residual() != Residual::None || options_.activation() != Activation::None) {
        ChainSpec last;
        last.layers = {plan.calls.back()->spec};
        last.residual = options_.residual() == Residual::None ? Residual::None : Residual::Given;
        last.activation = options_.activation();
        plan.chain = std::move(last);
        plan.chain_schedule = layers_.back()->params().schedule;
        plan.chain_kernel_key = chain_kernel_key(*plan.chain, plan.chain_schedule);
    }
    return plan;
}

std::shared_ptr<const BlockPlan> ConvBlockImpl::plan(const Shape &input_sizes) const {
    return plans_.get(input_sizes, [&] { return make_plan(input_sizes); });
}

void ConvBlockImpl::prepare(const Shape &input_sizes) const {
    const std::shared_ptr<const BlockPlan> p = plan(input_sizes);
    if (element_count(p->calls.back()->output_sizes) == 0) return;
    if (!p->fused) {
        for (size_t i = 0; i + (p->chain ? 1 : 0) < layers_.size(); ++i) detail::prepare(*p->calls[i]);
    }
    if (p->chain) chain_kernel_for(*p->chain, p->chain_schedule, p->chain_kernel_key);
}

void ConvBlockImpl::run_chain(const BlockPlan &p, size_t first_layer, ConstTensorView input,
                              const LoweredCall &first_call, const std::optional<ConstTensorView> &residual,
                              const LoweredCall &last_call, TensorView output) const {
    if (element_count(last_call.output_sizes) == 0) return;
    ChainSpec chain = *p.chain;
    const DenseOperand dense_input = dense_operand(input, first_call.input_strides);
    std::vector<KernelParam> buffers{{dense_input.data, first_call.input_extents}};
    std::vector<KernelParams> layer_params;  // owns any bias made for the call
    for (size_t i = 0; i < chain.layers.size(); ++i) {
        layer_params.push_back(layers_[first_layer + i]->kernel_params(chain.layers[i]));
        buffers.insert(buffers.end(), layer_params.back().params.begin(), layer_params.back().params.end());
    }
    std::optional<DenseOperand> dense_residual;
    if (residual) {
        dense_residual = dense_operand(*residual, last_call.output_strides);
        buffers.push_back({dense_residual->data, last_call.output_extents});
    }
    buffers.push_back({output.data, last_call.output_extents});
    // Non-finite weights change the layers' specs (ConvLayer::kernel_params), and so the kernel.
    const std::string key = chain == *p.chain ? p.chain_kernel_key : chain_kernel_key(chain, p.chain_schedule);
    run_kernel(*chain_kernel_for(chain, p.chain_schedule, key), buffers);
}

std::shared_ptr<const BlockPlan> ConvBlockImpl::checked_plan(ConstTensorView input,
                                                             const ConstTensorView *residual) const {
    if (options_.residual() == Residual::Given && !residual) {
        throw ValueError("this block adds a given residual (Residual::Given): pass it to forward");
    }
    if (options_.residual() != Residual::Given && residual) {
        throw ValueError("this block was built with residual '" + std::string(to_string(options_.residual())) +
                         "', so forward takes no residual tensor");
    }
    check_view_shape(input, "input");
    return plan(input.sizes);
}

void ConvBlockImpl::forward(ConstTensorView input, const ConstTensorView *residual, TensorView output) const {
    run(*checked_plan(input, residual), input, residual, output);
}

Tensor ConvBlockImpl::forward(ConstTensorView input, const ConstTensorView *residual) const {
    const std::shared_ptr<const BlockPlan> p = checked_plan(input, residual);
    Tensor output = output_for(*p->calls.back());  // the block's last kernel writes it
    run(*p, input, residual, output.view());
    return output;
}

void ConvBlockImpl::run(const BlockPlan &p, ConstTensorView input, const ConstTensorView *residual,
                        TensorView output) const {
    const LoweredCall &last = *p.calls.back();
    check_output_view(last, input, output);
    if (residual) {
        check_view_shape(*residual, "residual");
        if (residual->sizes != last.output_sizes) {
            throw RuntimeError("expected a residual of size " + format_shape(last.output_sizes) + ", but got " +
                               format_shape(residual->sizes));
        }
        check_no_overlap(*residual, output);
    }
    std::optional<ConstTensorView> given;
    if (residual) given = *residual;
    if (p.fused) return run_chain(p, 0, input, *p.calls.front(), given, last, output);

    // Intermediates live in scratch blocks: a new tensor per call, zeroed and faulted in, cost
    // MobileNetV2's 56x56 blocks more than their depthwise conv.
    ScratchBlock intermediate;
    ConstTensorView current = input;
    for (size_t i = 0; i + 1 < layers_.size(); ++i) {
        const LoweredCall &call = *p.calls[i];
        ScratchBlock next = scratch_block(sizeof(float) * size_t(element_count(call.output_sizes)));
        const TensorView produced(static_cast<float *>(next.get()), call.output_sizes, call.output_strides);
        layers_[i]->forward(current, produced);
        intermediate = std::move(next);  // the previous one is released once this is made
        current = produced;
    }
    if (!p.chain) return layers_.back()->forward(current, output);
    if (options_.residual() == Residual::Input) given = input;
    run_chain(p, layers_.size() - 1, current, last, given, last, output);
}

}  // namespace convgen::detail

namespace convgen {

namespace {

constexpr NameTable<BlockFusion, 3> kFusionNames{
    {{BlockFusion::Auto, "auto"}, {BlockFusion::Fused, "fused"}, {BlockFusion::LayerByLayer, "layers"}}};

}  // namespace

std::string_view to_string(BlockFusion fusion) { return name_of(kFusionNames, fusion); }
bool parse(std::string_view name, BlockFusion &out) { return value_of(kFusionNames, name, out); }

std::shared_ptr<const detail::ConvLayer> ConvBlock::layer_impl(const ConvLayerBase &layer) { return layer.impl_; }

ConvBlock::ConvBlock(std::vector<Conv2d> layers, ConvBlockOptions options) {
    std::vector<std::shared_ptr<const detail::ConvLayer>> impls;
    for (const Conv2d &layer : layers) impls.push_back(layer_impl(layer));
    impl_ = std::make_shared<const detail::ConvBlockImpl>(std::move(impls), std::move(options));
}

ConvBlock::ConvBlock(std::vector<Conv1d> layers, ConvBlockOptions options) {
    std::vector<std::shared_ptr<const detail::ConvLayer>> impls;
    for (const Conv1d &layer : layers) impls.push_back(layer_impl(layer));
    impl_ = std::make_shared<const detail::ConvBlockImpl>(std::move(impls), std::move(options));
}

const ConvBlockOptions &ConvBlock::options() const { return impl_->options(); }
size_t ConvBlock::size() const { return impl_->size(); }
Shape ConvBlock::output_shape(const Shape &input_sizes) const { return impl_->plan(input_sizes)->calls.back()->output_sizes; }

std::string ConvBlock::plan(const Shape &input_sizes) const {
    const std::shared_ptr<const detail::BlockPlan> p = impl_->plan(input_sizes);
    return p->fused ? "fused(" + p->chain->config.text() + ")" : "layer_by_layer";
}

ChainSpec ConvBlock::spec(const Shape &input_sizes) const { return impl_->plan(input_sizes)->block; }

void ConvBlock::prepare(const Shape &input_sizes) const { impl_->prepare(input_sizes); }

Tensor ConvBlock::forward(ConstTensorView input) const { return impl_->forward(input, nullptr); }

Tensor ConvBlock::forward(ConstTensorView input, ConstTensorView residual) const {
    return impl_->forward(input, &residual);
}

void ConvBlock::forward(ConstTensorView input, TensorView output) const { impl_->forward(input, nullptr, output); }

void ConvBlock::forward(ConstTensorView input, ConstTensorView residual, TensorView output) const {
    impl_->forward(input, &residual, output);
}

}  // namespace convgen
