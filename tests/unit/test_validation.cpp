// Every validation rule of docs/pytorch-semantics: the exception type PyTorch raises and its wording.
#include "expect_error.h"
#include "test_support.h"

namespace convgen::testing {
namespace {

TEST(Construction, RulesInPyTorchOrder) {
    expect_error<ValueError>([] { Conv2d(Conv2dOptions(4, 2, 3).groups(0)); }, "groups must be a positive integer");
    expect_error<ValueError>([] { Conv2d(Conv2dOptions(4, 2, 3).groups(-1)); }, "groups must be a positive integer");
    expect_error<ValueError>([] { Conv2d(Conv2dOptions(4, 2, 3).groups(3)); }, "in_channels must be divisible by groups");
    expect_error<ValueError>([] { Conv2d(Conv2dOptions(4, 3, 3).groups(2)); }, "out_channels must be divisible by groups");
    expect_error<ValueError>([] { Conv2d(Conv2dOptions(4, 2, 3).padding("foo")); },
                             "Invalid padding string 'foo', should be one of {'valid', 'same'}");
    expect_error<ValueError>([] { Conv2d(Conv2dOptions(4, 2, 3).padding(kSame).stride(2)); },
                             "padding='same' is not supported for strided convolutions");
    expect_error<ValueError>([] { Conv1d(Conv1dOptions(4, 2, 3).padding("same").stride(2)); },
                             "padding='same' is not supported for strided convolutions");
    expect_error<ValueError>([] { Conv2d(Conv2dOptions(4, 2, 3).padding_mode("foo")); },
                             "padding_mode must be one of {'zeros', 'reflect', 'replicate', 'circular'}, but got "
                             "padding_mode='foo'");
    expect_error<ValueError>([] { ConvTranspose2d(ConvTranspose2dOptions(4, 2, 3).padding_mode(PaddingMode::Reflect)); },
                             "Only \"zeros\" padding mode is supported for ConvTranspose2d");
    expect_error<ValueError>([] { ConvTranspose1d(ConvTranspose1dOptions(4, 2, 3).padding_mode("circular")); },
                             "Only \"zeros\" padding mode is supported for ConvTranspose1d");
    expect_error<ValueError>([] { Conv2d(Conv2dOptions(4, 2, 3).schedule("nope")); }, "unknown schedule 'nope'");
}

TEST(Construction, GroupsCheckedBeforeChannels) {
    expect_error<ValueError>([] { Conv2d(Conv2dOptions(3, 3, 3).groups(0).padding("bad")); },
                             "groups must be a positive integer");
}

TEST(Forward, ConvRules) {
    const Tensor x({1, 4, 5, 5});
    expect_error<RuntimeError>([&] { Conv2d(Conv2dOptions(4, 2, 3)).forward(Tensor({4, 5})); },
                               "Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [4, 5]");
    expect_error<RuntimeError>([&] { Conv1d(Conv1dOptions(4, 2, 3)).forward(Tensor({4})); },
                               "Expected 2D (unbatched) or 3D (batched) input to conv1d, but got input of size: [4]");
    expect_error<RuntimeError>([&] { ConvTranspose2d(ConvTranspose2dOptions(4, 2, 3)).forward(Tensor({1, 1, 4, 4, 4})); },
                               "Expected 3D (unbatched) or 4D (batched) input to conv_transpose2d");
    expect_error<RuntimeError>([&] { Conv2d(Conv2dOptions(4, 2, 3).padding(-1)).forward(x); },
                               "negative padding is not supported");
    expect_error<RuntimeError>([&] { Conv2d(Conv2dOptions(4, 2, 3).stride(0)).forward(x); },
                               "non-positive stride is not supported");
    expect_error<RuntimeError>([&] { Conv2d(Conv2dOptions(4, 2, 3).dilation({1, 0})).forward(x); },
                               "dilation should be greater than zero");
    expect_error<RuntimeError>([&] { Conv2d(Conv2dOptions(3, 2, 3)).forward(x); },
                               "Given groups=1, weight of size [2, 3, 3, 3], expected input[1, 4, 5, 5] to have 3 "
                               "channels, but got 4 channels instead");
    expect_error<RuntimeError>([&] { Conv2d(Conv2dOptions(3, 2, 3)).forward(Tensor({4, 5, 5})); },
                               "expected input[1, 4, 5, 5] to have 3 channels, but got 4 channels instead");
    expect_error<RuntimeError>([&] { Conv2d(Conv2dOptions(4, 2, 7)).forward(x); },
                               "Calculated padded input size per channel: (5 x 5). Kernel size: (7 x 7). Kernel size "
                               "can't be greater than actual input size");
    expect_error<RuntimeError>([&] { Conv2d(Conv2dOptions(4, 2, 3).dilation(3)).forward(x); },
                               "Kernel size: (7 x 7). Kernel size can't be greater than actual input size");
    expect_error<RuntimeError>([&] { Conv1d(Conv1dOptions(4, 2, 7)).forward(Tensor({1, 4, 5})); },
                               "Calculated padded input size per channel: (5). Kernel size: (7).");
    expect_error<RuntimeError>(
        [&] { Conv2d(Conv2dOptions(4, 2, 3).padding(5).padding_mode(PaddingMode::Reflect)).forward(x); },
        "Padding size should be less than the corresponding input dimension, but got: padding (5, 5) at dimension 3 "
        "of input [1, 4, 5, 5]");
    expect_error<RuntimeError>(
        [&] { Conv2d(Conv2dOptions(4, 2, 3).padding({0, 5}).padding_mode("reflect")).forward(Tensor({4, 5, 5})); },
        "padding (5, 5) at dimension 2 of input [4, 5, 5]");
    expect_error<RuntimeError>(
        [&] { Conv2d(Conv2dOptions(4, 2, 3).padding(6).padding_mode(PaddingMode::Circular)).forward(x); },
        "Padding value causes wrapping around more than once.");
}

TEST(Forward, WeightAndBiasShapes) {
    Conv2d conv(Conv2dOptions(4, 2, 3));
    expect_error<RuntimeError>([&] { conv.set_weight(Tensor({2, 4, 3, 2})); }, "expected weight of size [2, 4, 3, 3]");
    expect_error<RuntimeError>([&] { conv.set_bias(Tensor({3})); },
                               "Given weight of size [2, 4, 3, 3], expected bias to be 1-dimensional with 2 elements, "
                               "but got bias of size [3] instead");
    Conv2d no_bias(Conv2dOptions(4, 2, 3).bias(false));
    expect_error<ValueError>([&] { no_bias.set_bias(Tensor({2})); }, "bias=false");
}

TEST(Forward, ConvTransposeRules) {
    const Tensor x({1, 4, 5, 5});
    expect_error<RuntimeError>([&] { ConvTranspose2d(ConvTranspose2dOptions(3, 2, 3)).forward(x); },
                               "Given transposed=1, weight of size [3, 2, 3, 3], expected input[1, 4, 5, 5] to have 3 "
                               "channels, but got 4 channels instead");
    expect_error<RuntimeError>(
        [&] { ConvTranspose2d(ConvTranspose2dOptions(4, 2, 3).output_padding(2)).forward(x); },
        "output padding must be smaller than either stride or dilation, but got output_padding_height: 2 "
        "output_padding_width: 2 stride_height: 1 stride_width: 1 dilation_height: 1 dilation_width: 1");
    expect_error<RuntimeError>(
        [&] { ConvTranspose1d(ConvTranspose1dOptions(4, 2, 3).output_padding(2)).forward(Tensor({1, 4, 5})); },
        "output_padding_height: 0 output_padding_width: 2 stride_height: 1");
    expect_error<RuntimeError>([&] { ConvTranspose2d(ConvTranspose2dOptions(4, 2, 3).padding(5)).forward(x); },
                               "Given input size per channel: (5 x 5). Calculated output size per channel: (-3 x -3). "
                               "Output size is too small");
    expect_error<RuntimeError>([&] { ConvTranspose2d(ConvTranspose2dOptions(4, 2, 3).padding(-1)).forward(x); },
                               "negative padding is not supported");
    expect_error<RuntimeError>([&] { ConvTranspose2d(ConvTranspose2dOptions(4, 2, 3).output_padding(-1)).forward(x); },
                               "negative output_padding is not supported");
}

TEST(Forward, UnfoldRules) {
    const Tensor x({1, 2, 5, 5});
    expect_error<RuntimeError>([&] { Unfold(UnfoldOptions(0)).forward(x); },
                               "kernel size should be greater than zero, but got kernel_height: 0 kernel_width: 0");
    expect_error<RuntimeError>([&] { Unfold(UnfoldOptions(2).dilation(0)).forward(x); },
                               "dilation should be greater than zero, but got dilation_height: 0 dilation_width: 0");
    expect_error<RuntimeError>([&] { Unfold(UnfoldOptions(2).padding(-1)).forward(x); },
                               "padding should be non-negative, but got pad_height: -1 pad_width: -1");
    expect_error<RuntimeError>([&] { Unfold(UnfoldOptions(2).stride(0)).forward(x); },
                               "stride should be greater than zero, but got stride_height: 0 stride_width: 0");
    expect_error<RuntimeError>([&] { Unfold(UnfoldOptions(7)).forward(x); },
                               "Given input with spatial size (5, 5), kernel_size=(7, 7), dilation=(1, 1), padding=(0, "
                               "0), calculated shape of the array of sliding blocks as (-1, -1), but its components "
                               "must be at least one.");
    expect_error<RuntimeError>([&] { Unfold(UnfoldOptions(2)).forward(Tensor({5, 5})); },
                               "Expected 3D or 4D (batch mode) tensor");
    expect_error<RuntimeError>([&] { Unfold(UnfoldOptions(2)).forward(Tensor({1, 0, 5, 5})); },
                               "Expected 3D or 4D (batch mode) tensor");
}

TEST(Forward, FoldRules) {
    expect_error<RuntimeError>([&] { Fold(FoldOptions(3, 0)).forward(Tensor({1, 4, 4})); },
                               "kernel size should be greater than zero");
    expect_error<RuntimeError>([&] { Fold(FoldOptions(3, 2)).forward(Tensor({4})); }, "Expected 2D or 3D (batch mode)");
    expect_error<RuntimeError>([&] { Fold(FoldOptions(3, 2)).forward(Tensor({1, 5, 4})); },
                               "Expected size of input's dimension 1 to be divisible by the product of kernel_size, but "
                               "got input.size(1)=5 and kernel_size=(2, 2).");
    expect_error<RuntimeError>([&] { Fold(FoldOptions(3, 2)).forward(Tensor({1, 4, 5})); },
                               "Given output_size=(3, 3), kernel_size=(2, 2), dilation=(1, 1), padding=(0, 0), "
                               "stride=(1, 1), expected size of input's dimension 2 to match the calculated number of "
                               "sliding blocks 2 * 2 = 4, but got input.size(2)=5.");
    expect_error<RuntimeError>([&] { Fold(FoldOptions(3, 5)).forward(Tensor({1, 25, 1})); },
                               "which is too small (non-positive).");
}

TEST(Forward, RefusesTensorsBeyond32BitIndexingBeforeAllocating) {
    Conv2d conv(Conv2dOptions(1, 1, 1).bias(false));
    // Sizes only: no memory is touched before the check.
    const ConstTensorView huge(nullptr, {1, 1, 65536, 65536});
    expect_error<RuntimeError>([&] { conv.forward(huge); }, "32-bit kernel indexing");
}

}  // namespace
}  // namespace convgen::testing
