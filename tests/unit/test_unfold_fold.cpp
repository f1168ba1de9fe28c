// Unfold (im2col) and Fold (col2im) against the reference and PyTorch's documented examples.
#include <tuple>

#include "test_support.h"

namespace convgen::testing {
namespace {

struct WindowCase {
    std::string name;
    Shape image;  // (N, C, H, W) or (C, H, W)
    std::vector<int64_t> kernel, dilation{1}, padding{0}, stride{1};
};

std::vector<WindowCase> cases() {
    return {
        {"k2", {2, 3, 5, 6}, {2}},
        {"k3_pad1", {1, 2, 6, 6}, {3}, {1}, {1}},
        {"k3_stride2_overlap", {1, 2, 7, 9}, {3}, {1}, {0}, {2}},
        {"k_pair_dilated", {1, 3, 9, 8}, {2, 3}, {2, 1}, {1, 0}, {1, 2}},
        {"stride_gt_kernel", {1, 2, 9, 9}, {2}, {1}, {0}, {3}},
        {"unbatched", {3, 5, 4}, {2}, {1}, {1}, {1}},
        {"k1", {1, 4, 3, 3}, {1}},
        // Rows of a vector or more: the hand schedule's staged-padding and masked-tail paths.
        {"wide_k7_stride2_pad3", {1, 3, 12, 45}, {7}, {1}, {3}, {2}},
        {"wide_k3_pad1", {2, 2, 5, 37}, {3}, {1}, {1}},
        {"wide_dilated_stride2", {1, 2, 9, 50}, {3, 2}, {1, 3}, {2, 1}, {2, 2}},
        // Many channels of small planes: parallel tasks over channel groups, the last one short.
        {"many_small_planes", {2, 41, 12, 14}, {3}, {1}, {1}},
    };
}

using WindowParam = std::tuple<WindowCase, std::string>;
class UnfoldFoldTest : public ::testing::TestWithParam<WindowParam> {};

TEST_P(UnfoldFoldTest, UnfoldMatchesReference) {
    const auto &[c, schedule] = GetParam();
    Unfold unfold(UnfoldOptions(c.kernel).dilation(c.dilation).padding(c.padding).stride(c.stride).schedule(schedule));
    expect_matches_reference(unfold, random_tensor(c.image, 1));
}

TEST_P(UnfoldFoldTest, UnfoldChannelsLastMatchesReference) {
    const auto &[c, schedule] = GetParam();
    Unfold unfold(UnfoldOptions(c.kernel).dilation(c.dilation).padding(c.padding).stride(c.stride).schedule(schedule)
                      .layout(Layout::NHWC));
    const bool batched = c.image.size() == 4;
    expect_matches_reference(unfold, random_tensor(c.image, 1, channels_last_strides(c.image, batched ? 1 : 0)));
}

TEST_P(UnfoldFoldTest, FoldMatchesReference) {
    const auto &[c, schedule] = GetParam();
    const Extent2 size{c.image[c.image.size() - 2], c.image[c.image.size() - 1]};
    Unfold unfold(UnfoldOptions(c.kernel).dilation(c.dilation).padding(c.padding).stride(c.stride));
    const Shape columns = unfold.output_shape(c.image);
    for (Layout layout : {Layout::NCHW, Layout::NHWC}) {
        Fold fold(FoldOptions({size.h, size.w}, c.kernel)
                      .dilation(c.dilation)
                      .padding(c.padding)
                      .stride(c.stride)
                      .schedule(schedule)
                      .layout(layout));
        expect_matches_reference(fold, random_tensor(columns, 2));
    }
}

INSTANTIATE_TEST_SUITE_P(UnfoldFold, UnfoldFoldTest,
                         ::testing::Combine(::testing::ValuesIn(cases()), ::testing::ValuesIn(kSchedules)),
                         [](const auto &info) {
                             return std::get<0>(info.param).name + "_" + std::get<1>(info.param);
                         });

TEST(Fold, SumsOverlappingBlocks) {
    // PyTorch's example: fold(ones(1, 4, 4), output_size=(3, 3), kernel_size=(2, 2)).
    Fold fold(FoldOptions(3, 2));
    Tensor ones({1, 4, 4});
    std::fill(ones.data(), ones.data() + ones.numel(), 1.0f);
    const Tensor y = fold.forward(ones);
    ASSERT_EQ(y.sizes(), (Shape{1, 1, 3, 3}));
    const std::vector<float> expected{1, 2, 1, 2, 4, 2, 1, 2, 1};
    for (size_t i = 0; i < expected.size(); ++i) EXPECT_FLOAT_EQ(y.data()[i], expected[i]);
}

TEST(Unfold, RowAndColumnOrderFollowPyTorch) {
    Unfold unfold(UnfoldOptions(2));
    const float x[] = {0, 1, 2, 3, 4, 5, 6, 7, 8};  // (1, 1, 3, 3)
    const Tensor y = unfold.forward(ConstTensorView(x, {1, 1, 3, 3}));
    ASSERT_EQ(y.sizes(), (Shape{1, 4, 4}));
    // Row ki*kW + kj, column oy*nW + ox.
    const std::vector<float> expected{0, 1, 3, 4, 1, 2, 4, 5, 3, 4, 6, 7, 4, 5, 7, 8};
    for (size_t i = 0; i < expected.size(); ++i) EXPECT_FLOAT_EQ(y.data()[i], expected[i]);
}

TEST(Unfold, ZeroBatch) {
    EXPECT_EQ(Unfold(UnfoldOptions(2)).forward(Tensor({0, 2, 4, 4})).sizes(), (Shape{0, 8, 9}));
    EXPECT_EQ(Fold(FoldOptions(3, 2)).forward(Tensor({0, 4, 4})).sizes(), (Shape{0, 1, 3, 3}));
}

}  // namespace
}  // namespace convgen::testing
