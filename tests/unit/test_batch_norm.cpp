// conv + eval-mode BatchNorm folding: fused(x) == bn(conv(x)).
#include <cmath>

#include "test_support.h"

namespace convgen::testing {
namespace {

// bn(y) per channel, for y with logical (N, C, spatial...) sizes and contiguous strides.
std::vector<float> batch_norm(const Tensor &y, const Tensor &mean, const Tensor &var, const Tensor &gamma,
                              const Tensor &beta, double eps) {
    const int64_t channels = y.sizes()[1], plane = y.numel() / (y.sizes()[0] * channels);
    std::vector<float> out(size_t(y.numel()));
    for (int64_t i = 0; i < y.numel(); ++i) {
        const int64_t c = (i / plane) % channels;
        out[i] = float((y.data()[i] - mean.data()[c]) / std::sqrt(double(var.data()[c]) + eps) * gamma.data()[c] +
                       beta.data()[c]);
    }
    return out;
}

template <typename Layer>
void expect_fusion_matches(const Layer &layer, const Tensor &x, int64_t channels) {
    const Tensor mean = random_tensor({channels}, 1), gamma = random_tensor({channels}, 3),
                 beta = random_tensor({channels}, 4);
    Tensor var = random_tensor({channels}, 2);
    for (int64_t i = 0; i < channels; ++i) var.data()[i] = std::abs(var.data()[i]) + 0.1f;
    const double eps = 1e-3;
    const Layer fused = layer.fuse_batch_norm({mean, var, gamma.view(), beta.view(), eps});
    ASSERT_TRUE(fused.bias());
    const Tensor got = fused.forward(x);
    const std::vector<float> expected = batch_norm(layer.forward(x), mean, var, gamma, beta, eps);
    EXPECT_LE(reference::relative_error(got.data(), expected), 1e-5);
}

TEST(BatchNormFusion, ConvWithAndWithoutBias) {
    expect_fusion_matches(Conv2d(Conv2dOptions(3, 4, 3).padding(1)), random_tensor({2, 3, 6, 6}, 5), 4);
    expect_fusion_matches(Conv2d(Conv2dOptions(4, 6, 3).bias(false).groups(2)), random_tensor({1, 4, 6, 6}, 6), 6);
    expect_fusion_matches(Conv1d(Conv1dOptions(3, 4, 3)), random_tensor({2, 3, 9}, 7), 4);
}

TEST(BatchNormFusion, ConvTransposeScalesTheOutputChannelOfEachGroup) {
    expect_fusion_matches(ConvTranspose2d(ConvTranspose2dOptions(4, 6, 3).stride(2).groups(2)),
                          random_tensor({1, 4, 4, 4}, 8), 6);
}

TEST(BatchNormFusion, DefaultsAndShapeChecks) {
    Conv2d conv(Conv2dOptions(2, 3, 1));
    const Tensor mean({3}), var({3});
    Tensor ones_var({3});
    std::fill(ones_var.data(), ones_var.data() + 3, 1.0f);
    const Tensor x = random_tensor({1, 2, 3, 3}, 1);
    // gamma 1, beta 0, mean 0, var 1: only the eps scaling remains.
    const Tensor y = conv.fuse_batch_norm({mean, ones_var, std::nullopt, std::nullopt, 0.0}).forward(x);
    const Tensor expected = conv.forward(x);
    for (int64_t i = 0; i < y.numel(); ++i) EXPECT_NEAR(y.data()[i], expected.data()[i], 1e-6);
    EXPECT_THROW(conv.fuse_batch_norm({Tensor({4}), var, std::nullopt, std::nullopt}), RuntimeError);
}

}  // namespace
}  // namespace convgen::testing
