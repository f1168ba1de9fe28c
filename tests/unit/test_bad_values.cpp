// The bad-input matrix, part 2: inputs that are legal but awkward and must give PyTorch's answer
// (non-contiguous views, NaN and infinities, zero-size dims, huge kernels and dilations), and
// malformed views that must be refused.
#include <cmath>

#include "bad_input_cases.h"

namespace convgen::testing {
namespace {

// `layer` on `view` gives exactly what it gives on a contiguous copy of it.
template <typename Layer>
void expect_same_as_contiguous(const Layer &layer, ConstTensorView view) {
    const Tensor a = layer.forward(view), b = layer.forward(Tensor::copy_of(view));
    ASSERT_EQ(a.sizes(), b.sizes());
    for (int64_t i = 0; i < a.numel(); ++i) ASSERT_EQ(a.data()[i], b.data()[i]) << i;
}

TEST(BadValues, NonContiguousInputViewsGiveTheContiguousResult) {
    const Tensor storage = random_tensor({2, 3, 8, 10}, 5);
    const Conv2d conv(Conv2dOptions(3, 4, 3).padding(1).padding_mode(PaddingMode::Circular));
    const Unfold unfold(UnfoldOptions(2).stride(2));
    const int64_t n = 240, c = 80, h = 10;  // the storage's strides
    const std::vector<ConstTensorView> views{
        ConstTensorView(storage.data(), {2, 3, 8, 5}, {n, c, h, 2}),                 // every other column
        ConstTensorView(storage.data(), {2, 3, 10, 8}, {n, c, 1, h}),                // transposed H and W
        ConstTensorView(storage.data() + 9, {2, 3, 8, 10}, {n, c, h, -1}),           // W reversed
        ConstTensorView(storage.data(), {2, 3, 4, 10}, {0, c, 2 * h, 1}),            // batch broadcast (stride 0)
        ConstTensorView(storage.data(), {2, 3, 6, 6}, {n, c, 1, 1}),                 // overlapping windows
        ConstTensorView(storage.data(), {3, 8, 10}, {c, h, 1}),                      // unbatched
    };
    for (const ConstTensorView &v : views) {
        SCOPED_TRACE(::testing::PrintToString(v.strides));
        expect_same_as_contiguous(conv, v);
        expect_same_as_contiguous(unfold, v);
    }
}

TEST(BadValues, MalformedViewsAndOverlappingOutputsAreRefused) {
    Tensor x = random_tensor({1, 2, 4, 4}, 2);
    const Conv2d conv(Conv2dOptions(2, 2, 1));
    expect_all_refused({
        {"fewer strides than sizes", runtime_error("input view has 4 sizes but 2 strides"),
         [&] { conv.forward(ConstTensorView(x.data(), {1, 2, 4, 4}, {16, 1})); }},
        {"more strides than sizes", runtime_error("output view has 4 sizes but 5 strides"),
         [&] {
             Tensor out({1, 2, 4, 4});
             conv.forward(x, TensorView(out.data(), {1, 2, 4, 4}, {32, 16, 4, 1, 1}));
         }},
        {"negative size", runtime_error("Kernel size can't be greater than actual input size"),
         [&] { conv.forward(ConstTensorView(x.data(), {1, 2, -4, 4}, {32, 16, 4, 1})); }},
        {"output is the input", runtime_error("output tensor overlaps the input tensor"),
         [&] { conv.forward(x, x.view()); }},
        {"output overlaps the input's end", runtime_error("output tensor overlaps the input tensor"),
         [&] {
             std::vector<float> memory(64);
             const TensorView in(memory.data(), {1, 2, 4, 4}), out(memory.data() + 31, {1, 2, 4, 4});
             conv.forward(in, out);
         }},
        {"output overlapping itself", runtime_error("output must be dense"),
         [&] {
             Tensor out({1, 2, 4, 4});
             conv.forward(x, TensorView(out.data(), {1, 2, 4, 4}, {32, 0, 4, 1}));
         }},
        {"weight view with too few strides", runtime_error("source view has 4 sizes but 1 strides"),
         [&] {
             Conv2d layer(Conv2dOptions(2, 2, 1));
             layer.set_weight(ConstTensorView(x.data(), {2, 2, 1, 1}, {1}));
         }},
    });
}

// PyTorch's IEEE semantics: NaN spreads to every output that reads it; inf*0 is NaN; relu and
// relu6 keep NaN; the reference computes exactly that in plain C++.
TEST(BadValues, NaNAndInfinitiesPropagateAsInPyTorch) {
    for (Activation activation : {Activation::None, Activation::Relu, Activation::Relu6}) {
        for (const float special : {NAN, INFINITY, -INFINITY}) {
            SCOPED_TRACE(std::string(to_string(activation)) + " " + std::to_string(special));
            Tensor x = random_tensor({1, 2, 6, 7}, 3);
            x.data()[2 * 7 + 3] = special;
            x.data()[42 + 6] = special;  // channel 1, a border element under reflect padding
            for (PaddingMode mode : {PaddingMode::Zeros, PaddingMode::Reflect, PaddingMode::Circular}) {
                Conv2d conv(Conv2dOptions(2, 3, 3).padding(1).padding_mode(mode).activation(activation));
                expect_matches_reference(conv, x);
            }
            expect_matches_reference(ConvTranspose2d(ConvTranspose2dOptions(2, 3, 3).stride(2).activation(activation)), x);
            expect_matches_reference(Unfold(UnfoldOptions(3).padding(1)), x);
            expect_matches_reference(Fold(FoldOptions({4, 5}, 2)), Tensor::copy_of(ConstTensorView(x.data(), {1, 4, 12})));
        }
    }
}

// Found by fuzz_ops: relu/relu6 turned a NaN into 0 or 6 in these conv_transpose kernels (the
// generated code was allowed to assume no NaN).
TEST(BadValues, NaNSurvivesReluInConvTranspose) {
    Tensor x = random_tensor({1, 3, 5, 7}, 12);
    x.data()[17] = NAN;
    expect_matches_reference(ConvTranspose2d(ConvTranspose2dOptions(3, 2, 4).stride(3).dilation(3).padding({2, 0})
                                                 .bias(false).activation(Activation::Relu6)
                                                 .algorithm(Algorithm::UnfoldMatmulFold)),
                             x);
    Tensor y = random_tensor({2, 2, 4}, 13);
    y.data()[6] = NAN;
    for (Layout layout : {Layout::NCHW, Layout::NHWC}) {
        Tensor input(y.sizes(), layout_strides(y.sizes(), 1, layout));
        copy_elements(y, input.view());  // the reference reads the input in the layer's layout
        for (Algorithm algorithm : kAlgorithms) {
            expect_matches_reference(ConvTranspose1d(ConvTranspose1dOptions(2, 4, 4).groups(2).dilation(2).padding(2)
                                                         .activation(Activation::Relu).layout(layout)
                                                         .algorithm(algorithm)),
                                     input);
        }
    }
}

TEST(BadValues, NaNInWeightsBiasAndBatchNormPropagate) {
    const Tensor x = random_tensor({1, 2, 5, 5}, 4);
    Conv2d conv(Conv2dOptions(2, 3, 3));
    Tensor weight = Tensor::copy_of(conv.weight());
    weight.data()[0] = NAN;  // output channel 0
    conv.set_weight(weight);
    Tensor bias = Tensor::copy_of(*conv.bias());
    bias.data()[2] = INFINITY;  // output channel 2
    conv.set_bias(bias);
    expect_matches_reference(conv, x);
    const Tensor y = conv.forward(x);
    for (int64_t i = 0; i < 9; ++i) {
        EXPECT_TRUE(std::isnan(y.data()[i])) << i;
        EXPECT_TRUE(std::isfinite(y.data()[9 + i])) << i;
        EXPECT_EQ(y.data()[18 + i], INFINITY) << i;
    }
    const Tensor mean({3}), var({3}), gamma = random_tensor({3}, 1);
    Tensor nan_var({3});
    nan_var.data()[1] = NAN;
    const Tensor fused = Conv2d(Conv2dOptions(2, 3, 3)).fuse_batch_norm({mean, nan_var, gamma, std::nullopt}).forward(x);
    for (int64_t i = 0; i < 9; ++i) EXPECT_TRUE(std::isnan(fused.data()[9 + i])) << i;
}

// PyTorch multiplies the zero padding by the weights (checked on Debian's 1.13: its mkldnn, thnn
// and depthwise paths alike), so a NaN or infinite weight makes its output channel NaN at every
// position, even on a tap that reads only padding, which the kernels skip (dilation 20 on a 5x5
// map: every off-centre tap). The reference multiplies the padding too.
TEST(BadValues, NonFiniteWeightsOnTapsThatReadOnlyPaddingGiveNaNAsInPyTorch) {
    const Tensor x = random_tensor({1, 4, 5, 5}, 14);
    Tensor x_nhwc(x.sizes(), layout_strides(x.sizes(), 1, Layout::NHWC));
    copy_elements(x, x_nhwc.view());
    for (const float special : {NAN, INFINITY}) {
        for (const bool bias : {true, false}) {
            for (const std::string &schedule : kSchedules) {
                for (Algorithm algorithm : kAlgorithms) {
                    SCOPED_TRACE(std::to_string(special) + " bias " + std::to_string(bias) + " " + schedule + " " +
                                 std::string(to_string(algorithm)));
                    auto options = Conv2dOptions(4, 3, 3).dilation(20).padding(20).bias(bias)
                                       .activation(Activation::Relu).schedule(schedule).algorithm(algorithm);
                    Conv2d conv(options);
                    const Tensor finite_weight = Tensor::copy_of(conv.weight());
                    Tensor weight = Tensor::copy_of(finite_weight);
                    weight.data()[(1 * 4 + 2) * 9 + 1] = special;  // output channel 1, input channel 2, tap (0, 1)
                    conv.set_weight(weight);
                    expect_matches_reference(conv, x);
                    const Tensor y = conv.forward(x);
                    for (int64_t i = 0; i < 25; ++i) {
                        EXPECT_FALSE(std::isnan(y.data()[i])) << i;
                        EXPECT_TRUE(std::isnan(y.data()[25 + i])) << i;
                        EXPECT_FALSE(std::isnan(y.data()[50 + i])) << i;
                    }
                    Conv2d nhwc(options.layout(Layout::NHWC));
                    nhwc.set_weight(weight);
                    expect_matches_reference(nhwc, x_nhwc);
                    // Finite weights again: no channel stays NaN.
                    conv.set_weight(finite_weight);
                    const Tensor finite = conv.forward(x);
                    for (int64_t i = 0; i < finite.numel(); ++i) EXPECT_FALSE(std::isnan(finite.data()[i])) << i;
                }
            }
        }
    }
}

// A tap that reads the image for some outputs and padding for the others (dilation 3 on a 7x7
// map): the kernels skip its products with the padding while the weights are finite, so an
// infinite or NaN weight there must bring them back, NaN at those outputs as in PyTorch.
TEST(BadValues, NonFiniteWeightsOnTapsThatReadPaddingForSomeOutputsGiveNaNThere) {
    const Tensor x = random_tensor({1, 4, 7, 7}, 15);
    Tensor x_nhwc(x.sizes(), layout_strides(x.sizes(), 1, Layout::NHWC));
    copy_elements(x, x_nhwc.view());
    for (const float special : {NAN, INFINITY}) {
        for (const std::string &schedule : kSchedules) {
          for (Algorithm algorithm : kAlgorithms) {
            SCOPED_TRACE(std::to_string(special) + " " + schedule + " " + std::string(to_string(algorithm)));
            auto options = Conv2dOptions(4, 3, 3).dilation(3).padding(3).schedule(schedule).algorithm(algorithm);
            Conv2d conv(options);
            Tensor weight = Tensor::copy_of(conv.weight());
            weight.data()[(1 * 4 + 2) * 9 + 0] = special;  // output channel 1, input channel 2, tap (0, 0)
            conv.set_weight(weight);
            expect_matches_reference(conv, x);
            // Output (0, 0) of channel 1 reads that tap at (-3, -3), in the padding.
            EXPECT_TRUE(std::isnan(conv.forward(x).data()[49]));
            Conv2d nhwc(options.layout(Layout::NHWC));
            nhwc.set_weight(weight);
            expect_matches_reference(nhwc, x_nhwc);
          }
        }
    }
}

TEST(BadValues, ZeroSizeBatchesGiveEmptyResults) {
    const Shape empty_2d{0, 3, 6, 6};
    EXPECT_EQ(Conv2d(Conv2dOptions(3, 4, 3)).forward(Tensor(empty_2d)).sizes(), (Shape{0, 4, 4, 4}));
    EXPECT_EQ(Conv1d(Conv1dOptions(3, 4, 3).layout(Layout::NHWC)).forward(Tensor({0, 3, 6})).sizes(), (Shape{0, 4, 4}));
    EXPECT_EQ(ConvTranspose2d(ConvTranspose2dOptions(3, 4, 3).stride(2)).forward(Tensor(empty_2d)).sizes(),
              (Shape{0, 4, 13, 13}));
    EXPECT_EQ(Unfold(UnfoldOptions(2)).forward(Tensor(empty_2d)).sizes(), (Shape{0, 12, 25}));
    EXPECT_EQ(Fold(FoldOptions(3, 2)).forward(Tensor({0, 8, 4})).sizes(), (Shape{0, 2, 3, 3}));
    // Into caller memory as well, where there is nothing to write.
    Tensor out({0, 4, 4, 4});
    Conv2d(Conv2dOptions(3, 4, 3)).forward(Tensor(empty_2d), out);
}

TEST(BadValues, HugeKernelsAndDilationsWithinLimitsMatchTheReference) {
    expect_matches_reference(Conv1d(Conv1dOptions(1, 2, 700)), random_tensor({1, 1, 720}, 6));
    expect_matches_reference(Conv1d(Conv1dOptions(2, 2, 3).dilation(5000).padding(5000)), random_tensor({2, 2, 300}, 7));
    expect_matches_reference(Conv2d(Conv2dOptions(1, 1, 3).dilation({900, 1}).padding({900, 0})),
                             random_tensor({1, 1, 7, 5}, 8));
    expect_matches_reference(ConvTranspose1d(ConvTranspose1dOptions(1, 1, 2).dilation(3000)), random_tensor({1, 1, 4}, 9));
    expect_matches_reference(Conv1d(Conv1dOptions(1, 1, 1).stride(1 << 30)), random_tensor({1, 1, 9}, 10));
    expect_matches_reference(Unfold(UnfoldOptions({1, 2}).dilation({1, 4000}).padding({0, 2000})),
                             random_tensor({1, 1, 3, 4}, 11));
}

}  // namespace
}  // namespace convgen::testing
