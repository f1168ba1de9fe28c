// A fused chain computes each intermediate once per band, its rows sliding down the strips: the
// rows each strip needs beyond what earlier strips computed, never a strip's halo again. Counted
// by tracing the intermediate's stores in the scheduled pipeline itself, so a schedule that
// recomputes halos fails here however fast or slow it runs.
#include <map>
#include <optional>
#include <stdexcept>

#include "generator/chain.h"
#include "schedules/chain/chain.h"
#include "schedules/registry.h"
#include "test_support.h"

namespace convgen::testing {
namespace {

// Stores of the traced Func per row (dimension 1 of its (x, y, c, n) coordinates), lane by lane.
struct RowStores : Halide::JITUserContext {
    std::map<int, int64_t> per_row;
};

int count_row_stores(Halide::JITUserContext *context, const halide_trace_event_t *event) {
    if (event->event == halide_trace_store) {
        const int lanes = event->type.lanes;
        std::map<int, int64_t> &per_row = static_cast<RowStores *>(context)->per_row;
        for (int lane = 0; lane < lanes; ++lane) ++per_row[event->coordinates[lanes + lane]];
    }
    return 0;
}

// Runs the fused chain of `block`, whose output has its input's sizes, on `input` sizes (buffers
// filled with ones) with the first intermediate's stores traced.
std::map<int, int64_t> first_intermediate_row_stores(const ConvBlock &block, const Shape &input) {
    const ChainSpec chain = block.spec(input);
    EXPECT_TRUE(chain.config.fused()) << chain.config.text();
    const Halide::Target target = Halide::get_jit_target_from_environment();
    generator::GeneratedChain generated = generator::generate_chain(chain);
    schedules::schedule_chain(generated, chain, schedules::find_schedule("hand"), target);
    generated.layers.front().output.trace_stores();
    Halide::Callable callable = Halide::Pipeline(generated.output).compile_to_callable(generated.arguments, target);

    std::vector<Halide::Buffer<float>> buffers;
    for (const Halide::Argument &argument : generated.arguments) {
        // The generator states every buffer's constant extents as its estimates.
        std::vector<int> extents;
        for (const Halide::Range &range : argument.argument_estimates.buffer_estimates) {
            const std::optional<int64_t> extent = Halide::Internal::as_const_int(range.extent);
            if (!extent) throw std::logic_error(argument.name + " has no constant extent");
            extents.push_back(int(*extent));
        }
        buffers.emplace_back(extents);
        buffers.back().fill(1.0f);
    }
    // The output last: the residual block's output has its input's sizes and layout.
    buffers.emplace_back(buffers.front().copy());
    RowStores context;
    context.handlers.custom_trace = count_row_stores;
    Halide::JITUserContext *context_argument = &context;
    std::vector<const void *> argv{&context_argument};
    for (Halide::Buffer<float> &buffer : buffers) argv.push_back(buffer.raw_buffer());
    EXPECT_EQ(callable.call_argv_fast(argv.size(), argv.data()), 0);
    return context.per_row;
}

// An inverted residual block (1x1 expansion, padded 3x3 depthwise, 1x1 projection) in one band
// of 4-row strips: every row of the expansion is stored as often as every other, where a strip
// that recomputed its halo would store the rows at strip boundaries twice. (Reflect and circular
// padding read rows whose bounds Halide cannot prove to move monotonically: their strips still
// recompute halos, as the README says.)
TEST(ChainSchedule, IntermediatesSlideDownTheStripsOfABand) {
    for (const PaddingMode mode : {PaddingMode::Zeros, PaddingMode::Replicate}) {
        SCOPED_TRACE(std::string(to_string(mode)));
        std::vector<Conv2d> layers{
            Conv2d(Conv2dOptions(16, 32, 1).layout(Layout::NHWC)),
            Conv2d(Conv2dOptions(32, 32, 3).padding(1).padding_mode(mode).groups(32).layout(Layout::NHWC)),
            Conv2d(Conv2dOptions(32, 16, 1).layout(Layout::NHWC))};
        const ConvBlock block(layers, ConvBlockOptions()
                                          .fusion(BlockFusion::Fused)
                                          .residual(Residual::Input)
                                          .schedule_config("strip_rows=4 task_rows=16"));
        const std::map<int, int64_t> per_row = first_intermediate_row_stores(block, {1, 16, 16, 16});
        ASSERT_EQ(per_row.size(), 16u);
        for (const auto &[row, stores] : per_row) EXPECT_EQ(stores, per_row.begin()->second) << "row " << row;
    }
}

}  // namespace
}  // namespace convgen::testing
