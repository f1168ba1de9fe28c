#pragma once
// Unfold and fold cases for the benchmarks, taken from real layers: each is the im2col (and the
// col2im back) a conv layer of the suite would do.
#include <string>
#include <vector>

#include "convgen/suite.h"

namespace convgen::bench {

struct WindowCase {
    std::string name;
    Shape image;  // (N, C, H, W)
    int64_t kernel, stride, padding;
    double unfold_bytes, fold_bytes;  // bytes read + written by each op
};

// One case per distinct windowed (kernel > 1) layer shape of `layers`.
std::vector<WindowCase> window_cases(const std::vector<SuiteLayer> &layers);

}  // namespace convgen::bench
