#pragma once
// Non-finite weights on the taps a conv kernel skips. Kernels reduce over live_taps(spec) alone;
// PyTorch also multiplies the other taps by the zero padding they read, so a NaN or infinite
// weight there (NaN * 0, inf * 0) makes every output of its channel NaN. The layer reproduces
// that with a NaN bias on those channels, which costs nothing while the weights are finite.
#include <cstdint>
#include <vector>

#include "convgen/op_spec.h"

namespace convgen::detail {

// The output channels of a conv whose weights (PyTorch's layout, (O, I/g, kH, kW)) are not all
// finite on the taps the kernel skips.
std::vector<int64_t> channels_nan_from_skipped_taps(const OpSpec &spec, const float *weight);

}  // namespace convgen::detail
