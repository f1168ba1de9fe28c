// The bad-input matrix, part 1: invalid options for every layer, shape mismatches, and sizes or
// option values beyond the 32-bit indexing of generated kernels (refused before any allocation:
// the huge tensors here are views over no memory at all). Every case must be refused with the
// right convgen error type and a message that names the problem.
#include "bad_input_cases.h"

namespace convgen::testing {
namespace {

constexpr int64_t kHuge = int64_t(1) << 40;

std::vector<BadInput> invalid_options() {
    const Tensor x2({1, 4, 6, 6}), x1({1, 4, 6});
    return {
        {"conv2d groups 0", value_error("groups must be a positive integer"),
         [] { Conv2d(Conv2dOptions(4, 2, 3).groups(0)); }},
        {"conv1d groups -2", value_error("groups must be a positive integer"),
         [] { Conv1d(Conv1dOptions(4, 2, 3).groups(-2)); }},
        {"conv_transpose2d groups 0", value_error("groups must be a positive integer"),
         [] { ConvTranspose2d(ConvTranspose2dOptions(4, 2, 3).groups(0)); }},
        {"negative in_channels", value_error("negative dimension -1"), [] { Conv2d(Conv2dOptions(-1, 2, 3)); }},
        {"negative out_channels", value_error("negative dimension -3"),
         [] { ConvTranspose1d(ConvTranspose1dOptions(2, -3, 3)); }},
        {"in_channels not divisible", value_error("in_channels must be divisible by groups"),
         [] { Conv2d(Conv2dOptions(5, 4, 3).groups(2)); }},
        {"out_channels not divisible", value_error("out_channels must be divisible by groups"),
         [] { ConvTranspose2d(ConvTranspose2dOptions(4, 5, 3).groups(2)); }},
        {"padding string", value_error("Invalid padding string 'full'"),
         [] { Conv1d(Conv1dOptions(4, 2, 3).padding("full")); }},
        {"padding string empty", value_error("Invalid padding string ''"),
         [] { Conv2d(Conv2dOptions(4, 2, 3).padding("")); }},
        {"same with stride", value_error("padding='same' is not supported for strided convolutions"),
         [] { Conv2d(Conv2dOptions(4, 2, 3).padding(kSame).stride({1, 2})); }},
        {"padding_mode", value_error("padding_mode must be one of"),
         [] { Conv2d(Conv2dOptions(4, 2, 3).padding_mode("mirror")); }},
        {"padding_mode case", value_error("padding_mode='Zeros'"),
         [] { Conv1d(Conv1dOptions(4, 2, 3).padding_mode("Zeros")); }},
        {"transpose reflect", value_error("Only \"zeros\" padding mode is supported for ConvTranspose2d"),
         [] { ConvTranspose2d(ConvTranspose2dOptions(4, 2, 3).padding_mode(PaddingMode::Replicate)); }},
        {"conv schedule", value_error("unknown schedule 'fast'"), [] { Conv2d(Conv2dOptions(4, 2, 3).schedule("fast")); }},
        {"unfold schedule", value_error("unknown schedule ''"), [] { Unfold(UnfoldOptions(2).schedule("")); }},
        {"fold schedule", value_error("unknown schedule 'x'"), [] { Fold(FoldOptions(4, 2).schedule("x")); }},
        {"kernel 0", value_error("kernel_size must be positive"), [] { Conv2d(Conv2dOptions(4, 2, {3, 0})); }},
        {"kernel negative", value_error("kernel_size must be positive"),
         [] { ConvTranspose1d(ConvTranspose1dOptions(4, 2, -1)); }},
        {"three values for 2-D", value_error("expected 2 values, but got 3"),
         [] { Conv2d(Conv2dOptions(4, 2, 3).stride({1, 2, 3})); }},
        {"no values", value_error("expected 2 values, but got 0"),
         [] { Conv2d(Conv2dOptions(4, 2, std::vector<int64_t>{})); }},
        {"negative padding", runtime_error("negative padding is not supported"),
         [=] { Conv2d(Conv2dOptions(4, 2, 3).padding({0, -1})).forward(x2); }},
        {"stride 0", runtime_error("non-positive stride is not supported"),
         [=] { Conv1d(Conv1dOptions(4, 2, 3).stride(0)).forward(x1); }},
        {"stride negative", runtime_error("non-positive stride is not supported"),
         [=] { ConvTranspose2d(ConvTranspose2dOptions(4, 2, 3).stride(-2)).forward(x2); }},
        {"dilation 0", runtime_error("dilation should be greater than zero"),
         [=] { ConvTranspose1d(ConvTranspose1dOptions(4, 2, 3).dilation(0)).forward(x1); }},
        {"dilation negative", runtime_error("dilation should be greater than zero"),
         [=] { Conv2d(Conv2dOptions(4, 2, 3).dilation(-1)).forward(x2); }},
        {"output_padding negative", runtime_error("negative output_padding is not supported"),
         [=] { ConvTranspose2d(ConvTranspose2dOptions(4, 2, 3).output_padding({-1, 0})).forward(x2); }},
        {"output_padding too big", runtime_error("output padding must be smaller than either stride or dilation"),
         [=] { ConvTranspose2d(ConvTranspose2dOptions(4, 2, 3).stride(2).output_padding(2)).forward(x2); }},
        {"unfold kernel 0", runtime_error("kernel size should be greater than zero"),
         [=] { Unfold(UnfoldOptions({2, 0})).forward(x2); }},
        {"unfold dilation", runtime_error("dilation should be greater than zero"),
         [=] { Unfold(UnfoldOptions(2).dilation(-1)).forward(x2); }},
        {"unfold padding", runtime_error("padding should be non-negative"),
         [=] { Unfold(UnfoldOptions(2).padding({-1, 0})).forward(x2); }},
        {"unfold stride", runtime_error("stride should be greater than zero"),
         [=] { Unfold(UnfoldOptions(2).stride({1, 0})).forward(x2); }},
        {"fold kernel", runtime_error("kernel size should be greater than zero"),
         [] { Fold(FoldOptions(4, -1)).forward(Tensor({1, 4, 9})); }},
        {"fold stride", runtime_error("stride should be greater than zero"),
         [] { Fold(FoldOptions(4, 2).stride(0)).forward(Tensor({1, 4, 9})); }},
        {"fold output_size below the kernel", runtime_error("which is too small (non-positive)"),
         [] { Fold(FoldOptions(2, 4)).forward(Tensor({1, 16, 1})); }},
    };
}

std::vector<BadInput> shape_mismatches() {
    return {
        {"conv2d 2-D input", runtime_error("Expected 3D (unbatched) or 4D (batched) input to conv2d"),
         [] { Conv2d(Conv2dOptions(4, 2, 3)).forward(Tensor({4, 6})); }},
        {"conv2d 5-D input", runtime_error("but got input of size: [1, 1, 4, 6, 6]"),
         [] { Conv2d(Conv2dOptions(4, 2, 3)).forward(Tensor({1, 1, 4, 6, 6})); }},
        {"conv1d 0-D input", runtime_error("Expected 2D (unbatched) or 3D (batched) input to conv1d"),
         [] { Conv1d(Conv1dOptions(4, 2, 3)).forward(Tensor(Shape{})); }},
        {"conv_transpose1d 4-D input", runtime_error("input to conv_transpose1d"),
         [] { ConvTranspose1d(ConvTranspose1dOptions(4, 2, 3)).forward(Tensor({1, 4, 6, 6})); }},
        {"channels", runtime_error("to have 4 channels, but got 3 channels instead"),
         [] { Conv2d(Conv2dOptions(4, 2, 3)).forward(Tensor({1, 3, 6, 6})); }},
        {"transpose channels", runtime_error("Given transposed=1"),
         [] { ConvTranspose2d(ConvTranspose2dOptions(4, 2, 3)).forward(Tensor({2, 5, 6, 6})); }},
        {"kernel larger than input", runtime_error("Kernel size can't be greater than actual input size"),
         [] { Conv2d(Conv2dOptions(4, 2, {3, 7})).forward(Tensor({1, 4, 6, 6})); }},
        {"zero out_channels", runtime_error("expected weight to be at least 1 at dimension 0"),
         [] { Conv2d(Conv2dOptions(0, 0, 3)).forward(Tensor({1, 0, 6, 6})); }},
        {"zero channels", runtime_error("Expected input with non-zero channel and spatial dimensions"),
         [] { Conv2d(Conv2dOptions(0, 2, 3)).forward(Tensor({1, 0, 6, 6})); }},
        {"zero spatial", runtime_error("Expected input with non-zero channel and spatial dimensions"),
         [] { Conv1d(Conv1dOptions(4, 2, 1)).forward(Tensor({1, 4, 0})); }},
        {"transpose output too small", runtime_error("Output size is too small"),
         [] { ConvTranspose1d(ConvTranspose1dOptions(4, 2, 3).padding(4)).forward(Tensor({4, 3})); }},
        {"reflect pad >= size", runtime_error("Padding size should be less than the corresponding input dimension"),
         [] { Conv1d(Conv1dOptions(4, 2, 3).padding(3).padding_mode("reflect")).forward(Tensor({4, 3})); }},
        {"circular wraps twice", runtime_error("Padding value causes wrapping around more than once."),
         [] { Conv2d(Conv2dOptions(4, 2, 3).padding(4).padding_mode("circular")).forward(Tensor({4, 3, 3})); }},
        {"unfold 2-D input", runtime_error("Expected 3D or 4D (batch mode) tensor"),
         [] { Unfold(UnfoldOptions(2)).forward(Tensor({6, 6})); }},
        {"unfold zero spatial", runtime_error("Expected 3D or 4D (batch mode) tensor"),
         [] { Unfold(UnfoldOptions(2)).forward(Tensor({1, 2, 0, 6})); }},
        {"unfold kernel larger", runtime_error("but its components must be at least one"),
         [] { Unfold(UnfoldOptions(7)).forward(Tensor({1, 2, 6, 6})); }},
        {"fold 4-D input", runtime_error("Expected 2D or 3D (batch mode) tensor"),
         [] { Fold(FoldOptions(4, 2)).forward(Tensor({1, 1, 4, 9})); }},
        {"fold rows", runtime_error("to be divisible by the product of kernel_size"),
         [] { Fold(FoldOptions(4, 2)).forward(Tensor({1, 6, 9})); }},
        {"fold blocks", runtime_error("to match the calculated number of sliding blocks 3 * 3 = 9"),
         [] { Fold(FoldOptions(4, 2)).forward(Tensor({1, 4, 8})); }},
        {"set_weight shape", runtime_error("expected weight of size [2, 4, 3, 3]"),
         [] { Conv2d(Conv2dOptions(4, 2, 3)).set_weight(Tensor({2, 4, 3})); }},
        {"set_bias shape", runtime_error("expected bias to be 1-dimensional with 2 elements"),
         [] { Conv2d(Conv2dOptions(4, 2, 3)).set_bias(Tensor({2, 1})); }},
        {"set_bias without bias", value_error("bias=false"),
         [] { Conv2d(Conv2dOptions(4, 2, 3).bias(false)).set_bias(Tensor({2})); }},
        {"batch norm size", runtime_error("running_var should contain 2 elements not 3"),
         [] {
             const Tensor mean({2}), var({3});
             Conv2d(Conv2dOptions(4, 2, 3)).fuse_batch_norm({mean, var, std::nullopt, std::nullopt});
         }},
        {"output of wrong size", runtime_error("expected an output of size [1, 2, 4, 4]"),
         [] {
             Tensor out({1, 2, 4, 3});
             Conv2d(Conv2dOptions(4, 2, 3)).forward(Tensor({1, 4, 6, 6}), out);
         }},
        {"output in the wrong layout", runtime_error("output must be dense in the layer's nhwc layout"),
         [] {
             Tensor out({1, 2, 4, 4});
             Conv2d(Conv2dOptions(4, 2, 3).layout(Layout::NHWC)).forward(Tensor({1, 4, 6, 6}), out);
         }},
    };
}

std::vector<BadInput> beyond_32_bits() {
    // Sizes only, over no memory: these calls must fail before touching any data.
    auto view = [](Shape sizes) { return ConstTensorView(nullptr, std::move(sizes)); };
    return {
        {"input elements", runtime_error("32-bit kernel indexing"),
         [=] { Conv2d(Conv2dOptions(1, 1, 1)).forward(view({1, 1, 65536, 65536})); }},
        {"input dimension", runtime_error("32-bit kernel indexing"),
         [=] { Conv1d(Conv1dOptions(1, 1, 1)).forward(view({0, 1, int64_t(1) << 31})); }},
        {"input sizes whose product overflows int64", runtime_error("32-bit kernel indexing"),
         [=] { Unfold(UnfoldOptions(1)).forward(view({kHuge, kHuge, 2, 2})); }},
        {"element count overflowing int64", runtime_error("the element count of sizes"),
         [=] { (void)view({kHuge, kHuge}).numel(); }},
        {"strides overflowing int64", runtime_error("the strides of sizes"), [=] { view({kHuge, kHuge, kHuge}); }},
        {"output elements from padding", runtime_error("32-bit kernel indexing"),
         [] { Conv2d(Conv2dOptions(1, 1, 1).padding(30000)).forward(Tensor({1, 1, 1, 1})); }},
        {"transpose output elements", runtime_error("32-bit kernel indexing"),
         [] { ConvTranspose2d(ConvTranspose2dOptions(1, 1, 1).stride(100000)).forward(Tensor({1, 1, 2, 2})); }},
        {"weight elements", value_error("32-bit kernel indexing"),
         [] { Conv2d(Conv2dOptions(65536, 65536, 1)); }},
        {"weight of huge kernel", value_error("32-bit kernel indexing"),
         [] { Conv2d(Conv2dOptions(1, 1, {kHuge, kHuge})); }},
        {"weight dims overflow int64", value_error("32-bit kernel indexing"),
         [] { ConvTranspose2d(ConvTranspose2dOptions(kHuge, kHuge, kHuge)); }},
        {"empty weight with huge dims", value_error("32-bit kernel indexing"),
         [] { Conv2d(Conv2dOptions(kHuge, 0, kHuge)); }},
        {"bias", value_error("32-bit kernel indexing"), [] { Conv1d(Conv1dOptions(0, kHuge, 1)); }},
        {"huge stride", runtime_error("stride=[1099511627776] has a value"),
         [] { Conv1d(Conv1dOptions(1, 1, 1).stride(kHuge)).forward(Tensor({1, 1, 5})); }},
        {"huge padding", runtime_error("padding=[1099511627776, 0] has a value"),
         [] { Conv2d(Conv2dOptions(1, 1, 1).padding({kHuge, 0})).forward(Tensor({1, 1, 5, 5})); }},
        {"huge dilation", runtime_error("dilation=[1099511627776] has a value"),
         [] { ConvTranspose1d(ConvTranspose1dOptions(1, 1, 2).dilation(kHuge)).forward(Tensor({1, 1, 5})); }},
        {"huge output_padding", runtime_error("output_padding=[1099511627776] has a value"),
         [] { ConvTranspose1d(ConvTranspose1dOptions(1, 1, 2).output_padding(kHuge)).forward(Tensor({1, 1, 5})); }},
        {"window span: padding and stride", runtime_error("the sliding window spans"),
         [] { Conv1d(Conv1dOptions(1, 1, 1).padding(int64_t(1) << 30).stride(INT32_MAX)).forward(Tensor({1, 1, 5})); }},
        {"window span: dilation", runtime_error("the sliding window spans"),
         [] {
             const int64_t big = int64_t(1) << 30;
             Conv1d(Conv1dOptions(1, 1, 3).dilation(big).padding(big)).forward(Tensor({1, 1, 5}));
         }},
        {"unfold huge kernel", runtime_error("32-bit kernel indexing"),
         [] { Unfold(UnfoldOptions({kHuge, 1})).forward(Tensor({1, 1, 5, 5})); }},
        {"unfold output elements", runtime_error("32-bit kernel indexing"),
         [] { Unfold(UnfoldOptions(300).padding(200)).forward(Tensor({1, 64, 5, 5})); }},
        {"fold huge output_size", runtime_error("output_size=[1099511627776, 4] has a value"),
         [] { Fold(FoldOptions({kHuge, 4}, 1)).forward(Tensor({1, 1, 4})); }},
        {"fold output elements", runtime_error("32-bit kernel indexing"),
         [] { Fold(FoldOptions(50000, 1).stride(50000)).forward(Tensor({1, 1, 1})); }},
    };
}

TEST(BadInputs, InvalidOptionsAreRefused) { expect_all_refused(invalid_options()); }
TEST(BadInputs, ShapeMismatchesAreRefused) { expect_all_refused(shape_mismatches()); }
TEST(BadInputs, SizesBeyond32BitIndexingAreRefusedBeforeAllocating) { expect_all_refused(beyond_32_bits()); }

}  // namespace
}  // namespace convgen::testing
