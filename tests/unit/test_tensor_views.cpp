// Tensor views: zero-copy dense inputs, strided and channels-last inputs, caller-owned outputs.
#include "expect_error.h"
#include "test_support.h"

namespace convgen::testing {
namespace {

TEST(TensorViews, StridedInputGivesTheSameResultAsItsContiguousCopy) {
    Conv2d conv(Conv2dOptions(3, 4, 3).padding(1));
    // A (1, 3, 6, 5) view taking every other column of a (1, 3, 6, 10) tensor.
    const Tensor storage = random_tensor({1, 3, 6, 10}, 21);
    const ConstTensorView strided(storage.data(), {1, 3, 6, 5}, {180, 60, 10, 2});
    const Tensor contiguous = Tensor::copy_of(strided);
    const Tensor a = conv.forward(strided), b = conv.forward(contiguous);
    ASSERT_EQ(a.sizes(), b.sizes());
    for (int64_t i = 0; i < a.numel(); ++i) ASSERT_EQ(a.data()[i], b.data()[i]) << i;
}

// Kernels load and store 64-byte vectors: storage on a cache line keeps each in one line.
TEST(TensorViews, TensorsStartOnACacheLineAndZeroed) {
    for (const Shape &sizes : std::vector<Shape>{{0}, {1}, {3}, {5, 7}, {1, 576, 14, 14}, {1, 64, 112, 112}}) {
        const Tensor t(sizes);
        EXPECT_EQ(reinterpret_cast<uintptr_t>(t.data()) % 64, 0u) << format_shape(sizes);
        for (int64_t i = 0; i < t.numel(); ++i) ASSERT_EQ(t.data()[i], 0.0f) << format_shape(sizes) << " at " << i;
    }
    Conv2d conv(Conv2dOptions(16, 16, 3).padding(1).groups(16));
    const Tensor y = conv.forward(random_tensor({1, 16, 9, 9}, 5));
    EXPECT_EQ(reinterpret_cast<uintptr_t>(y.data()) % 64, 0u);
}

// Uninitialised tensors (forward's outputs) keep the sizes, strides and alignment, and refuse
// negative sizes as zeroed ones do.
TEST(TensorViews, EmptyTensorsAreAlignedWithTheirLayout) {
    const Shape sizes{1, 24, 5, 7};
    const Tensor t = Tensor::empty(sizes, channels_last_strides(sizes, 1));
    EXPECT_EQ(t.sizes(), sizes);
    EXPECT_EQ(t.strides(), channels_last_strides(sizes, 1));
    EXPECT_EQ(reinterpret_cast<uintptr_t>(t.data()) % 64, 0u);
    EXPECT_EQ(Tensor::empty({0, 3}).numel(), 0);
    expect_error<RuntimeError>([] { Tensor::empty({2, -1}); }, "Trying to create tensor with negative dimension -1");
}

// Callers' memory need not be aligned: an input one float past a cache line gives the same result.
TEST(TensorViews, InputOffCacheLineGivesTheSameResult) {
    Conv2d conv(Conv2dOptions(32, 32, 3).padding(1).groups(32).layout(Layout::NHWC));
    const Shape sizes{1, 32, 7, 7};
    const Shape channels_last = layout_strides(sizes, 1, Layout::NHWC);
    Tensor x(sizes, channels_last);
    copy_elements(random_tensor(sizes, 8), x.view());
    Tensor shifted_storage({x.numel() + 1});
    const TensorView shifted(shifted_storage.data() + 1, sizes, channels_last);
    copy_elements(x, shifted);
    const Tensor a = conv.forward(x), b = conv.forward(ConstTensorView(shifted));
    ASSERT_EQ(a.sizes(), b.sizes());
    for (int64_t i = 0; i < a.numel(); ++i) ASSERT_EQ(a.data()[i], b.data()[i]) << i;
}

TEST(TensorViews, ChannelsLastLayerAcceptsAContiguousInputByCopying) {
    const Tensor x = random_tensor({2, 3, 5, 6}, 4);
    Conv2d nchw(Conv2dOptions(3, 4, 3));
    Conv2d nhwc(Conv2dOptions(3, 4, 3).layout(Layout::NHWC));
    nhwc.set_weight(nchw.weight());
    nhwc.set_bias(*nchw.bias());
    const Tensor a = nchw.forward(x), b = nhwc.forward(x);
    ASSERT_EQ(a.sizes(), b.sizes());
    EXPECT_EQ(b.strides(), channels_last_strides(b.sizes(), 1));
    // Same logical values, different memory order.
    for (int64_t n = 0; n < 2; ++n)
        for (int64_t c = 0; c < 4; ++c)
            for (int64_t y = 0; y < 3; ++y)
                for (int64_t xw = 0; xw < 4; ++xw) {
                    const int64_t ia = ((n * 4 + c) * 3 + y) * 4 + xw;
                    const int64_t ib = n * b.strides()[0] + c * b.strides()[1] + y * b.strides()[2] + xw * b.strides()[3];
                    ASSERT_NEAR(a.data()[ia], b.data()[ib], 1e-5);
                }
}

TEST(TensorViews, ForwardIntoCallerMemory) {
    Conv2d conv(Conv2dOptions(2, 3, 3));
    const Tensor x = random_tensor({1, 2, 5, 5}, 9);
    std::vector<float> out(27, -1.0f);
    conv.forward(x, TensorView(out.data(), {1, 3, 3, 3}));
    const Tensor expected = conv.forward(x);
    for (size_t i = 0; i < out.size(); ++i) EXPECT_EQ(out[i], expected.data()[i]);
}

TEST(TensorViews, RejectsOutputsOfTheWrongShapeLayoutOrOverlappingTheInput) {
    Conv2d conv(Conv2dOptions(2, 2, 1));
    Tensor x = random_tensor({1, 2, 4, 4}, 9);
    std::vector<float> out(32);
    EXPECT_THROW(conv.forward(x, TensorView(out.data(), {1, 2, 4, 3})), RuntimeError);
    EXPECT_THROW(conv.forward(x, TensorView(out.data(), {1, 2, 4, 4}, {32, 1, 8, 2})), RuntimeError);
    EXPECT_THROW(conv.forward(x, x.view()), RuntimeError);
}

}  // namespace
}  // namespace convgen::testing
