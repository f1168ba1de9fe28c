// Which chains fuse, and the rules for a fused chain's configs.
#include <algorithm>

#include "convgen/errors.h"
#include "convgen/kernel_signature.h"
#include "schedules/chain/chain.h"
#include "schedules/hand/hand.h"

namespace convgen::schedules {
namespace {

// Parallel tasks (bands of rows of an image) per thread. One: each band recomputes the
// intermediate rows its first strip's window reaches above it (8 bands of MobileNetV2's 56-row
// blocks cost 1.29x in the expansion against 1.04x for 2), and `convgen tune --blocks` chose one
// band per thread for 11 of the 14 fused block shapes of the public suite at 2 threads (Intel
// Xeon, Sapphire Rapids class).
constexpr int kTasksPerThread = 1;
// Bands shorter than this spend too much on that halo.
constexpr int kShortestBand = 4;
// Each strip streams every layer's weights through the cache again: strips of fewer output
// positions than this spread that over too little work. Fitted on an Intel Xeon (Sapphire Rapids
// class) where one-row strips ran 1.1-1.8x slower, but there each strip also recomputed its halo
// rows (see schedule_chain.cpp). With the rows sliding, the strip size within a band mattered
// little: in `convgen tune --blocks` on the public blocks this rule's strip ran within 6% of the
// best strip of its band on 29 of 34 shapes and thread counts, 1.12x at worst (AMD EPYC, Zen 4
// class, one trial each); the band (task) size is what matters (kTasksPerThread).
constexpr int64_t kStripPositions = 196;
// Chains whose weights outgrow this run faster layer by layer: every strip streams them again.
// The tuner chose layer by layer for ResNet-50's stages 3 and 4 (4.4 and 17 MB of weights) and
// fused for every chain under 1.3 MB; MobileNetV2's last block (1.8 MB) went either way.
constexpr double kMostFusedWeightBytes = 2.0 * 1024 * 1024;
// Neighbouring bands both compute the intermediate rows the later layers' windows reach across
// their boundary. Past this share of an intermediate, layer by layer (no halo, finer tasks) runs
// faster: at 2 threads MobileNetV2's 7x7 blocks (two bands sharing 2 of 7 rows) ran fused at
// 0.76-1.0x the speed of layer by layer in three runs of 3 rounds each, its 14x14 ones (2 of 14)
// at 0.85-1.12x, its stride-2 14x14 one (1 of 14) at 1.0-1.25x (Intel Xeon, Sapphire Rapids class).
// With a layer call's own cost down to a microsecond, the 14x14 ones ran 0.96-0.97x too (AMD EPYC,
// Zen 4 class, 2 threads, 3 rounds against layer by layer): a tenth, which keeps them unfused.
constexpr double kMostHaloShare = 0.1;

// The rules' band height: one band per task, at least kShortestBand rows.
int64_t band_rows(const ChainSpec &chain, int threads) {
    const OpSpec &last = chain.last();
    const int64_t rows = last.out.h;
    const int64_t tasks = int64_t(kTasksPerThread) * std::max(threads, 1);
    const int64_t bands_wanted = std::max<int64_t>(1, (tasks + last.batch - 1) / last.batch);
    return std::min<int64_t>(rows, std::max<int64_t>(kShortestBand, (rows + bands_wanted - 1) / bands_wanted));
}

// The share of its intermediates that a band boundary makes both bands compute: a later layer's
// neighbouring output rows read (kernel - 1) x dilation + 1 - stride of the same input rows.
double halo_share(const ChainSpec &chain) {
    double share = 0;
    for (size_t i = 1; i < chain.layers.size(); ++i) {
        const OpSpec &layer = chain.layers[i];
        const Window &w = layer.window;
        const int64_t shared = (w.kernel.h - 1) * w.dilation.h + 1 - w.stride.h;
        if (shared > 0 && layer.image.h > 0) share += double(shared) / double(layer.image.h);
    }
    return share;
}

}  // namespace

std::string fusion_refusal(const ChainSpec &chain, const Halide::Target &target) {
    if (chain.layers.size() < 2) return "a chain of one layer has nothing to fuse";
    for (size_t i = 0; i < chain.layers.size(); ++i) {
        const OpSpec &layer = chain.layers[i];
        const std::string which = "layer " + std::to_string(i);
        if (!hand::is_direct_cpu_conv(layer, target)) {
            return which + " is not a direct conv on a CPU target (algorithm '" +
                   std::string(to_string(layer.algorithm)) + "')";
        }
        if (!hand::uses_channel_tiles(layer, target)) return which + " has too few output channels for a channel vector";
    }
    return {};
}

bool fusion_pays(const ChainSpec &chain, int threads) {
    const int64_t rows = chain.last().out.h;
    if (rows > 0) {
        const int64_t band = band_rows(chain, threads), bands = (rows + band - 1) / band;
        if (double(bands - 1) * halo_share(chain) > kMostHaloShare) return false;
    }
    double weight_bytes = 0;
    for (const OpSpec &layer : chain.layers) {
        double elements = 1;
        for (int64_t extent : weight_extents(layer)) elements *= double(extent);
        weight_bytes += 4.0 * elements;
    }
    return weight_bytes <= kMostFusedWeightBytes;
}

void check_chain_config(const ChainSpec &chain, const ChainConfig &config) {
    const int64_t rows = chain.last().out.h;
    if (!config.fused()) throw ValueError("chain config '" + config.text() + "' cannot be used: a fused chain needs strips");
    if (config.task_rows > rows || config.strip_rows > config.task_rows || config.task_rows % config.strip_rows != 0) {
        throw ValueError("chain config '" + config.text() + "' cannot be used: strip_rows must divide task_rows, and "
                         "task_rows be at most the " + std::to_string(rows) + " output rows");
    }
}

void configure_fused_chain(ChainSpec &chain, const Halide::Target &target, int threads, const ChainConfig *chosen) {
    const std::string why = fusion_refusal(chain, target);
    if (!why.empty()) throw ValueError("this block cannot be fused: " + why);
    const Schedule &hand = find_schedule("hand");
    for (OpSpec &layer : chain.layers) {
        // The layer's own channel-tiles config (the tuning database's where the layer was tuned),
        // else the rules'. Only its register tile, reduction unroll and group-input copy apply
        // inside a strip: the task and staging fields of a layer of its own do not.
        const ScheduleConfig own = layer.config.family == ScheduleFamily::ChannelTiles
                                       ? layer.config
                                       : hand::default_channel_tiles_config(layer, target, threads);
        ScheduleConfig tile = hand::tiled_config(ScheduleFamily::ChannelTiles,
                                                 {own.vector_width, own.vectors, own.scalars});
        tile.reduction_unroll = own.reduction_unroll;
        tile.group_input = own.group_input;
        configure(layer, hand, target, threads, &tile);
    }
    if (chosen) {
        check_chain_config(chain, *chosen);
        chain.config = *chosen;
        return;
    }
    const OpSpec &last = chain.last();
    const int64_t band = band_rows(chain, threads);
    int64_t strip = 1;
    while (strip < band && (band % strip != 0 || strip * last.out.w < kStripPositions)) ++strip;
    chain.config = {int(strip), int(band)};
}

}  // namespace convgen::schedules
