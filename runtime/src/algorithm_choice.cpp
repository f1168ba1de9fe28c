#include "algorithm_choice.h"

#include "convgen/errors.h"
#include "convgen/winograd.h"
#include "tuned_configs.h"

namespace convgen::detail {
namespace {

// Without measurements: Winograd F(4x4) on 3x3 kernels (1x3 ones were not measured) where its
// product is a real matmul and the map holds several tiles each way. Measured side by side
// (`convgen bench --schedules hand_nhwc,winograd_nhwc`, Intel Xeon, Sapphire Rapids class, 1 and
// 2 threads), it was 1.1-3.8x the direct conv on every ungrouped 3x3 layer of 64-512 channels on
// maps of 14x14 and more (VGG-16, ResNet-50, the padding-mode layers), and 1.2-2.2x on
// SqueezeNet's 16-64-channel ones on 13x13-55x55 maps and DenseNet-121's 128 -> 32 (held out);
// but 0.5-0.9x on ResNet-50's 7x7 maps, 0.5x on VGG-16's 3-channel first layer, and 0.3-0.8x on
// grouped convs of 4-32 channels per group.
constexpr int64_t kLeastWinogradInputChannels = 16;
constexpr int64_t kLeastWinogradOutputChannels = 32;
constexpr int64_t kLeastWinogradOutputSize = 13;

bool winograd_by_rule(const OpSpec &spec) {
    return spec.window.kernel == Extent2{3, 3} && spec.groups == 1 && spec.channels >= kLeastWinogradInputChannels &&
           spec.out_channels >= kLeastWinogradOutputChannels && spec.out.h >= kLeastWinogradOutputSize &&
           spec.out.w >= kLeastWinogradOutputSize;
}

OpSpec with_algorithm(OpSpec spec, Algorithm algorithm) {
    spec.algorithm = algorithm;
    return spec;
}

}  // namespace

AlgorithmChoice choose_algorithm(const OpSpec &spec, const schedules::Schedule &schedule, const Halide::Target &target,
                                 const ScheduleConfig *pinned) {
    const OpSpec direct = with_algorithm(spec, Algorithm::Direct), winograd = with_algorithm(spec, Algorithm::Winograd);
    if (pinned) {
        if (pinned->family != ScheduleFamily::Winograd) return {Algorithm::Direct, std::nullopt};
        if (pinned->winograd_tile > kAutoLargestWinogradTile) {
            throw ValueError("algorithm 'auto' computes with Winograd tiles of at most " +
                             std::to_string(kAutoLargestWinogradTile) + " (relative error within " +
                             std::to_string(winograd_error_bound(kAutoLargestWinogradTile)) + "), got tile=" +
                             std::to_string(pinned->winograd_tile) + ": name algorithm 'winograd' for larger tiles");
        }
        return {Algorithm::Winograd, std::nullopt};
    }
    // Winograd where it applies and the hand schedule (whose CPU configs the tuner measures) runs.
    if (!winograd_refusal(winograd).empty() || !schedule.default_config || target.has_gpu_feature()) {
        return {Algorithm::Direct, std::nullopt};
    }
    if (schedule.uses_tuning_database) {
        const std::optional<double> direct_ms = tuned_milliseconds(direct, target);
        const std::optional<double> winograd_ms = tuned_milliseconds(winograd, target);
        if (direct_ms && winograd_ms) {
            if (*direct_ms <= *winograd_ms) return {Algorithm::Direct, std::nullopt};
            std::optional<ScheduleConfig> tuned = tuned_config(winograd, target);
            if (tuned && tuned->winograd_tile > kAutoLargestWinogradTile) {
                tuned->winograd_tile = kAutoLargestWinogradTile;
                return {Algorithm::Winograd, tuned};
            }
            return {Algorithm::Winograd, std::nullopt};
        }
    }
    return {winograd_by_rule(spec) ? Algorithm::Winograd : Algorithm::Direct, std::nullopt};
}

}  // namespace convgen::detail
