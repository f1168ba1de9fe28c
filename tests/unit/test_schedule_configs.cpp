// Schedule configs change how a conv runs, never what it computes: random configs of every
// family the tuner can propose match the reference; configs a schedule cannot honour are refused
// by name; the canonical text round-trips and is part of the kernel key.
#include <random>

#include "convgen/errors.h"
#include "convgen/kernel_signature.h"
#include "convgen/threads.h"
#include "expect_error.h"
#include "schedules/hand/hand.h"
#include "schedules/registry.h"
#include "test_support.h"
#include "tuning/space.h"

namespace convgen::testing {
namespace {

struct ConfigCase {
    const char *name;
    Conv2dOptions options;
    Shape input;
};

std::vector<ConfigCase> config_cases() {
    return {
        {"dense3x3_nchw", Conv2dOptions(24, 48, 3).padding(1), {1, 24, 11, 13}},
        {"dense3x3_nhwc_stride2", Conv2dOptions(32, 32, 3).padding(1).stride(2).layout(Layout::NHWC), {2, 32, 12, 10}},
        {"pointwise_ragged", Conv2dOptions(40, 36, 1), {1, 40, 7, 9}},
        {"grouped_reflect", Conv2dOptions(32, 64, 3).groups(4).padding(1).padding_mode(PaddingMode::Reflect),
         {1, 32, 9, 9}},
        {"depthwise_nchw", Conv2dOptions(32, 32, 3).groups(32).padding(1), {1, 32, 10, 19}},
        {"depthwise_nhwc", Conv2dOptions(32, 32, 5).groups(32).padding(2).layout(Layout::NHWC), {1, 32, 8, 8}},
        {"few_inputs_planar", Conv2dOptions(3, 16, 3).padding(1).activation(Activation::Relu), {1, 3, 16, 32}},
        {"narrow_groups_planar", Conv2dOptions(32, 32, 3).groups(4).padding(1), {1, 32, 6, 35}},
        {"narrow_groups_nhwc", Conv2dOptions(32, 64, 3).groups(16).padding(1).stride(2).layout(Layout::NHWC),
         {2, 32, 9, 11}},
        {"groups_wider_than_tiles", Conv2dOptions(40, 80, 3).groups(2).padding(1).layout(Layout::NHWC), {1, 40, 6, 17}},
        // Every tap reads padding for some outputs: skipped per output position.
        {"atrous_nhwc", Conv2dOptions(32, 32, 3).padding(6).dilation(6).layout(Layout::NHWC), {1, 32, 9, 11}},
        {"winograd_nhwc", Conv2dOptions(16, 32, 3).padding(1).algorithm(Algorithm::Winograd).layout(Layout::NHWC),
         {1, 16, 11, 9}},
        {"winograd_channel_blocks", Conv2dOptions(24, 64, 3).padding(1).algorithm(Algorithm::Winograd), {2, 24, 10, 13}},
    };
}

TEST(ScheduleConfigs, RandomConfigsOfEveryFamilyMatchTheReference) {
    const Halide::Target target = Halide::get_jit_target_from_environment();
    std::set<ScheduleFamily> families_seen;
    for (const ConfigCase &c : config_cases()) {
        SCOPED_TRACE(c.name);
        const Conv2dOptions options = Conv2dOptions(c.options).schedule("hand");
        const OpSpec spec = Conv2d(options).spec(c.input);
        const tuning::ScheduleSpace space(spec, schedules::find_schedule("hand"), target, num_threads());
        ASSERT_FALSE(space.empty());
        std::mt19937_64 rng(7);
        std::vector<ScheduleConfig> configs{space.start()};
        for (int attempt = 0; attempt < 400 && configs.size() < 6; ++attempt) {
            const ScheduleConfig config = space.mutate(configs.back(), 1 + attempt % 4, rng);
            if (space.accepts(config) && std::find(configs.begin(), configs.end(), config) == configs.end()) {
                configs.push_back(config);
            }
        }
        ASSERT_GE(configs.size(), 4u) << "the space offered too few configs";
        const Tensor input = random_tensor(c.input, 3, layout_strides(c.input, 1, options.layout()));
        for (const ScheduleConfig &config : configs) {
            SCOPED_TRACE(config.text());
            families_seen.insert(config.family);
            Conv2d conv(Conv2dOptions(options).schedule_config(config.text()));
            EXPECT_EQ(conv.spec(c.input).config, config);
            expect_matches_reference(conv, input);
        }
    }
    EXPECT_TRUE(families_seen.count(ScheduleFamily::ChannelTiles));
    EXPECT_TRUE(families_seen.count(ScheduleFamily::Planar));
    EXPECT_TRUE(families_seen.count(ScheduleFamily::PlanarDepthwise));
    EXPECT_TRUE(families_seen.count(ScheduleFamily::Winograd));
}

// An ungrouped conv whose output channels end in a part tile: its weights are packed in aligned
// blocks zero-padded past the last channel, every tile reads one block, and only real channels
// are stored, under every loop order, layout and epilogue.
TEST(ScheduleConfigs, PartChannelTilesReadZeroPaddedBlocks) {
    const Shape input{2, 24, 9, 11};
    for (const Layout layout : {Layout::NCHW, Layout::NHWC}) {
        for (const std::string order : {"channel_major=0 tiles_per_task=0", "channel_major=0 tiles_per_task=1",
                                        "channel_major=0 tiles_per_task=0 tile_order=1",
                                        "channel_major=0 tiles_per_task=1 rows_per_task=3 tile_order=2",
                                        "channel_major=1 tiles_per_task=1",
                                        "channel_major=1 tiles_per_task=1 stage_per_task=1",
                                        "channel_major=1 tiles_per_task=1 row_blocks=2",
                                        "channel_major=1 tiles_per_task=2 stage_per_task=1 row_blocks=3",
                                        "channel_major=0 tiles_per_task=1 rows_per_task=3 stage_per_task=1"}) {
            const std::string config = "channel_tiles vw=8 vectors=4 scalars=5 input_block=0 unroll=4 " + order +
                                       " stage=1 restride=0";
            SCOPED_TRACE(config + (layout == Layout::NHWC ? " nhwc" : " nchw"));
            Conv2d conv(Conv2dOptions(24, 40, 3).padding(1).bias(true).activation(Activation::Relu).layout(layout)
                            .schedule("hand").schedule_config(config));
            const OpSpec spec = conv.spec(input);
            EXPECT_EQ(spec.weight_block, 32);
            EXPECT_EQ(packed_out_channels(spec), 64);
            EXPECT_EQ(weight_extents(spec).back(), 2);
            expect_matches_reference(conv, random_tensor(input, 5, layout_strides(input, 1, layout)));
        }
    }
    // Depthwise tiles may span channels (one per group); the last is shifted back, so its padding
    // channels never read input channels past the end.
    for (const Layout layout : {Layout::NCHW, Layout::NHWC}) {
        for (const std::string order : {"tile_order=0", "tile_order=1", "rows_per_task=4 tile_order=2",
                                        "vectors=1 channel_major=1 tiles_per_task=1 stage=1 stage_per_task=1"}) {
            SCOPED_TRACE(order + (layout == Layout::NHWC ? " depthwise nhwc" : " depthwise nchw"));
            Conv2d conv(Conv2dOptions(24, 24, 3).groups(24).padding(1).bias(true).layout(layout).schedule("hand")
                            .schedule_config("channel_tiles vw=8 vectors=2 scalars=3 input_block=0 unroll=1 "
                                             "channel_major=0 tiles_per_task=0 stage=0 restride=0 " + order));
            EXPECT_EQ(packed_out_channels(conv.spec(input)), 24);
            expect_matches_reference(conv, random_tensor(input, 6, layout_strides(input, 1, layout)));
        }
    }
    // Grouped convs keep tiles within a group: one that does not divide it shifts inwards there,
    // over weights packed a group to a block (no padding).
    const Conv2d grouped_conv(Conv2dOptions(24, 40, 1).groups(2).schedule("hand").schedule_config(
        "channel_tiles vw=8 vectors=2 scalars=5 input_block=0 unroll=4 channel_major=0 tiles_per_task=0 stage=0 "
        "restride=0"));
    const OpSpec grouped = grouped_conv.spec(input);
    EXPECT_EQ(grouped.weight_block, 20);
    EXPECT_EQ(packed_out_channels(grouped), 40);
    expect_matches_reference(grouped_conv, random_tensor(input, 7));
    const Conv2d grouped_column_tiles_outer(Conv2dOptions(24, 40, 1).groups(2).schedule("hand").schedule_config(
        "channel_tiles vw=8 vectors=2 scalars=5 input_block=0 unroll=4 channel_major=0 tiles_per_task=0 stage=0 "
        "restride=0 tile_order=1"));
    expect_matches_reference(grouped_column_tiles_outer, random_tensor(input, 7));
}

// The rules keep whole vectors busy on grouped and depthwise convs (what they choose, not how
// fast it runs: timings live in the benchmarks).
TEST(ScheduleConfigs, RulesKeepWholeVectorsOnGroupsAndDepthwise) {
    const int widest = Halide::get_jit_target_from_environment().natural_vector_size<float>();
    // NCHW groups narrower than a vector (half of one on any target): planar tiles, one group per tile.
    const int64_t narrow_channels = 32 * (widest / 2);
    const OpSpec narrow = Conv2d(Conv2dOptions(narrow_channels, narrow_channels, 3).groups(32).padding(1).stride(2)
                                     .schedule("hand")).spec({1, narrow_channels, 56, 56});
    EXPECT_EQ(narrow.config.family, ScheduleFamily::Planar);
    EXPECT_EQ(narrow.config.scalars, widest / 2);
    EXPECT_EQ(narrow.config.vector_width, widest);
    // Groups of exactly one vector: full-width channel tiles, not two half-width vectors.
    const OpSpec one_vector = Conv2d(Conv2dOptions(2 * widest, 2 * widest, 3).groups(2).padding(1)
                                         .layout(Layout::NHWC).schedule("hand")).spec({1, 2 * widest, 14, 14});
    EXPECT_EQ(one_vector.config.family, ScheduleFamily::ChannelTiles);
    EXPECT_EQ(one_vector.config.vector_width, widest);
    EXPECT_EQ(one_vector.config.vectors, 1);
    // Groups of 2.5 vectors: no tile straddles two groups; one that does not divide a group shifts
    // within it, the weights packed a group to a block, a task per group.
    const int64_t wide_group = 2 * widest + widest / 2;
    const auto wide_options = Conv2dOptions(4 * wide_group, 4 * wide_group, 3).groups(4).padding(1)
                                  .layout(Layout::NHWC).schedule("hand");
    const Shape wide_input{1, 4 * wide_group, 14, 14};
    const OpSpec wide = Conv2d(wide_options).spec(wide_input);
    ASSERT_EQ(wide.config.family, ScheduleFamily::ChannelTiles);
    const int64_t wide_tile = int64_t(wide.config.vector_width) * wide.config.vectors;
    EXPECT_LE(wide_tile, wide_group);
    if (wide_group % wide_tile != 0) {
        EXPECT_EQ(wide.weight_block, wide_group);
        EXPECT_EQ(wide.config.tiles_per_task, 0);
    }
    const std::string shifting = "channel_tiles vw=" + std::to_string(widest) +
                                 " vectors=2 scalars=7 input_block=0 unroll=1 "
                                 "channel_major=0 tiles_per_task=0 rows_per_task=2 stage=1 restride=0";
    EXPECT_EQ(Conv2d(Conv2dOptions(wide_options).schedule_config(shifting)).spec(wide_input).weight_block, wide_group);
    expect_error<ValueError>([&] {
        std::string per_tile = shifting;
        per_tile.replace(per_tile.find("tiles_per_task=0"), 16, "tiles_per_task=1");
        Conv2d(Conv2dOptions(wide_options).schedule_config(per_tile)).spec(wide_input);
    }, "take a group per task");
    // Three output channels: planar tiles on NCHW, one padded 4-lane channel vector on NHWC.
    const OpSpec rgb_nchw = Conv2d(Conv2dOptions(64, 3, 3).padding(1).schedule("hand")).spec({1, 64, 56, 56});
    EXPECT_EQ(rgb_nchw.config.family, ScheduleFamily::Planar);
    const OpSpec rgb_nhwc = Conv2d(Conv2dOptions(64, 3, 3).padding(1).layout(Layout::NHWC).schedule("hand"))
                                .spec({1, 64, 56, 56});
    EXPECT_EQ(rgb_nhwc.config.family, ScheduleFamily::ChannelTiles);
    EXPECT_EQ(rgb_nhwc.config.vector_width, 4);
    EXPECT_EQ(rgb_nhwc.weight_block, 4);
    // One output row (conv1d) on NCHW: every channel block's task sweeps the whole input, staged.
    EXPECT_TRUE(Conv1d(Conv1dOptions(64, 64, 3).stride(2).schedule("hand")).spec({1, 64, 301}).config.stage_input);
    // Depthwise: one vector by a few columns that divide the row.
    const OpSpec depthwise = Conv2d(Conv2dOptions(192, 192, 3).groups(192).padding(1).layout(Layout::NHWC)
                                        .schedule("hand")).spec({1, 192, 28, 28});
    EXPECT_EQ(depthwise.config.vectors, 1);
    EXPECT_LE(depthwise.config.scalars, 8);
    EXPECT_EQ(28 % depthwise.config.scalars, 0);
    // A 5x5 filter's rows of 7 are one tile of 7 where a column fits the registers at all (AVX-512).
    const OpSpec short_rows = Conv2d(Conv2dOptions(960, 960, 5).groups(960).padding(2).layout(Layout::NHWC)
                                         .schedule("hand")).spec({1, 960, 7, 7});
    if (widest == 16) {
        EXPECT_EQ(short_rows.config.scalars, 7);
    }
    expect_error<ValueError>([&] {
        Conv2d(Conv2dOptions(narrow_channels, narrow_channels, 3).groups(32).padding(1).schedule("hand").schedule_config(
                   "planar vw=" + std::to_string(widest) + " vectors=1 scalars=1 stage=1"))
            .spec({1, narrow_channels, 28, 28});
    }, "scalars must be the " + std::to_string(widest / 2) + " output channels per group");
}

// Copies of each output channel's group input (group_input=1): vectors straddling 4- and 2-channel
// groups, and 8-lane vectors holding one 8-channel group, under every row-major loop order, task
// heights that end in a part task, strides, dilation, the padding modes, both layouts and a batch.
TEST(ScheduleConfigs, GroupInputCopiesMatchTheReference) {
    struct Case {
        Conv2dOptions options;
        Shape input;
    };
    const std::vector<Case> cases{
        {Conv2dOptions(32, 64, 3).groups(16).padding(1).bias(true).activation(Activation::Relu6), {2, 32, 9, 11}},
        {Conv2dOptions(16, 32, 3).groups(8).padding(2).dilation(2).stride(2).padding_mode(PaddingMode::Reflect),
         {1, 16, 12, 13}},
        {Conv2dOptions(24, 32, 3).groups(4).padding(1).padding_mode(PaddingMode::Circular), {1, 24, 7, 10}},
        {Conv2dOptions(16, 32, {1, 3}).groups(4).padding({0, 1}).padding_mode(PaddingMode::Replicate), {1, 16, 5, 9}},
    };
    for (const Case &c : cases) {
        for (const Layout layout : {Layout::NCHW, Layout::NHWC}) {
            for (const std::string order : {"rows_per_task=1 tile_order=0", "rows_per_task=2 tile_order=1",
                                            "rows_per_task=3 tile_order=2", "rows_per_task=4 tile_order=0"}) {
                const Conv2dOptions options = Conv2dOptions(c.options).layout(layout).schedule("hand");
                const int64_t in_per_group = c.input[1] / options.groups();
                const std::string config = "channel_tiles vw=8 vectors=2 scalars=3 input_block=0 unroll=" +
                                           std::to_string(in_per_group) + " channel_major=0 tiles_per_task=1 " +
                                           order + " stage=0 restride=0 group_input=1";
                SCOPED_TRACE(config + (layout == Layout::NHWC ? " nhwc" : " nchw"));
                Conv2d conv(Conv2dOptions(options).schedule_config(config));
                ASSERT_TRUE(conv.spec(c.input).config.group_input);
                expect_matches_reference(conv, random_tensor(c.input, 9, layout_strides(c.input, 1, layout)));
            }
        }
    }
    // Only grouped convs with several input channels per group read a group input, and the copy
    // replaces the staged input and channel-major tasks.
    const std::string copying = "channel_tiles vw=8 vectors=1 scalars=4 input_block=0 unroll=1 channel_major=0 "
                                "tiles_per_task=1 rows_per_task=1 tile_order=0 stage=0 restride=0 group_input=1";
    expect_error<ValueError>([&] {
        Conv2d(Conv2dOptions(16, 16, 3).groups(16).schedule("hand").schedule_config(copying)).spec({1, 16, 8, 8});
    }, "several input channels per group");
    expect_error<ValueError>([&] {
        std::string staged = copying;
        staged.replace(staged.find("stage=0"), 7, "stage=1");
        Conv2d(Conv2dOptions(16, 16, 3).groups(4).schedule("hand").schedule_config(staged)).spec({1, 16, 8, 8});
    }, "group_input copies its rows per row-major task");
}

// ResNeXt's 4-channel groups straddle every full vector: the rules copy the group input and take a
// depthwise conv's tile, one vector by a few columns, unstaged, in tasks of many rows. Groups a
// vector holds whole (ungrouped, depthwise, one group per vector) keep reading the input itself.
TEST(ScheduleConfigs, RulesCopyTheGroupInputWhereVectorsStraddleGroups) {
    const int widest = Halide::get_jit_target_from_environment().natural_vector_size<float>();
    const auto rules = [](int64_t channels, int64_t groups, int64_t size) {
        return Conv2d(Conv2dOptions(channels, channels, 3).groups(groups).padding(1).layout(Layout::NHWC)
                          .schedule("hand")).spec({1, channels, size, size}).config;
    };
    const ScheduleConfig resnext = rules(128, 32, 56);
    ASSERT_EQ(resnext.family, ScheduleFamily::ChannelTiles);
    EXPECT_TRUE(resnext.group_input);
    EXPECT_EQ(resnext.vector_width, widest);
    EXPECT_EQ(resnext.vectors, 1);
    EXPECT_LE(resnext.scalars, 8);
    EXPECT_FALSE(resnext.stage_input);
    EXPECT_FALSE(resnext.channel_major);
    // Tasks tall enough that the rows copied for the window's reach past them stay a small share.
    EXPECT_GE(resnext.rows_per_task, 8);
    EXPECT_FALSE(rules(128, 1, 28).group_input);
    EXPECT_FALSE(rules(128, 128, 28).group_input);
    EXPECT_FALSE(rules(int64_t(widest) * 8, 8, 14).group_input);
}

TEST(ScheduleConfigs, RulesSizeDepthwiseTasksByTheirTime) {
    // A depthwise conv of 2 MFLOP (MobileNetV2's 576 channels at 14x14) runs long enough to share
    // between threads: several tasks, where a dense conv's FLOPs would make it one.
    const OpSpec depthwise = Conv2d(Conv2dOptions(576, 576, 3).groups(576).padding(1).layout(Layout::NHWC)
                                        .schedule("hand")).spec({1, 576, 14, 14});
    ASSERT_EQ(depthwise.config.family, ScheduleFamily::ChannelTiles);
    const int64_t channel_tile = int64_t(depthwise.config.vector_width) * depthwise.config.vectors;
    const int64_t blocks = 576 / channel_tile / (depthwise.config.tiles_per_task ? depthwise.config.tiles_per_task
                                                                                 : 576 / channel_tile);
    const int64_t row_tasks = (14 + depthwise.config.rows_per_task - 1) / depthwise.config.rows_per_task;
    EXPECT_GE(blocks * row_tasks, 2);
}

TEST(ScheduleConfigs, RulesCopyRowTasksInputPerTaskOnSeveralThreads) {
    // DenseNet-121's 3x3 conv on 14x14 maps: row-major tasks, 9% of the reads on padding. One
    // thread stages the padded input once; on several, each task copies its own rows, at any
    // channel count (a 3-channel input, ResNeXt-50's 8-channel groups). On 7x7 maps (18% on
    // padding) the copy is made once before the tasks. One thread copies per task too where the
    // image is larger than L2 (VGG-16's 224x224 64-channel one).
    const Halide::Target target = Halide::get_jit_target_from_environment();
    const auto staging = [&](int64_t channels, int64_t groups, int64_t size, int threads) {
        const OpSpec spec = Conv2d(Conv2dOptions(channels, groups > 1 ? channels : 32, 3).groups(groups).padding(1)
                                       .layout(Layout::NHWC).schedule("hand")).spec({1, channels, size, size});
        const ScheduleConfig config = schedules::hand_default_config(spec, target, threads);
        EXPECT_EQ(config.family, ScheduleFamily::ChannelTiles);
        EXPECT_FALSE(config.channel_major);
        EXPECT_TRUE(config.stage_input);
        return config.stage_per_task;
    };
    EXPECT_FALSE(staging(128, 1, 14, 1));
    EXPECT_TRUE(staging(64, 1, 224, 1));
    EXPECT_TRUE(staging(128, 1, 14, 2));
    EXPECT_FALSE(staging(128, 1, 7, 2));
    EXPECT_TRUE(staging(3, 1, 14, 2));
    EXPECT_FALSE(staging(256, 32, 28, 1));
    EXPECT_TRUE(staging(256, 32, 28, 2));
}

TEST(ScheduleConfigs, RulesLetGroupedChannelMajorTasksCopyTheirOwnChannels) {
    // ResNeXt-50's last grouped 3x3: channel-major tasks of whole 32-channel groups, each reading
    // its own input channels. On several threads each copies them; one thread copies once.
    const Halide::Target target = Halide::get_jit_target_from_environment();
    const auto config = [&](int64_t groups, int threads) {
        const OpSpec spec = Conv2d(Conv2dOptions(1024, 1024, 3).groups(groups).padding(1).layout(Layout::NHWC)
                                       .schedule("hand")).spec({1, 1024, 7, 7});
        return schedules::hand_default_config(spec, target, threads);
    };
    const ScheduleConfig two = config(32, 2);
    ASSERT_TRUE(two.channel_major);
    ASSERT_TRUE(two.stage_input);
    EXPECT_TRUE(two.stage_per_task);
    EXPECT_FALSE(config(32, 1).stage_per_task);
    // Ungrouped, every task reads every input channel: one copy before the tasks.
    const ScheduleConfig dense = config(1, 2);
    ASSERT_TRUE(dense.channel_major);
    EXPECT_FALSE(dense.stage_per_task);
}

TEST(ScheduleConfigs, RulesKeepChannelMajorTasksOnSeveralThreadsToImagesThatStayInL2) {
    // VGG-16's 112x112 128 -> 128 conv: 590 KB of weights, past L2's share, and a 6.4 MB image.
    // One thread re-reads the image per channel block; on two, each task would stream the whole
    // padded copy, made half by each thread, so tasks take rows. ResNet-50's last 1x1 stride-2 conv
    // windows a quarter of its 784 KB input, which stays in L2: channel-major on two threads too.
    const Halide::Target target = Halide::get_jit_target_from_environment();
    const auto channel_major = [&](int64_t channels, int64_t out_channels, int64_t kernel, int64_t stride,
                                   int64_t size, int threads) {
        const OpSpec spec = Conv2d(Conv2dOptions(channels, out_channels, kernel).stride(stride).padding(kernel / 2)
                                       .layout(Layout::NHWC).schedule("hand")).spec({1, channels, size, size});
        const ScheduleConfig config = schedules::hand_default_config(spec, target, threads);
        EXPECT_EQ(config.family, ScheduleFamily::ChannelTiles);
        return config.channel_major;
    };
    EXPECT_TRUE(channel_major(128, 128, 3, 1, 112, 1));
    EXPECT_FALSE(channel_major(128, 128, 3, 1, 112, 2));
    EXPECT_TRUE(channel_major(1024, 2048, 1, 2, 14, 1));
    EXPECT_TRUE(channel_major(1024, 2048, 1, 2, 14, 2));
    // The same 1x1 conv at stride 1 reads its whole input, restrided (a copy).
    EXPECT_FALSE(channel_major(1024, 2048, 1, 1, 14, 2));
    // Inception-v3's 35x35 stride-2 3x3, unpadded: its tasks read the input itself, no copy.
    const OpSpec unstaged = Conv2d(Conv2dOptions(288, 384, 3).stride(2).layout(Layout::NHWC).schedule("hand"))
                                .spec({1, 288, 35, 35});
    const ScheduleConfig config = schedules::hand_default_config(unstaged, target, 2);
    EXPECT_FALSE(config.stage_input);
    EXPECT_TRUE(config.channel_major);
}

TEST(ScheduleConfigs, IdleShareFollowsHowThePoolHandsOutTasks) {
    using schedules::hand::balanced_rows_per_task;
    using schedules::hand::idle_share;
    // 14 rows in tasks of 5, 5 and 4 on 2 threads: one thread computes 9 rows, the other 5.
    EXPECT_DOUBLE_EQ(idle_share(14, 5, 1, 2), 1.0 - 14.0 / 18.0);
    EXPECT_DOUBLE_EQ(idle_share(14, 7, 1, 2), 0.0);
    EXPECT_DOUBLE_EQ(idle_share(14, 5, 2, 2), 0.0);  // two runs (images or channel blocks)
    EXPECT_DOUBLE_EQ(idle_share(14, 5, 1, 1), 0.0);
    EXPECT_EQ(balanced_rows_per_task(14, 5, 3, 1, 2), 7);
    EXPECT_EQ(balanced_rows_per_task(14, 5, 3, 1, 1), 5);
    EXPECT_EQ(balanced_rows_per_task(14, 5, 3, 2, 2), 5);
    // No equal height of 8 rows or more idles less than tasks of 10 and 4: one task of 14 idles more.
    EXPECT_EQ(balanced_rows_per_task(14, 10, 8, 1, 2), 10);
    // 28 rows in tasks of 3 (one thread computes 15, the other 13: 7% idle) take 4 tasks of 7, not
    // smaller ones; 9 rows in tasks of 6 and 3 (25% idle) may take smaller: 5 and 4.
    EXPECT_EQ(balanced_rows_per_task(28, 3, 2, 1, 2), 7);
    EXPECT_EQ(balanced_rows_per_task(9, 6, 3, 1, 2), 5);
}

TEST(ScheduleConfigs, RulesSplitChannelMajorRowsWhereTheBlocksDoNotShareOut) {
    using schedules::hand::balanced_row_blocks;
    // 11 channel blocks sweeping 7 rows on 2 threads: one thread takes 6 of them. In blocks of 4
    // and 3 rows, 22 tasks share out within a row.
    EXPECT_EQ(balanced_row_blocks(7, 11, 2), 2);
    EXPECT_EQ(balanced_row_blocks(7, 16, 2), 1);
    EXPECT_EQ(balanced_row_blocks(7, 11, 1), 1);
    EXPECT_EQ(balanced_row_blocks(7, 43, 2), 1);  // one block in 43 idle: under kLeastIdleSaved
    // ResNet-50's 512 -> 512 3x3 conv on 7x7 maps takes tiles of 3 x 16 channels on AVX-512: 11
    // channel-major tasks.
    const Halide::Target avx512("x86-64-linux-avx-avx2-f16c-fma-sse41-avx512-avx512_skylake");
    const OpSpec spec =
        Conv2d(Conv2dOptions(512, 512, 3).padding(1).layout(Layout::NHWC).schedule("hand")).spec({1, 512, 7, 7});
    const ScheduleConfig one = schedules::hand_default_config(spec, avx512, 1);
    const ScheduleConfig two = schedules::hand_default_config(spec, avx512, 2);
    ASSERT_TRUE(two.channel_major);
    ASSERT_EQ((512 + two.vector_width * two.vectors - 1) / (two.vector_width * two.vectors), 11);
    ASSERT_EQ(two.tiles_per_task, 1);
    EXPECT_EQ(two.row_blocks, 2);
    EXPECT_EQ(one.row_blocks, 1);
    expect_error<ValueError>([&] {
        Conv2d(Conv2dOptions(48, 64, 3).padding(1).schedule("hand").schedule_config(
                   "channel_tiles vw=8 vectors=4 scalars=4 channel_major=0 row_blocks=2")).spec({1, 48, 8, 8});
    }, "row_blocks splits channel_major tasks");
}

TEST(ScheduleConfigs, RulesShareRowTasksOutOverTheThreads) {
    // MobileNetV2's 192 -> 64 1x1 conv on 14x14 maps: its 4.8 MFLOP made 3 row tasks, so one of
    // 2 threads sat idle for a third of the call. On 2 threads the rules take other heights.
    const Halide::Target target = Halide::get_jit_target_from_environment();
    const OpSpec spec = Conv2d(Conv2dOptions(192, 64, 1).layout(Layout::NHWC).schedule("hand")).spec({1, 192, 14, 14});
    const ScheduleConfig one = schedules::hand_default_config(spec, target, 1);
    const ScheduleConfig two = schedules::hand_default_config(spec, target, 2);
    ASSERT_EQ(two.family, ScheduleFamily::ChannelTiles);
    ASSERT_FALSE(two.channel_major);
    const int64_t runs = 64 / (int64_t(two.vector_width) * two.vectors) / two.tiles_per_task;
    EXPECT_GT(schedules::hand::idle_share(14, one.rows_per_task, runs, 2), schedules::hand::kMaximumIdleShare)
        << "the case no longer leaves a thread idle";
    EXPECT_LE(schedules::hand::idle_share(14, two.rows_per_task, runs, 2), schedules::hand::kMaximumIdleShare);
}

// The hand rules' config of a 3x3 Winograd conv from `channels` to `out_channels` channels on a
// `size` x `size` NHWC image.
ScheduleConfig winograd_rules(int64_t channels, int64_t out_channels, int64_t batch, int64_t size, int threads) {
    const OpSpec spec = Conv2d(Conv2dOptions(channels, out_channels, 3).padding(1).layout(Layout::NHWC)
                                   .algorithm(Algorithm::Winograd).schedule("hand")).spec({batch, channels, size, size});
    const ScheduleConfig config = schedules::hand_default_config(spec, Halide::get_jit_target_from_environment(), threads);
    EXPECT_EQ(config.family, ScheduleFamily::Winograd);
    return config;
}

TEST(ScheduleConfigs, RulesShareWinogradTasksOutOverTheThreads) {
    // VGG-16's 28x28 256 -> 512 layer streams its transformed weights, so a task takes the whole
    // image's 7 rows of tiles. On 2 threads the rules split the channels until no thread idles
    // for a round; on 1 thread, or where the images already share out, one block (each block
    // transforms the input again).
    const auto tasks = [&](int64_t batch, int threads) {
        const ScheduleConfig config = winograd_rules(256, 512, batch, 28, threads);
        const int64_t tile_rows = (28 + config.winograd_tile - 1) / config.winograd_tile;
        const int64_t channel_tiles = 512 / (int64_t(config.vector_width) * config.vectors);
        const int64_t blocks = config.tiles_per_task ? channel_tiles / config.tiles_per_task : 1;
        return std::pair{blocks, batch * blocks * ((tile_rows + config.rows_per_task - 1) / config.rows_per_task)};
    };
    EXPECT_EQ(tasks(1, 1).first, 1);
    ASSERT_EQ(tasks(1, 1).second % 2, 1) << "the case no longer has an odd number of tasks";
    EXPECT_GT(tasks(1, 2).first, 1);
    EXPECT_EQ(tasks(1, 2).second % 2, 0);
    EXPECT_EQ(tasks(2, 2).first, 1);
}

TEST(ScheduleConfigs, RulesShareCachedWinogradTasksOutBySmallerTasks) {
    // ResNet-50's 56x56 64 -> 64 layer keeps its transformed weights cached: tasks of 2 of its 14
    // rows of tiles on 1 thread; 7 tasks would leave a thread idle on 2, so 1 row there (64 output
    // channels make one block, so channel blocks cannot share them out).
    const ScheduleConfig one = winograd_rules(64, 64, 1, 56, 1), two = winograd_rules(64, 64, 1, 56, 2);
    ASSERT_EQ(one.winograd_tile, 4);
    const int64_t rows = 14;
    EXPECT_GT(schedules::hand::idle_share(rows, one.rows_per_task, 1, 2), schedules::hand::kMaximumIdleShare)
        << "the case no longer leaves a thread idle: " << one.text();
    EXPECT_LE(schedules::hand::idle_share(rows, two.rows_per_task, 1, 2), schedules::hand::kMaximumIdleShare) << two.text();
    EXPECT_EQ(rows % two.rows_per_task, 0) << two.text();
    EXPECT_EQ(two.tiles_per_task, one.tiles_per_task);
}

TEST(ScheduleConfigs, RulesTakeWinogradTaskHeightsThatEndAtTheImage) {
    // 14 rows of tiles (56x56, F(4x4)) in tasks of about 5 rows: 7, not 5 (5, 5 and a short last
    // task of 4); 7 rows of tiles (28x28) in tasks of about 3: 1, not 3 (3, 3, 1).
    const int64_t rows_56 = 14, rows_28 = 7;
    for (int threads : {1, 2}) {
        const ScheduleConfig streaming = winograd_rules(128, 256, 1, 56, threads);
        ASSERT_EQ(streaming.winograd_tile, 4);
        EXPECT_EQ(rows_56 % streaming.rows_per_task, 0) << streaming.text();
        EXPECT_GT(streaming.rows_per_task, 1) << "the case no longer takes several rows per task";
        const ScheduleConfig cached = winograd_rules(128, 128, 1, 28, threads);
        ASSERT_EQ(cached.winograd_tile, 4);
        EXPECT_EQ(rows_28 % cached.rows_per_task, 0) << cached.text();
    }
}

TEST(ScheduleConfigs, RulesSweepLargeDepthwiseRowsColumnTileByColumnTile) {
    // Input past L2 with a 3x3 filter: column tiles outermost (contiguous input). A small input, or
    // a 5x5 filter whose tiles would reload 25 weight vectors each: channel tiles sweep the row.
    const auto depthwise = [](int64_t channels, int64_t kernel, int64_t size) {
        return Conv2d(Conv2dOptions(channels, channels, kernel).groups(channels).padding(kernel / 2)
                          .layout(Layout::NHWC).schedule("hand")).spec({1, channels, size, size}).config;
    };
    const ScheduleConfig large = depthwise(96, 3, 112);
    ASSERT_EQ(large.family, ScheduleFamily::ChannelTiles);
    EXPECT_EQ(large.tile_order, kRowsColumnsChannels);
    EXPECT_EQ(depthwise(96, 3, 14).tile_order, kRowsChannelsColumns);
    EXPECT_EQ(depthwise(96, 5, 112).tile_order, kRowsChannelsColumns);
}

TEST(ScheduleConfigs, RulesRestrideOneVectorGroupedTilesWhoseInputsAliasInL1) {
    // Stride-2 grouped convs on channels-last input: 256 channels put a tile's 57 input columns 1 KiB
    // apart, 14 to an L1 set; 128 channels, 7 to a set. A one-vector tile (a load per FMA) is worth
    // the copy that restrides its input; a two-vector one stays unstaged.
    const auto grouped = [](int64_t channels, int64_t groups, int64_t size) {
        return Conv2d(Conv2dOptions(channels, channels, 3).groups(groups).stride(2).padding(1)
                          .layout(Layout::NHWC).schedule("hand")).spec({1, channels, size, size}).config;
    };
    const ScheduleConfig aliasing = grouped(256, 32, 56);
    ASSERT_EQ(aliasing.family, ScheduleFamily::ChannelTiles);
    ASSERT_EQ(aliasing.vectors, 1);
    EXPECT_TRUE(aliasing.stage_input);
    EXPECT_TRUE(aliasing.restride);
    const ScheduleConfig spread = grouped(128, 16, 56);
    ASSERT_EQ(spread.vectors, 1);
    EXPECT_FALSE(spread.stage_input);
    EXPECT_FALSE(spread.restride);
    const ScheduleConfig two_vectors = grouped(1024, 32, 14);
    ASSERT_EQ(two_vectors.vectors, 2);
    EXPECT_FALSE(two_vectors.stage_input);
}

// Products with the zero padding, where they are 15% or more of all, are skipped per output row by
// every schedule, and per column too by register tiles (unrolled columns); below that, per row by
// register tiles over a staged input; kept where the padding is not zeros, little of it is read by
// other schedules, or the hand schedule unrolls the taps.
TEST(ScheduleConfigs, PaddingProductsAreSkippedAsTheScheduleLoopsAllow) {
    const Shape input{1, 32, 9, 9};
    const auto atrous = [](int64_t groups) { return Conv2dOptions(32, 32, 3).padding(4).dilation(4).groups(groups); };
    const auto skipped = [&](const Conv2dOptions &options) { return Conv2d(options).spec(input).padding_products; };
    EXPECT_EQ(skipped(atrous(1).layout(Layout::NHWC)), PaddingProducts::SkippedPerPosition);
    // Planar tiles over rows of 37: columns are vector lanes.
    const OpSpec planar = Conv2d(atrous(8)).spec({1, 32, 9, 37});
    EXPECT_EQ(planar.config.family, ScheduleFamily::Planar);
    EXPECT_EQ(planar.padding_products, PaddingProducts::SkippedPerRow);
    EXPECT_EQ(skipped(atrous(32).schedule("portable")), PaddingProducts::SkippedPerRow);
    EXPECT_EQ(skipped(atrous(32)), PaddingProducts::Computed);  // unrolled depthwise taps
    EXPECT_EQ(skipped(atrous(1).padding_mode(PaddingMode::Reflect)), PaddingProducts::Computed);
    EXPECT_EQ(skipped(Conv2dOptions(32, 32, 3)), PaddingProducts::Computed);  // no padding
    // 14% of the products on padding: the column tests would cost more than they skip, and so
    // would row tests in loads that test the rows anyway (unstaged); over a staged input, rows are
    // skipped, and columns too by a tile as wide as the row (no interior tile to peel them off).
    const auto tiled = [](int scalars, const std::string &stage) {
        return Conv2dOptions(32, 32, 3).padding(1).layout(Layout::NHWC).schedule("hand").schedule_config(
            "channel_tiles vw=8 vectors=2 scalars=" + std::to_string(scalars) +
            " channel_major=0 tiles_per_task=1 rows_per_task=3 " + stage);
    };
    EXPECT_EQ(skipped(tiled(9, "stage=0")), PaddingProducts::Computed);
    EXPECT_EQ(skipped(tiled(3, "stage=1")), PaddingProducts::SkippedPerRow);
    EXPECT_EQ(skipped(tiled(9, "stage=1")), PaddingProducts::SkippedPerPosition);
    for (int scalars : {3, 9}) {
        expect_matches_reference(Conv2d(tiled(scalars, "stage=1")),
                                 random_tensor(input, 11, layout_strides(input, 1, Layout::NHWC)));
    }
    // A channel loop unrolled whole (groups of 8) would be copied per peeled kernel column: rows only.
    const auto grouped_tile = [](int unroll) {
        return Conv2dOptions(32, 32, 3).groups(4).padding(1).layout(Layout::NHWC).schedule("hand").schedule_config(
            "channel_tiles vw=8 vectors=1 scalars=9 channel_major=0 tiles_per_task=4 rows_per_task=3 stage=1 unroll=" +
            std::to_string(unroll));
    };
    EXPECT_EQ(skipped(grouped_tile(8)), PaddingProducts::SkippedPerRow);
    EXPECT_EQ(skipped(grouped_tile(4)), PaddingProducts::SkippedPerPosition);
    // 18% (3x3, padding 1 on 7x7 maps): skipped.
    EXPECT_EQ(Conv2d(Conv2dOptions(32, 32, 3).padding(1).layout(Layout::NHWC)).spec({1, 32, 7, 7}).padding_products,
              PaddingProducts::SkippedPerPosition);
    EXPECT_EQ(skipped(Conv2dOptions(32, 32, 3).padding(1).algorithm(Algorithm::UnfoldMatmulFold)),
              PaddingProducts::Computed);
    // Part of the kernel key: the two kernels differ.
    OpSpec spec = Conv2d(atrous(1).layout(Layout::NHWC)).spec(input);
    const std::string key = spec.key();
    spec.padding_products = PaddingProducts::Computed;
    EXPECT_NE(spec.key(), key);
}

TEST(ScheduleConfigs, TextRoundTripsAndIsPartOfTheKernelKey) {
    const OpSpec spec = Conv2d(Conv2dOptions(64, 64, 3).padding(1).schedule("hand")).spec({1, 64, 14, 14});
    ASSERT_EQ(spec.config.family, ScheduleFamily::ChannelTiles);
    EXPECT_EQ(parse_schedule_config(spec.config.text()), spec.config);
    EXPECT_NE(spec.key().find(spec.config.text()), std::string::npos);
    EXPECT_EQ(spec.key().find(spec.config.text()), spec.key().find('[') + 1);
    EXPECT_EQ(spec.problem_key().find("channel_tiles"), std::string::npos);
}

TEST(ScheduleConfigs, ConfigsTheScheduleCannotHonourAreRefused) {
    const Shape input{1, 48, 8, 8};
    const auto layer = [](const std::string &config) {
        return Conv2d(Conv2dOptions(48, 64, 3).padding(1).schedule("hand").schedule_config(config));
    };
    const std::string base = "channel_tiles vw=8 vectors=4 scalars=4 input_block=0 unroll=1 channel_major=0 "
                             "tiles_per_task=0 stage=1 restride=0";
    EXPECT_NO_THROW(layer(base).spec(input));
    expect_error<ValueError>([&] { layer("channel_tiles vw=8 vectors=4 scalars=4 unroll=5").spec(input); },
                             "unroll must divide the 48 input channels per group");
    expect_error<ValueError>([&] { layer("channel_tiles vw=8 vectors=9 scalars=4").spec(input); },
                             "vectors * vw exceeds the 64 vectorised outputs");
    expect_error<ValueError>([&] { layer("channel_tiles vw=8 vectors=4 scalars=9").spec(input); },
                             "scalars exceeds the 8 broadcast outputs");
    expect_error<ValueError>([&] { layer("channel_tiles vw=8 vectors=4 scalars=4 stage=0 stage_per_task=1").spec(input); },
                             "stage_per_task needs stage=1");
    expect_error<ValueError>([&] { layer("channel_tiles vw=8 vectors=4 scalars=4 channel_major=1 tile_order=1").spec(input); },
                             "tile_order orders a row-major task's tiles");
    expect_error<ValueError>([&] { layer("planar_depthwise vw=16 channels_per_task=1").spec(input); },
                             "planar_depthwise needs an NCHW depthwise conv");
    expect_error<ValueError>([&] { layer("winograd vw=8 vectors=2 scalars=4 tile=4").spec(input); },
                             "winograd needs a Winograd conv");
    const auto winograd = [](const std::string &config) {
        return Conv2d(Conv2dOptions(48, 64, 3).padding(1).algorithm(Algorithm::Winograd).schedule("hand").schedule_config(config));
    };
    EXPECT_EQ(winograd("winograd vw=8 vectors=2 scalars=3 tile=6").spec(input).winograd_tile, 6);
    expect_error<ValueError>([&] { winograd("winograd vw=8 vectors=2 scalars=3 tile=3").spec(input); },
                             "tile must be 2, 4 or 6");
    expect_error<ValueError>([&] { layer("channel_tiles vw=16 bogus=1"); }, "'bogus=1' is not a channel_tiles field");
    expect_error<ValueError>([&] { layer("tiles vw=16"); }, "unknown family 'tiles'");
    expect_error<ValueError>([&] {
        Conv2d(Conv2dOptions(48, 64, 3).schedule("portable").schedule_config(base)).spec(input);
    }, "schedule 'portable' takes no config");
}

}  // namespace
}  // namespace convgen::testing
