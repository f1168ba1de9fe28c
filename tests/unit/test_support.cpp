#include "test_support.h"

#include <random>

namespace convgen::testing {

Tensor random_tensor(const Shape &sizes, unsigned seed, const Shape &strides) {
    Tensor t(sizes, strides);
    std::mt19937 engine(seed);
    std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
    for (int64_t i = 0; i < t.numel(); ++i) t.data()[i] = uniform(engine);
    return t;
}

}  // namespace convgen::testing
