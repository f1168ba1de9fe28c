#pragma once
#include <type_traits>

#include "reference/reference.h"

namespace convgen::testing {

template <typename Layer>
void expect_matches_reference(const Layer &layer, const Tensor &input) {
    const OpSpec spec = layer.spec(input.sizes());
    const Tensor output = layer.forward(input);
    ASSERT_EQ(output.sizes(), layer.output_shape(input.sizes()));
    const float *weight = nullptr, *bias = nullptr;
    if constexpr (std::is_base_of_v<ConvLayerBase, Layer>) {
        weight = layer.weight().data;
        if (layer.bias()) bias = layer.bias()->data;
    }
    const std::vector<float> expected = reference::run(spec, input.data(), weight, bias);
    ASSERT_EQ(size_t(output.numel()), expected.size());
    EXPECT_LE(reference::relative_error(output.data(), expected), tolerance(spec)) << spec.key();
}

}  // namespace convgen::testing
