#pragma once
// OpSpec: everything that changes the generated code for one operator call, already validated.
// Every op is lowered to a 2-D form (1-D ops have height 1), so conv1d and conv2d share kernels.
#include <cstdint>
#include <string>
#include <string_view>

#include "convgen/schedule_config.h"

namespace convgen {

enum class OpKind { Conv, ConvTranspose, Unfold, Fold };
enum class PaddingMode { Zeros, Reflect, Replicate, Circular };
enum class Activation { None, Relu, Relu6 };
// Memory order of the image-side tensors (conv input/output, unfold input, fold output).
enum class Layout { NCHW, NHWC };
// Direct convolution, the same result via im2col columns, a matmul and col2im, or Winograd's
// minimal filtering over output tiles (3x3 stride-1 convs only: convgen/winograd.h). Auto: the
// layer picks Direct or Winograd per call (convgen/winograd.h: kAutoLargestWinogradTile); a kernel's OpSpec
// always holds the algorithm picked.
enum class Algorithm { Direct, UnfoldMatmulFold, Winograd, Auto };
// Memory order of a conv weight as the kernel reads it. Layers keep PyTorch's order and pack
// once into the order the schedule asks for.
enum class WeightLayout {
    OIHW,  // PyTorch's (O, I/g, kH, kW)
    // (O/b, kH, kW, I/g, b) with b = OpSpec::weight_block: output channels innermost in blocks
    // of one register tile, so each tile's weights are contiguous (b = O: plain HWIO).
    BlockedHWIO,
    // Winograd: the transformed weights U = G g G^T of F(m x m, 3x3), m = OpSpec::winograd_tile,
    // row-major (eta, xi, O/b, I/g, b) with b = OpSpec::weight_block, eta and xi the transform's
    // points along height and width: per point, output channels innermost in blocks of one
    // register tile (zero-padded to whole blocks), so each tile's product streams one contiguous
    // block; b = O: one block (convgen/winograd.h).
    Winograd,
};

// Which products with the zero padding a direct conv computes. Taps that read only padding for
// every output are never computed (convgen/live_taps.h); the others read the image for some
// outputs and padding for the rest, where a product adds only a zero to a finite sum. Skipping
// those takes loops bounded per output, which only some schedules can run cheaply, so the
// schedule picks; a layer whose weights are not all finite takes ComputedExactly (PyTorch's inf * 0
// and NaN * 0 make those outputs NaN).
enum class PaddingProducts {
    Computed,            // every live tap at every output (Halide may fold w * 0 to 0)
    ComputedExactly,     // and each a true w * 0, NaN for a non-finite w
    SkippedPerRow,       // each output row reduces over the kernel rows that read the image
    SkippedPerPosition,  // and each output column over the kernel columns that do
};

std::string_view to_string(OpKind);
std::string_view to_string(PaddingMode);
std::string_view to_string(Activation);
std::string_view to_string(Layout);
std::string_view to_string(Algorithm);
std::string_view to_string(WeightLayout);
std::string_view to_string(PaddingProducts);

// Parse the lowercase names used by the CLI and suite files; false when the name is unknown.
bool parse(std::string_view name, PaddingMode &out);
bool parse(std::string_view name, Activation &out);
bool parse(std::string_view name, Layout &out);
bool parse(std::string_view name, Algorithm &out);

struct Extent2 {
    int64_t h = 1, w = 1;
    friend bool operator==(const Extent2 &, const Extent2 &) = default;
};

// The sliding-window geometry of conv, conv_transpose, unfold and fold.
struct Window {
    Extent2 kernel{1, 1};
    Extent2 stride{1, 1};
    Extent2 dilation{1, 1};
    Extent2 pad_begin{0, 0};  // top, left
    Extent2 pad_end{0, 0};    // bottom, right ('same' may make them differ)
    Extent2 output_padding{0, 0};  // conv_transpose only

    // dilation*(k-1)+1 per dim.
    Extent2 effective_kernel() const;
    // Whether any padding is applied along height, width, or either.
    bool pads_height() const { return pad_begin.h > 0 || pad_end.h > 0; }
    bool pads_width() const { return pad_begin.w > 0 || pad_end.w > 0; }
    bool pads() const { return pads_height() || pads_width(); }
    friend bool operator==(const Window &, const Window &) = default;
};

// Number of window positions along one dim: floor((size + pads - k_eff)/stride) + 1.
int64_t sliding_positions(int64_t size, int64_t pad_total, int64_t effective_kernel, int64_t stride);

struct OpSpec {
    OpKind op = OpKind::Conv;
    int64_t batch = 1;
    // The image: conv/conv_transpose/unfold input, fold output; always (batch, channels, h, w).
    int64_t channels = 1;
    Extent2 image{1, 1};
    // conv/conv_transpose: output channels and spatial size.
    // unfold/fold: channels*kH*kW and the grid of sliding blocks (nH, nW).
    int64_t out_channels = 1;
    Extent2 out{1, 1};
    Window window;
    int64_t groups = 1;
    bool bias = false;
    PaddingMode padding_mode = PaddingMode::Zeros;
    Activation activation = Activation::None;
    Layout layout = Layout::NCHW;
    Algorithm algorithm = Algorithm::Direct;
    WeightLayout weight_layout = WeightLayout::OIHW;  // conv only
    int64_t weight_block = 0;  // BlockedHWIO, Winograd: output channels per block
    int64_t winograd_tile = 0;  // Winograd: the output tile m of F(m x m, 3x3), as the schedule chose
    PaddingProducts padding_products = PaddingProducts::Computed;  // direct conv under zero padding
    // The schedule's decisions (schedules/: the rules, or the tuning database's best); with the
    // weight layout and the padding products, the only fields the schedule chooses rather than
    // the call.
    ScheduleConfig config;

    // Takes the fields the schedule chooses from `chosen`, a spec of the same call.
    void adopt_schedule_choices(const OpSpec &chosen);

    // Canonical text of every field: with the target and schedule, the kernel cache key.
    std::string key() const;
    // The key of the call alone, without the fields the schedule chooses: what a tuning record
    // is measured for.
    std::string problem_key() const;
    // Multiply-adds of one call, for GFLOP/s reporting (0 for the data-movement ops).
    double flops() const;

    friend bool operator==(const OpSpec &, const OpSpec &) = default;
};

}  // namespace convgen
