// live_taps: which kernel taps of a conv read the image, checked against brute force over every
// output, and on the atrous shapes the generator skips taps for.
#include <random>

#include <gtest/gtest.h>

#include "convgen/live_taps.h"

namespace convgen {
namespace {

bool brute_force_reads_image(const WindowDim &d, int64_t tap) {
    for (int64_t o = 0; o < d.positions; ++o) {
        const int64_t read = o * d.stride - d.pad_begin + tap * d.dilation;
        if (read >= 0 && read < d.size) return true;
    }
    return false;
}

bool brute_force_reads_padding(const WindowDim &d, const TapRange &taps) {
    for (int64_t o = 0; o < d.positions; ++o)
        for (int64_t k = taps.first; k < taps.end(); ++k) {
            const int64_t read = o * d.stride - d.pad_begin + k * d.dilation;
            if (read < 0 || read >= d.size) return true;
        }
    return false;
}

// Any window whose positions PyTorch's formula allows, pads up to twice the effective kernel.
TEST(LiveTaps, MatchBruteForceOnRandomWindows) {
    std::mt19937 engine(42);
    auto uniform = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(engine); };
    int checked = 0;
    while (checked < 20000) {
        WindowDim d{uniform(1, 12), 0, uniform(1, 7), uniform(1, 5), uniform(1, 15), 0};
        const int64_t effective = d.dilation * (d.kernel - 1) + 1;
        d.pad_begin = uniform(0, 2 * effective);
        const int64_t pad_end = uniform(0, 2 * effective);
        d.positions = sliding_positions(d.size, d.pad_begin + pad_end, effective, d.stride);
        if (d.positions < 1) continue;
        ++checked;
        const TapRange taps = live_taps(d);
        ASSERT_GE(taps.count, 1);
        ASSERT_GE(taps.first, 0);
        ASSERT_LE(taps.end(), d.kernel);
        bool any_live = false;
        for (int64_t k = 0; k < d.kernel; ++k) {
            const bool live = brute_force_reads_image(d, k);
            any_live = any_live || live;
            if (live) {
                EXPECT_TRUE(taps.contains(k)) << k;  // no live tap is skipped
            }
        }
        if (any_live) {  // the range is the hull: its ends read the image
            EXPECT_TRUE(brute_force_reads_image(d, taps.first));
            EXPECT_TRUE(brute_force_reads_image(d, taps.end() - 1));
        } else {
            EXPECT_EQ(taps, (TapRange{0, 1}));
        }
        EXPECT_EQ(reads_padding(d, taps), brute_force_reads_padding(d, taps));
    }
}

TEST(LiveTaps, DilationAsLargeAsTheMapLeavesTheCentreTapReadingNoPadding) {
    // DeepLabV3's ASPP branch at rate 36 on a 33x33 map: output o reads o-36, o and o+36.
    const WindowDim d{33, 33, 3, 1, 36, 36};
    EXPECT_EQ(live_taps(d), (TapRange{1, 1}));
    EXPECT_FALSE(reads_padding(d, live_taps(d)));
    // Rate 12: every tap reads the image for some outputs, and the padding for others.
    const WindowDim rate12{33, 33, 3, 1, 12, 12};
    EXPECT_EQ(live_taps(rate12), (TapRange{0, 3}));
    EXPECT_TRUE(reads_padding(rate12, live_taps(rate12)));
}

TEST(LiveTaps, AStrideLongerThanTheImageKeepsTheHull) {
    // A 1-pixel image, stride 4, pads 6 and 6: output 0 reads it with tap 6, output 1 with tap 2;
    // taps 3-5 read only padding but lie between live ones.
    const WindowDim d{1, 2, 9, 4, 1, 6};
    EXPECT_EQ(live_taps(d), (TapRange{2, 5}));
    // Stride 10 over pads of 5: no output reads the image; the first tap stands for the window.
    EXPECT_EQ(live_taps(WindowDim{1, 2, 1, 10, 1, 5}), (TapRange{0, 1}));
}

OpSpec atrous_conv(PaddingMode mode) {
    OpSpec spec;
    spec.channels = 4;
    spec.out_channels = 4;
    spec.image = {5, 7};
    spec.out = {5, 7};
    spec.window.kernel = {3, 4};
    spec.window.dilation = {6, 5};
    spec.window.pad_begin = {6, 7};  // 'same' with an even kernel: 7 before, 8 after
    spec.window.pad_end = {6, 8};
    spec.padding_mode = mode;
    return spec;
}

TEST(LiveTaps, PerDimForAConvUnderZeroPaddingOnly) {
    const LiveTaps zeros = live_taps(atrous_conv(PaddingMode::Zeros));
    EXPECT_EQ(zeros.y, (TapRange{1, 1}));
    EXPECT_EQ(zeros.x, (TapRange{1, 2}));  // columns o-2 and o+3
    EXPECT_EQ(zeros.area(), 2);
    EXPECT_FALSE(zeros.pads_height);
    EXPECT_TRUE(zeros.pads_width);
    EXPECT_EQ(zeros.span(atrous_conv(PaddingMode::Zeros).window), (Extent2{1, 6}));
    for (PaddingMode mode : {PaddingMode::Reflect, PaddingMode::Replicate, PaddingMode::Circular}) {
        const LiveTaps all = live_taps(atrous_conv(mode));
        EXPECT_EQ(all.x, (TapRange{0, 4}));
        EXPECT_EQ(all.y, (TapRange{0, 3}));
        EXPECT_TRUE(all.pads());
    }
    OpSpec transpose = atrous_conv(PaddingMode::Zeros);
    transpose.op = OpKind::ConvTranspose;
    EXPECT_EQ(live_taps(transpose).area(), 12);
}

// Rows read only by the centre tap; columns o-2 and o+3 of 7 read the image for 5 and 4 outputs.
TEST(LiveTaps, PaddingReadShareCountsTheLiveTapsReadsOutsideTheImage) {
    EXPECT_DOUBLE_EQ(padding_read_share(atrous_conv(PaddingMode::Zeros)), 1.0 - 9.0 / 14.0);
    OpSpec plain = atrous_conv(PaddingMode::Zeros);
    plain.window = Window{};
    EXPECT_EQ(padding_read_share(plain), 0.0);
    // 3x3, padding 1 on 9x9: 25 of each dim's 27 (output, tap) pairs read the image.
    OpSpec small_border;
    small_border.image = small_border.out = {9, 9};
    small_border.window.kernel = {3, 3};
    small_border.window.pad_begin = small_border.window.pad_end = {1, 1};
    EXPECT_DOUBLE_EQ(padding_read_share(small_border), 1.0 - (25.0 / 27.0) * (25.0 / 27.0));
}

TEST(LiveTaps, Conv1dKeepsItsSingleRow) {
    OpSpec spec;
    spec.image = {1, 6};
    spec.out = {1, 6};
    spec.window.kernel = {1, 3};
    spec.window.dilation = {1, 10};
    spec.window.pad_begin = spec.window.pad_end = {0, 10};
    const LiveTaps taps = live_taps(spec);
    EXPECT_EQ(taps.y, (TapRange{0, 1}));
    EXPECT_EQ(taps.x, (TapRange{1, 1}));
    EXPECT_FALSE(taps.pads());
}

}  // namespace
}  // namespace convgen
