#pragma once
// What the generator hands to a schedule: the pipeline's arguments in call order, its output,
// and the named intermediate stages a schedule may address.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <Halide.h>

namespace convgen::generator {

// Stage names shared by the generator and the schedules.
namespace stage {
inline constexpr const char *kPaddedInput = "padded_input";  // input with its boundary condition
// Grouped direct convs (has_group_input): input channel `ci` of the group output channel c
// reads (x, y, ci, c, n). Inlined unless a schedule stores it: a copy of the group's input per
// output channel, which channel vectors straddling groups then load densely.
inline constexpr const char *kGroupInput = "group_input";
inline constexpr const char *kColumns = "columns";           // im2col blocks (bx, by, kj, ki, c, n)
inline constexpr const char *kAccumulator = "accumulator";   // the reduction (x, y, c, n)
inline constexpr const char *kResult = "result";             // epilogue applied (x, y, c, n)
inline constexpr const char *kFoldPhases = "fold_phases";     // col2im sums (xo, px, yo, py, c, n)
// Winograd (generator/winograd.h): points (xi, eta), tiles t = tx + tiles across * ty, in-tile
// outputs (ex, ey).
inline constexpr const char *kWinogradInputRows = "winograd_input_rows";  // B^T d (i, eta, c, t, n)
inline constexpr const char *kWinogradInput = "winograd_input";           // V (xi, eta, c, t, n)
inline constexpr const char *kWinogradProduct = "winograd_product";       // M (k, xi, eta, t, n)
inline constexpr const char *kWinogradOutputRows = "winograd_output_rows";  // M A (k, xi, ey, t, n)
inline constexpr const char *kWinogradOutput = "winograd_output";         // Y (k, ex, ey, t, n)
}  // namespace stage

// The logical dims of every image-shaped stage (the input, its padded form, the accumulator, the
// result and the output), whatever the layout puts innermost in memory: the generator defines
// those stages over them, and schedules address them as GeneratedPipeline::dims.
struct ImageDims {
    Halide::Var x{"x"}, y{"y"}, c{"c"}, n{"n"};
};

struct GeneratedPipeline {
    // Call order: input, [weight, [bias]], output.
    std::vector<Halide::Argument> arguments;
    Halide::Func output;
    std::map<std::string, Halide::Func> stages;
    ImageDims dims;
    // The pipeline's main reduction domain, if any, for schedules that reorder it: the
    // accumulator's over the window and channels (direct convs), the columns' matmul over input
    // channels (conv_transpose as matmul + fold), the Winograd product's over input channels.
    Halide::RDom reduction;
    // What an autoscheduler chose (its C++ source among it), for users to read; empty otherwise.
    std::optional<Halide::AutoSchedulerResults> autoscheduled;

    bool has_stage(const std::string &name) const { return stages.count(name) != 0; }
    Halide::Func stage(const std::string &name) const { return stages.at(name); }
};

}  // namespace convgen::generator
