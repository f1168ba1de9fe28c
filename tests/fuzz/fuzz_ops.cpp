// Random ops, options and tiny shapes through the public layer API and the JIT: every call either
// throws convgen::Error or matches reference::run within 1e-4 (NaN and infinities exactly).
// Values are drawn from small ranges that include invalid ones (zero, negative, too large), so
// validation and computation are both exercised, and repeated shapes hit the kernel cache.
#include <cmath>
#include <random>

#include <fuzzer/FuzzedDataProvider.h>

#include "convgen/convgen.h"
#include "fuzz_support.h"
#include "reference/reference.h"

namespace convgen::fuzz {
namespace {

constexpr double kTolerance = 1e-4;

enum class Op { Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d, Unfold, Fold, kCount };

class Draw {
public:
    explicit Draw(FuzzedDataProvider &data) : data_(data) {}
    int64_t in(int64_t lo, int64_t hi) { return data_.ConsumeIntegralInRange(lo, hi); }
    bool flag() { return data_.ConsumeBool(); }
    // One value, or one per spatial dim.
    std::vector<int64_t> spatial(size_t rank, int64_t lo, int64_t hi) {
        if (rank == 1 || flag()) return {in(lo, hi)};
        return {in(lo, hi), in(lo, hi)};
    }
    template <typename Enum>
    Enum choice(int count) { return Enum(in(0, count - 1)); }

private:
    FuzzedDataProvider &data_;
};

template <typename Options>
void draw_execution(Draw &draw, Options &options) {
    options.activation(draw.choice<Activation>(3))
        .layout(draw.choice<Layout>(2))
        .algorithm(draw.choice<Algorithm>(2))
        .schedule(draw.flag() ? "hand" : "naive");
}

// Non-finite results must agree exactly; finite ones within kTolerance of the output's scale.
// A mismatch prints the op and the first differing element, then aborts.
void require_matches(const OpSpec &spec, const float *actual, const std::vector<float> &expected) {
    double scale = 0;
    for (float e : expected) {
        if (std::isfinite(e)) scale = std::max(scale, std::abs(double(e)));
    }
    const double tolerance = kTolerance * std::max(scale, 1.0);
    for (size_t i = 0; i < expected.size(); ++i) {
        const float a = actual[i], e = expected[i];
        const bool same = std::isnan(e) ? std::isnan(a) : std::isinf(e) ? a == e : std::abs(double(a) - e) <= tolerance;
        if (!same) {
            std::fprintf(stderr, "%s: element %zu is %g, the reference says %g\n", spec.key().c_str(), i, a, e);
            require(false, "result differs from the reference");
        }
    }
}

// `sizes` viewed as every other element of the last dim of `wide`, which is twice as wide.
TensorView every_other(Tensor &wide, const Shape &sizes) {
    Shape strides = wide.strides();
    strides.back() = 2;
    return TensorView(wide.data(), sizes, strides);
}

// A drawn input: dense in the layer's layout (what the reference reads), and maybe the same values
// in a non-contiguous view.
struct Input {
    Tensor dense;
    std::optional<Tensor> wide;

