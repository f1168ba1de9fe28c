#pragma once
// Helpers shared by the unit tests: random tensors and comparison with the reference.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "convgen/convgen.h"
#include "convgen/winograd.h"

namespace convgen::testing {

// Uniform(-1, 1) values, deterministic per seed, in the memory order of `strides`.
Tensor random_tensor(const Shape &sizes, unsigned seed, const Shape &strides = {});

// The schedules every op must agree under, and both algorithms.
inline const std::vector<std::string> kSchedules{"naive", "portable", "hand"};
inline const std::vector<Algorithm> kAlgorithms{Algorithm::Direct, Algorithm::UnfoldMatmulFold};

inline constexpr double kTolerance = 1e-5;

// Each algorithm's tolerance: Winograd rounds more as its tile grows (convgen/winograd.h); the
// others sum the same products as the reference.
inline double tolerance(const OpSpec &spec) {
    return spec.algorithm == Algorithm::Winograd ? winograd_error_bound(int(spec.winograd_tile)) : kTolerance;
}

// Checks a layer's forward against the reference for the same input, weights and spec.
template <typename Layer>
void expect_matches_reference(const Layer &layer, const Tensor &input);

}  // namespace convgen::testing

#include "test_support_impl.h"
