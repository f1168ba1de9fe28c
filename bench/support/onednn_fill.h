#pragma once
// Deterministic data for oneDNN's tensors in the benchmarks (values in [-0.5, 0.5)).
#include <oneapi/dnnl/dnnl.hpp>

namespace convgen::bench {

void fill_pseudo_random(dnnl::memory &m);

}  // namespace convgen::bench