    ConstTensorView view() { return wide ? every_other(*wide, dense.sizes()) : dense.view(); }
};

// Random values in memory order `strides`, with an occasional NaN or infinity.
Input draw_input(Draw &draw, const Shape &sizes, const Shape &strides) {
    Input input{Tensor(sizes, strides), std::nullopt};
    std::mt19937 engine(unsigned(draw.in(0, 1 << 16)));
    std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
    for (int64_t i = 0; i < input.dense.numel(); ++i) input.dense.data()[i] = uniform(engine);
    if (input.dense.numel() > 0 && draw.in(0, 3) == 0) {
        const float special[] = {NAN, INFINITY, -INFINITY};
        input.dense.data()[draw.in(0, input.dense.numel() - 1)] = special[draw.in(0, 2)];
    }
    if (draw.flag() && !sizes.empty()) {
        Shape wide_sizes = sizes;
        wide_sizes.back() *= 2;
        input.wide.emplace(wide_sizes);
        copy_elements(input.dense, every_other(*input.wide, sizes));
    }
    return input;
}

// Runs `layer` on a drawn input of `sizes` and checks it against the reference.
template <typename Layer>
void check_layer(Draw &draw, const Layer &layer, const Shape &sizes, Layout layout, size_t channel_dim,
                 const float *weight, const float *bias) {
    const OpSpec spec = layer.spec(sizes);  // throws for invalid shapes, before any data exists
    const Shape strides = layout_strides(sizes, channel_dim, layout);
    Input input = draw_input(draw, sizes, strides);
    const Tensor output = layer.forward(input.view());
    require(output.sizes() == layer.output_shape(sizes), "output shape differs from output_shape()");
    const std::vector<float> expected = reference::run(spec, input.dense.data(), weight, bias);
    require(size_t(output.numel()) == expected.size(), "output size differs from the reference");
    require_matches(spec, output.data(), expected);
}

size_t image_channel_dim(bool batched) { return batched ? 1 : 0; }

Shape draw_image(Draw &draw, bool batched, int64_t channels, size_t rank) {
    Shape sizes;
    if (batched) sizes.push_back(draw.in(0, 2));
    sizes.push_back(channels);
    for (size_t d = 0; d < rank; ++d) sizes.push_back(draw.in(0, 7));
    return sizes;
}

template <size_t D, bool Transposed>
void fuzz_conv(Draw &draw) {
    using Options = std::conditional_t<Transposed, ConvTransposeOptions<D>, ConvOptions<D>>;
    using Layer = std::conditional_t<Transposed, ConvTransposeNd<D>, ConvNd<D>>;
    const int64_t in_channels = draw.in(0, 4), out_channels = draw.in(0, 4);
    Options options(in_channels, out_channels, draw.spatial(D, 0, 4));
    options.stride(draw.spatial(D, 0, 3)).dilation(draw.spatial(D, 0, 3)).groups(draw.in(0, 3)).bias(draw.flag());
    if constexpr (Transposed) {
        options.padding(draw.spatial(D, -1, 3)).output_padding(draw.spatial(D, -1, 2));
    } else {
        const int64_t padding_kind = draw.in(0, 3);
        if (padding_kind == 0) options.padding("same");
        else if (padding_kind == 1) options.padding("valid");
        else options.padding(draw.spatial(D, -1, 3));
        options.padding_mode(draw.choice<PaddingMode>(4));
    }
    draw_execution(draw, options);
    const Layer layer(options);
    const bool batched = draw.flag();
    const Shape sizes = draw_image(draw, batched, draw.flag() ? in_channels : draw.in(0, 4), D);
    const std::optional<ConstTensorView> bias = layer.bias();
    check_layer(draw, layer, sizes, options.layout(), image_channel_dim(batched), layer.weight().data,
                bias ? bias->data : nullptr);
}

template <typename Options>
void draw_window(Draw &draw, Options &options) {
    options.dilation(draw.spatial(2, 0, 3)).padding(draw.spatial(2, -1, 3)).stride(draw.spatial(2, 0, 3));
}

void fuzz_unfold(Draw &draw) {
    UnfoldOptions options(draw.spatial(2, 0, 4));
    draw_window(draw, options);
    draw_execution(draw, options);
    const bool batched = draw.flag();
    check_layer(draw, Unfold(options), draw_image(draw, batched, draw.in(0, 3), 2), options.layout(),
                image_channel_dim(batched), nullptr, nullptr);
}

void fuzz_fold(Draw &draw) {
    const std::vector<int64_t> output_size = draw.spatial(2, 0, 7);
    FoldOptions options(output_size, draw.spatial(2, 0, 4));
    draw_window(draw, options);
    draw_execution(draw, options);
    const Fold fold(options);
    // Usually the block count that matches output_size (the one shape that runs), else a drawn one.
    const bool batched = draw.flag();
    const int64_t channels = draw.in(0, 3);
    const int64_t kernel_area = options.kernel_size()[0] * options.kernel_size()[1];
    int64_t blocks = draw.in(0, 40);
    if (draw.flag()) {
        const Shape image{1, 1, options.output_size()[0], options.output_size()[1]};
        UnfoldOptions matching(options.kernel_size());
        matching.dilation(options.dilation()).padding(options.padding()).stride(options.stride());
        blocks = Unfold(matching).output_shape(image)[2];  // throws for an invalid window
    }
    Shape sizes{channels * kernel_area, blocks};
    if (batched) sizes.insert(sizes.begin(), draw.in(0, 2));
    // Fold's input is (N, C*kH*kW, L) in every layout; only its output follows the layout.
    check_layer(draw, fold, sizes, Layout::NCHW, 0, nullptr, nullptr);
}

void fuzz_one(FuzzedDataProvider &data) {
    Draw draw(data);
    switch (draw.choice<Op>(int(Op::kCount))) {
    case Op::Conv1d: return fuzz_conv<1, false>(draw);
    case Op::Conv2d: return fuzz_conv<2, false>(draw);
    case Op::ConvTranspose1d: return fuzz_conv<1, true>(draw);
    case Op::ConvTranspose2d: return fuzz_conv<2, true>(draw);
    case Op::Unfold: return fuzz_unfold(draw);
    case Op::Fold: return fuzz_fold(draw);
    case Op::kCount: break;
    }
}

}  // namespace
}  // namespace convgen::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    FuzzedDataProvider provider(data, size);
    try {
        convgen::fuzz::fuzz_one(provider);
    } catch (const convgen::Error &) {
        // A clear, typed refusal is a correct answer for an invalid op.
    }
    return 0;
}
