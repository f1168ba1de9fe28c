#pragma once
// Unfold (im2col) and Fold (col2im with overlap-add), as torch.nn.Unfold / torch.nn.Fold.
#include "convgen/op_spec.h"
#include "convgen/options.h"
#include "convgen/tensor.h"

namespace convgen {

class Unfold {
public:
    // Throws ValueError for an unknown schedule; the window is checked per call, as in PyTorch.
    explicit Unfold(UnfoldOptions options);
    const UnfoldOptions &options() const { return options_; }
    Shape output_shape(const Shape &input_sizes) const;
    OpSpec spec(const Shape &input_sizes) const;
    void prepare(const Shape &input_sizes) const;
    Tensor forward(ConstTensorView input) const;
    void forward(ConstTensorView input, TensorView output) const;

private:
    UnfoldOptions options_;
};

class Fold {
public:
    explicit Fold(FoldOptions options);
    const FoldOptions &options() const { return options_; }
    Shape output_shape(const Shape &input_sizes) const;
    OpSpec spec(const Shape &input_sizes) const;
    void prepare(const Shape &input_sizes) const;
    Tensor forward(ConstTensorView input) const;
    void forward(ConstTensorView input, TensorView output) const;

private:
    FoldOptions options_;
};

}  // namespace convgen
