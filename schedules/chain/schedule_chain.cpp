// A fused chain, per strip of output rows: each parallel task owns a band of rows of one image;
// for each strip of the band, every intermediate computes the rows the next layer's window needs
// beyond what earlier strips computed (Halide's sliding window over storage kept for the task),
// so an intermediate is computed once per band, halo aside, and stays in cache between layers.
// Every layer is tiled as the hand schedule's channel tiles: register tiles of output-channel
// vectors x columns, the accumulators in registers over the whole reduction.
#include "convgen/live_taps.h"
#include "schedules/chain/chain.h"
#include "schedules/hand/hand.h"

namespace convgen::schedules {
namespace {

namespace stage = generator::stage;
using generator::GeneratedPipeline;

// `f` (x, y, c, n) in channel tiles x column tiles, vectorised over channels, with the layer's
// accumulator computed per tile in registers; `outer` are f's other loops, innermost first.
void tile_channels(Halide::Func f, const GeneratedPipeline &layer, const OpSpec &spec,
                   const std::vector<Halide::VarOrRVar> &outer) {
    const ScheduleConfig &config = spec.config;
    const int vw = config.vector_width, channel_tile = vw * config.vectors;
    const Halide::Var &x = layer.dims.x, &c = layer.dims.c;
    Halide::Var xo("xo"), xi("xi"), co("co"), ci("ci");
    std::vector<Halide::VarOrRVar> order{ci, xi, xo};
    const std::vector<Halide::VarOrRVar> tiles = hand::split_channel_tiles(f, spec, channel_tile, c, co, ci);
    order.insert(order.end(), tiles.begin(), tiles.end());
    order.insert(order.end(), outer.begin(), outer.end());
    f.split(x, xo, xi, config.scalars, Halide::TailStrategy::ShiftInwards)
        .reorder(order)
        .vectorize(ci, vw)
        .unroll(ci)
        .unroll(xi);

    Halide::Func accumulator = layer.stage(stage::kAccumulator);
    const Halide::RDom &r = layer.reduction;  // (kx, ky, ci)
    hand::accumulate_tile_in_registers(accumulator, Halide::LoopLevel(f, xo), r, config);
    // Depthwise layers reduce over the taps alone: unrolled, neighbouring columns share loads.
    if (hand::unrolls_depthwise_taps(spec)) accumulator.update().unroll(r.x).unroll(r.y);
}

void schedule_fused(generator::GeneratedChain &generated, const ChainSpec &chain) {
    const generator::ImageDims &dims = generated.layers.back().dims;
    const Halide::Var &x = dims.x, &y = dims.y, &c = dims.c, &n = dims.n;
    Halide::Var band("band"), rows("rows"), strip("strip"), row("row"), task("task");
    Halide::Func output = generated.output;
    // Where bands do not divide the image, the last stops at its end (a guard, not a shifted band:
    // two tasks never write the same row). Where they do, no guard: its clamp in the rows each strip
    // needs kept Halide from proving that an intermediate read through a padded window moves
    // monotonically along the strips, so the intermediate before such a layer was not slid but
    // recomputed with its halo for every strip (1.5x the expansion's work in 4-row strips of a
    // 3x3 layer). Strips divide bands (check_chain_config).
    const bool bands_divide = chain.last().out.h % chain.config.task_rows == 0;
    output.split(y, band, rows, chain.config.task_rows,
                 bands_divide ? Halide::TailStrategy::RoundUp : Halide::TailStrategy::GuardWithIf)
        .split(rows, strip, row, chain.config.strip_rows, Halide::TailStrategy::RoundUp);
    tile_channels(output, generated.layers.back(), chain.last(), {row, strip, band, n});
    output.fuse(band, n, task).parallel(task);

    for (size_t i = 0; i + 1 < chain.layers.size(); ++i) {
        Halide::Func intermediate = generated.layers[i].output;
        intermediate.store_at(output, task).compute_at(output, strip).reorder_storage(c, x, y, n);
        tile_channels(intermediate, generated.layers[i], chain.layers[i], {y, n});
    }
    // Group-input copies, like the intermediates, per strip over storage kept for the task.
    for (size_t i = 0; i < chain.layers.size(); ++i) {
        const ScheduleConfig &config = chain.layers[i].config;
        if (config.group_input) {
            hand::copy_group_input(generated.layers[i], config, Halide::LoopLevel(output, task),
                                   Halide::LoopLevel(output, strip));
        }
    }
}

}  // namespace

void schedule_chain(generator::GeneratedChain &generated, const ChainSpec &chain, const Schedule &layer_schedule,
                    const Halide::Target &target) {
    if (chain.config.fused()) return schedule_fused(generated, chain);
    if (chain.layers.size() != 1) throw std::logic_error("an unfused chain must have one layer");
    GeneratedPipeline single = generated.layers.front();
    single.output = generated.output;
    single.arguments = generated.arguments;
    layer_schedule.apply(single, chain.first(), target);
}

}  // namespace convgen::schedules
