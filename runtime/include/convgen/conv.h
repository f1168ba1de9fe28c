#pragma once
// Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d: PyTorch's layers, JIT-compiled per input
// shape. Usage follows XNNPACK's create / reshape / run split:
//   Conv2d conv(Conv2dOptions(64, 128, 3).padding(1));   // create: options checked
//   conv.set_weight(w);                                   // weights copied (packed) once
//   conv.prepare(shape);                                  // optional: JIT now, not on first call
//   Tensor y = conv.forward(x);                           // run (thread-safe)
#include <memory>

#include "convgen/batch_norm.h"
#include "convgen/detail/conv_layer.h"
#include "convgen/options.h"
#include "convgen/tensor.h"

namespace convgen {

// Shared by the four conv layers: weights, shape queries, forward.
class ConvLayerBase {
public:
    void set_weight(ConstTensorView weight) { impl_->set_weight(weight); }
    // Throws ValueError when the layer was built with bias(false).
    void set_bias(ConstTensorView bias) { impl_->set_bias(bias); }
    ConstTensorView weight() const { return impl_->weight(); }
    std::optional<ConstTensorView> bias() const;

    Shape output_shape(const Shape &input_sizes) const { return impl_->lower(input_sizes).output_sizes; }
    // The validated specification a forward call on this shape runs: what its kernel computes.
    OpSpec spec(const Shape &input_sizes) const { return impl_->lower(input_sizes).spec; }
    void prepare(const Shape &input_sizes) const { impl_->prepare(input_sizes); }
    Tensor forward(ConstTensorView input) const { return impl_->forward(input); }
    // Writes into caller memory; output must have output_shape() sizes in the layer's layout.
    void forward(ConstTensorView input, TensorView output) const { impl_->forward(input, output); }

protected:
    friend class ConvBlock;  // runs the layers it chains
    explicit ConvLayerBase(detail::ConvLayer impl) : impl_(std::make_shared<detail::ConvLayer>(std::move(impl))) {}
    std::shared_ptr<detail::ConvLayer> impl_;
};

template <size_t D>
class ConvNd : public ConvLayerBase {
public:
    explicit ConvNd(ConvOptions<D> options);
    const ConvOptions<D> &options() const { return options_; }
    // This conv followed by eval-mode BatchNorm, as one conv with a bias.
    ConvNd fuse_batch_norm(const BatchNormParams &bn) const;

private:
    ConvNd(ConvOptions<D> options, detail::ConvLayer impl);
    ConvOptions<D> options_;
};

template <size_t D>
class ConvTransposeNd : public ConvLayerBase {
public:
    explicit ConvTransposeNd(ConvTransposeOptions<D> options);
    const ConvTransposeOptions<D> &options() const { return options_; }
    ConvTransposeNd fuse_batch_norm(const BatchNormParams &bn) const;

private:
    ConvTransposeNd(ConvTransposeOptions<D> options, detail::ConvLayer impl);
    ConvTransposeOptions<D> options_;
};

using Conv1d = ConvNd<1>;
using Conv2d = ConvNd<2>;
using ConvTranspose1d = ConvTransposeNd<1>;
using ConvTranspose2d = ConvTransposeNd<2>;

extern template class ConvNd<1>;
extern template class ConvNd<2>;
extern template class ConvTransposeNd<1>;
extern template class ConvTransposeNd<2>;

}  // namespace convgen
