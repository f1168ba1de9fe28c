#include "convgen/tensor.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>
#include <numeric>

#include "convgen/errors.h"
#include "format.h"
#include "view_checks.h"

namespace convgen {
namespace {

// Storage starts on a cache line, as PyTorch's CPU allocator's does: from malloc's 16-byte
// alignment every 64-byte vector a kernel loads or stores straddles two lines, which cost
// load-bound kernels (depthwise convs) up to a third of their time, by the luck of the address.
constexpr size_t kStorageAlignment = 64;

enum class Fill { Zeros, None };

std::shared_ptr<float[]> storage(int64_t count, Fill fill) {
    if (uint64_t(count) > (SIZE_MAX - kStorageAlignment) / sizeof(float)) throw std::bad_alloc();
    const size_t bytes = size_t(std::max<int64_t>(count, 1)) * sizeof(float);
    const size_t rounded = (bytes + kStorageAlignment - 1) / kStorageAlignment * kStorageAlignment;
    void *block = std::aligned_alloc(kStorageAlignment, rounded);
    if (!block) throw std::bad_alloc();
    if (fill == Fill::Zeros) std::memset(block, 0, rounded);
    return std::shared_ptr<float[]>(static_cast<float *>(block), [](float *p) { std::free(p); });
}

void check_sizes(const Shape &sizes) {
    for (int64_t s : sizes) {
        if (s < 0) throw RuntimeError("Trying to create tensor with negative dimension " + std::to_string(s));
    }
}

// Strides for storing the dims of `sizes` in `memory_order` (outermost first).
Shape strides_in_order(const Shape &sizes, const std::vector<size_t> &memory_order) {
    Shape strides(sizes.size());
    int64_t stride = 1;
    for (size_t i = memory_order.size(); i-- > 0;) {
        strides[memory_order[i]] = stride;
        if (i > 0 && __builtin_mul_overflow(stride, std::max<int64_t>(sizes[memory_order[i]], 1), &stride)) {
            throw RuntimeError("the strides of sizes " + format_shape(sizes) + " overflow int64");
        }
    }
    return strides;
}

}  // namespace

Shape contiguous_strides(const Shape &sizes) {
    std::vector<size_t> order(sizes.size());
    std::iota(order.begin(), order.end(), size_t{0});
    return strides_in_order(sizes, order);
}

Shape channels_last_strides(const Shape &sizes, size_t channel_dim) {
    std::vector<size_t> order;
    for (size_t d = 0; d < sizes.size(); ++d) {
        if (d != channel_dim) order.push_back(d);
    }
    order.push_back(channel_dim);
    return strides_in_order(sizes, order);
}

Shape layout_strides(const Shape &sizes, size_t channel_dim, Layout layout) {
    return layout == Layout::NHWC ? channels_last_strides(sizes, channel_dim) : contiguous_strides(sizes);
}

std::string format_shape(const Shape &sizes) {
    return "[" + detail::join(sizes, ", ") + "]";
}

int64_t element_count(const Shape &sizes) {
    if (std::find(sizes.begin(), sizes.end(), 0) != sizes.end()) return 0;
    int64_t n = 1;
    for (int64_t s : sizes) {
        if (__builtin_mul_overflow(n, s, &n)) {
            throw RuntimeError("the element count of sizes " + format_shape(sizes) + " overflows int64");
        }
    }
    return n;
}

namespace detail {
void check_view_shape(ConstTensorView view, const std::string &name) {
    if (view.strides.size() != view.sizes.size()) {
        throw RuntimeError(name + " view has " + std::to_string(view.sizes.size()) + " sizes but " +
                           std::to_string(view.strides.size()) + " strides");
    }
    for (int64_t s : view.sizes) {
        if (s < 0) throw RuntimeError(name + " view has a negative size: " + format_shape(view.sizes));
    }
}
}  // namespace detail

Tensor::Tensor(Shape sizes, Shape strides) {
    check_sizes(sizes);
    storage_ = storage(element_count(sizes), Fill::Zeros);
    view_ = TensorView(storage_.get(), std::move(sizes), std::move(strides));
}

Tensor Tensor::empty(Shape sizes, Shape strides) {
    check_sizes(sizes);
    Tensor t;
    t.storage_ = storage(element_count(sizes), Fill::None);
    t.view_ = TensorView(t.storage_.get(), std::move(sizes), std::move(strides));
    return t;
}

Tensor Tensor::copy_of(ConstTensorView view) {
    Tensor t(view.sizes);
    copy_elements(view, t.view());
    return t;
}

void copy_elements(ConstTensorView src, TensorView dst) {
    detail::check_view_shape(src, "source");
    detail::check_view_shape(dst, "destination");
    if (src.sizes != dst.sizes) throw RuntimeError("copy_elements: sizes differ");
    const size_t rank = src.sizes.size();
    const int64_t count = src.numel();
    Shape index(rank, 0);
    for (int64_t i = 0; i < count; ++i) {
        int64_t from = 0, to = 0;
        for (size_t d = 0; d < rank; ++d) {
            from += index[d] * src.strides[d];
            to += index[d] * dst.strides[d];
        }
        dst.data[to] = src.data[from];
        for (size_t d = rank; d-- > 0;) {
            if (++index[d] < src.sizes[d]) break;
            index[d] = 0;
        }
    }
}

}  // namespace convgen
