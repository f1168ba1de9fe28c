#include "convgen/op_spec.h"

#include <sstream>

#include "convgen/name_table.h"

namespace convgen {
namespace {

constexpr NameTable<OpKind, 4> kOpNames{{{OpKind::Conv, "conv"},
                                         {OpKind::ConvTranspose, "conv_transpose"},
                                         {OpKind::Unfold, "unfold"},
                                         {OpKind::Fold, "fold"}}};
constexpr NameTable<PaddingMode, 4> kModeNames{{{PaddingMode::Zeros, "zeros"},
                                                {PaddingMode::Reflect, "reflect"},
                                                {PaddingMode::Replicate, "replicate"},
                                                {PaddingMode::Circular, "circular"}}};
constexpr NameTable<Activation, 3> kActivationNames{
    {{Activation::None, "none"}, {Activation::Relu, "relu"}, {Activation::Relu6, "relu6"}}};
constexpr NameTable<Layout, 2> kLayoutNames{{{Layout::NCHW, "nchw"}, {Layout::NHWC, "nhwc"}}};
constexpr NameTable<WeightLayout, 3> kWeightLayoutNames{
    {{WeightLayout::OIHW, "oihw"}, {WeightLayout::BlockedHWIO, "blocked_hwio"}, {WeightLayout::Winograd, "winograd"}}};
constexpr NameTable<PaddingProducts, 4> kPaddingProductsNames{{{PaddingProducts::Computed, "computed"},
                                                                {PaddingProducts::ComputedExactly, "computed_exactly"},
                                                                {PaddingProducts::SkippedPerRow, "skipped_per_row"},
                                                                {PaddingProducts::SkippedPerPosition, "skipped_per_position"}}};
constexpr NameTable<Algorithm, 4> kAlgorithmNames{{{Algorithm::Direct, "direct"},
                                                   {Algorithm::UnfoldMatmulFold, "unfold_matmul_fold"},
                                                   {Algorithm::Winograd, "winograd"},
                                                   {Algorithm::Auto, "auto"}}};

std::ostream &operator<<(std::ostream &os, const Extent2 &e) { return os << e.h << 'x' << e.w; }

}  // namespace

std::string_view to_string(OpKind v) { return name_of(kOpNames, v); }
std::string_view to_string(PaddingMode v) { return name_of(kModeNames, v); }
std::string_view to_string(Activation v) { return name_of(kActivationNames, v); }
std::string_view to_string(Layout v) { return name_of(kLayoutNames, v); }
std::string_view to_string(Algorithm v) { return name_of(kAlgorithmNames, v); }
std::string_view to_string(WeightLayout v) { return name_of(kWeightLayoutNames, v); }
std::string_view to_string(PaddingProducts v) { return name_of(kPaddingProductsNames, v); }

bool parse(std::string_view name, PaddingMode &out) { return value_of(kModeNames, name, out); }
bool parse(std::string_view name, Activation &out) { return value_of(kActivationNames, name, out); }
bool parse(std::string_view name, Layout &out) { return value_of(kLayoutNames, name, out); }
bool parse(std::string_view name, Algorithm &out) { return value_of(kAlgorithmNames, name, out); }

Extent2 Window::effective_kernel() const {
    return {dilation.h * (kernel.h - 1) + 1, dilation.w * (kernel.w - 1) + 1};
}

int64_t sliding_positions(int64_t size, int64_t pad_total, int64_t effective_kernel, int64_t stride) {
    const int64_t span = size + pad_total - effective_kernel;
    // Floor division: a negative span means no position fits.
    const int64_t floor_div = span >= 0 ? span / stride : -((-span + stride - 1) / stride);
    return floor_div + 1;
}

std::string OpSpec::problem_key() const {
    std::ostringstream os;
    os << to_string(op) << " n" << batch << " c" << channels << " img" << image << " oc" << out_channels
       << " out" << out << " k" << window.kernel << " s" << window.stride << " d" << window.dilation
       << " pb" << window.pad_begin << " pe" << window.pad_end << " op" << window.output_padding << " g"
       << groups << " bias" << bias << ' ' << to_string(padding_mode) << ' ' << to_string(activation)
       << ' ' << to_string(layout) << ' ' << to_string(algorithm);
    return os.str();
}

std::string OpSpec::key() const {
    std::ostringstream os;
    os << problem_key() << " w" << to_string(weight_layout);
    if (weight_layout != WeightLayout::OIHW) os << weight_block;
    if (weight_layout == WeightLayout::Winograd) os << " m" << winograd_tile;
    if (padding_products != PaddingProducts::Computed) os << " padding_products_" << to_string(padding_products);
    if (config.family != ScheduleFamily::None) os << " [" << config.text() << ']';
    return os.str();
}

void OpSpec::adopt_schedule_choices(const OpSpec &chosen) {
    weight_layout = chosen.weight_layout;
    weight_block = chosen.weight_block;
    winograd_tile = chosen.winograd_tile;
    padding_products = chosen.padding_products;
    config = chosen.config;
}

double OpSpec::flops() const {
    const double kernel_area = double(window.kernel.h) * double(window.kernel.w);
    switch (op) {
    case OpKind::Conv:
        return 2.0 * double(batch) * double(out_channels) * double(out.h) * double(out.w) *
               double(channels / groups) * kernel_area;
    case OpKind::ConvTranspose:
        return 2.0 * double(batch) * double(channels) * double(image.h) * double(image.w) *
               double(out_channels / groups) * kernel_area;
    case OpKind::Unfold:
    case OpKind::Fold:
        return 0.0;
    }
    return 0.0;
}

}  // namespace convgen
