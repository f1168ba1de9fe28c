#pragma once
// Float32 tensors: views over caller memory (never copied when already in the kernel's layout)
// and an owning Tensor that the layers return. Sizes are PyTorch's logical sizes; strides (in
// elements) say the memory order, so a channels-last tensor has sizes (N, C, H, W).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "convgen/op_spec.h"

namespace convgen {

using Shape = std::vector<int64_t>;

// Row-major (C-contiguous) strides for `sizes`.
Shape contiguous_strides(const Shape &sizes);
// Strides of a channels-last tensor: logical sizes (.., C, spatial...) with C at `channel_dim`
// stored as (.., spatial..., C), e.g. (N, C, H, W) stored as NHWC.
Shape channels_last_strides(const Shape &sizes, size_t channel_dim);
// Dense strides of an image tensor stored in `layout`: contiguous for NCHW, channels-last for NHWC.
Shape layout_strides(const Shape &sizes, size_t channel_dim, Layout layout);
int64_t element_count(const Shape &sizes);
// "[1, 3, 224, 224]", as PyTorch prints sizes.
std::string format_shape(const Shape &sizes);

template <typename T>
struct BasicTensorView {
    T *data = nullptr;
    Shape sizes;
    Shape strides;  // empty means contiguous

    BasicTensorView() = default;
    BasicTensorView(T *data, Shape sizes, Shape strides = {})
        : data(data), sizes(std::move(sizes)), strides(std::move(strides)) {
        if (this->strides.empty()) this->strides = contiguous_strides(this->sizes);
    }
    // A mutable view converts to a read-only one.
    template <typename U>
    BasicTensorView(const BasicTensorView<U> &other)
        requires std::is_convertible_v<U *, T *>
        : data(other.data), sizes(other.sizes), strides(other.strides) {}

    int64_t dim() const { return int64_t(sizes.size()); }
    int64_t numel() const { return element_count(sizes); }
};

using TensorView = BasicTensorView<float>;
using ConstTensorView = BasicTensorView<const float>;

// Owning, dense storage in the memory order its strides give, starting on a 64-byte cache line.
class Tensor {
public:
    Tensor() = default;
    // Zero-filled, as torch.zeros.
    explicit Tensor(Shape sizes, Shape strides = {});
    // Uninitialised, as torch.empty: for outputs a kernel overwrites in full, which then skip a
    // pass over memory as large as the output.
    static Tensor empty(Shape sizes, Shape strides = {});
    // Copies `view` into a new contiguous tensor.
    static Tensor copy_of(ConstTensorView view);

    const Shape &sizes() const { return view_.sizes; }
    const Shape &strides() const { return view_.strides; }
    int64_t dim() const { return view_.dim(); }
    int64_t numel() const { return view_.numel(); }
    float *data() { return view_.data; }
    const float *data() const { return view_.data; }
    TensorView view() { return view_; }
    ConstTensorView view() const { return view_; }
    operator ConstTensorView() const { return view_; }
    operator TensorView() { return view_; }

private:
    std::shared_ptr<float[]> storage_;
    TensorView view_;
};

// Copies src into dst element by element; sizes must match, strides may differ.
void copy_elements(ConstTensorView src, TensorView dst);

}  // namespace convgen
